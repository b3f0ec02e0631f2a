/**
 * PUT of calendar object resources (RFC 4791 §5.3.2, RFC 9110 §9.3.4 and §13.1), and iCloud's
 * answers where they differ (dossier §5).
 */
import { defineCases, ICLOUD_ONLY, RFC_ONLY } from '../case.js';
import { check, CLIENT_ERROR, describe, expectStatus } from '../http.js';
import { calendar as calendar2, event, propertyValues, veventLines, vtodo } from '../ical.js';
import { calendarQueryBody, foundNames, nameOf, sameEtag, show } from './common.js';

const uidIn = (ics: string) => propertyValues(ics, 'UID')[0];

export const putCases = defineCases('put', [
  {
    id: 'put.create',
    title: 'RFC 4791 §5.3.2, RFC 9110 §9.3.4: PUT of a new calendar object → 201 Created with an ETag',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const res = await ctx.put(`${calendar}new.ics`, event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      expectStatus(res, 201, 'PUT of a new object');
      check(res.headers.get('etag'), `${describe(res)}: no ETag header`);
    },
  },
  {
    id: 'put.if-none-match-existing',
    title: 'RFC 9110 §13.1.2: PUT with If-None-Match: * on an existing object → 412, the object unchanged',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const uid = ctx.uniqueName('uid');
      const object = await ctx.createObject(calendar, 'once.ics', event({ uid, start: '20270201T100000Z', end: '20270201T110000Z', summary: 'Original' }));
      const res = await ctx.put(object.url, event({ uid, start: '20270201T100000Z', end: '20270201T110000Z', summary: 'Overwritten' }), { 'If-None-Match': '*' });
      expectStatus(res, 412, 'PUT If-None-Match: * on an existing object');
      const get = await ctx.request('GET', object.url);
      check(propertyValues(get.text, 'SUMMARY')[0] === 'Original', `GET ${object.url}: the object changed despite the 412`);
    },
  },
  {
    id: 'put.update-if-match',
    title: 'RFC 9110 §13.1.1: PUT with the current ETag in If-Match updates the object (2xx) and its ETag changes',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const uid = ctx.uniqueName('uid');
      const object = await ctx.createObject(calendar, 'update.ics', event({ uid, start: '20270201T100000Z', end: '20270201T110000Z', summary: 'Before' }));
      const res = await ctx.put(object.url, event({ uid, start: '20270201T100000Z', end: '20270201T120000Z', summary: 'After' }), { 'If-Match': object.etag });
      expectStatus(res, [200, 201, 204], 'PUT If-Match with the current etag');
      const etag = res.headers.get('etag') ?? (await ctx.etagOf(object.url));
      check(!sameEtag(etag, object.etag), `PUT ${object.url}: the ETag did not change on update (${etag})`);
      const get = await ctx.request('GET', object.url);
      check(propertyValues(get.text, 'SUMMARY')[0] === 'After', `GET ${object.url}: the update is not stored`);
    },
  },
  {
    id: 'put.stale-if-match',
    title: 'RFC 9110 §13.1.1: PUT with a stale ETag in If-Match → 412, the newer object unchanged',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const uid = ctx.uniqueName('uid');
      const object = await ctx.createObject(calendar, 'stale.ics', event({ uid, start: '20270201T100000Z', end: '20270201T110000Z', summary: 'One' }));
      const update = await ctx.put(object.url, event({ uid, start: '20270201T100000Z', end: '20270201T110000Z', summary: 'Two' }), { 'If-Match': object.etag });
      expectStatus(update, [200, 201, 204], 'PUT If-Match with the current etag');
      const res = await ctx.put(object.url, event({ uid, start: '20270201T100000Z', end: '20270201T110000Z', summary: 'Three' }), { 'If-Match': object.etag });
      expectStatus(res, 412, 'PUT If-Match with the stale (first) etag');
      const get = await ctx.request('GET', object.url);
      check(propertyValues(get.text, 'SUMMARY')[0] === 'Two', `GET ${object.url}: the stale write got through`);
    },
  },
  {
    id: 'put.invalid-icalendar',
    title: 'RFC 4791 §5.3.2.1 (C:valid-calendar-data): PUT of text that is not iCalendar → 4xx, nothing stored',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const url = `${calendar}broken.ics`;
      const res = await ctx.put(url, 'BEGIN:VCALENDAR\r\nthis is not iCalendar at all\r\nBEGIN:VEVENT\r\n');
      expectStatus(res, CLIENT_ERROR, 'PUT of invalid iCalendar');
      const get = await ctx.request('GET', url);
      expectStatus(get, 404, 'GET where the invalid object would be');
    },
  },
  {
    id: 'put.stored-and-returned',
    title: 'RFC 4791 §5.3.2, RFC 5545 §3.1: the stored object comes back on GET with its UID, times, UTF-8 SUMMARY, folded DESCRIPTION and an X- property',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const uid = ctx.uniqueName('uid');
      const ics = event({
        uid,
        start: '20270203T093000Z',
        end: '20270203T101500Z',
        summary: 'Café ☕ 会議 round trip',
        extra: ['DESCRIPTION:Line one\\, with a comma\\nline two', ' and a folded continuation', 'X-CONFORMANCE-NOTE:kept as sent'],
      });
      const object = await ctx.createObject(calendar, 'roundtrip.ics', ics);
      const res = await ctx.request('GET', object.url);
      expectStatus(res, 200, 'GET the object');
      for (const [name, value] of [
        ['UID', uid],
        ['DTSTART', '20270203T093000Z'],
        ['DTEND', '20270203T101500Z'],
        ['SUMMARY', 'Café ☕ 会議 round trip'],
        ['DESCRIPTION', 'Line one\\, with a comma\\nline twoand a folded continuation'],
        ['X-CONFORMANCE-NOTE', 'kept as sent'],
      ]) {
        check(propertyValues(res.text, name)[0] === value, `GET ${object.url}: ${name} is "${propertyValues(res.text, name)[0]}", sent "${value}"`);
      }
    },
  },
  {
    id: 'put.if-match-missing',
    title: 'RFC 9110 §13.1.1: PUT with If-Match on an object that does not exist → 412, nothing created',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const url = `${calendar}not-yet.ics`;
      const res = await ctx.put(url, event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }), { 'If-Match': '"no-such-etag"' });
      expectStatus(res, 412, 'PUT If-Match on a missing object');
      expectStatus(await ctx.request('GET', url), 404, 'GET where the refused object would be');
    },
  },
  {
    id: 'put.unsupported-component',
    title: 'RFC 4791 §5.3.2.1 (C:supported-calendar-component): a VTODO PUT into a VEVENT-only calendar is refused (4xx), nothing stored',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar({ components: ['VEVENT'] });
      const url = `${calendar}task.ics`;
      const res = await ctx.put(url, vtodo(ctx.uniqueName('uid')));
      expectStatus(res, CLIENT_ERROR, 'PUT of a VTODO into a VEVENT calendar');
      expectStatus(await ctx.request('GET', url), 404, 'GET where the refused VTODO would be');
    },
  },
  {
    id: 'put.uid-conflict',
    title: 'RFC 4791 §5.3.2.1 (C:no-uid-conflict): a second resource with a UID already in the calendar is refused (403/409), nothing stored',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const uid = ctx.uniqueName('uid');
      await ctx.createObject(calendar, 'first.ics', event({ uid, start: '20270201T100000Z', end: '20270201T110000Z' }));
      const url = `${calendar}second.ics`;
      const res = await ctx.put(url, event({ uid, start: '20270202T100000Z', end: '20270202T110000Z' }));
      expectStatus(res, [403, 409], 'PUT of a second resource with the same UID');
      expectStatus(await ctx.request('GET', url), 404, 'GET of the refused duplicate');
    },
  },
  {
    id: 'put.two-uids',
    title: 'RFC 4791 §4.1 (C:valid-calendar-object-resource): one resource holding VEVENTs with two different UIDs is refused (4xx), nothing stored',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const url = `${calendar}two-uids.ics`;
      const ics = calendar2(
        veventLines({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }),
        veventLines({ uid: ctx.uniqueName('uid'), start: '20270202T100000Z', end: '20270202T110000Z' }),
      );
      const res = await ctx.put(url, ics);
      expectStatus(res, CLIENT_ERROR, 'PUT of one resource with two UIDs');
      expectStatus(await ctx.request('GET', url), 404, 'GET of the refused resource');
    },
  },
  {
    id: 'put.override-only',
    title: 'RFC 4791 §4.1, RFC 6638 §3.2.6: an object holding only an overridden instance (RECURRENCE-ID, no master), as an invitation to one occurrence, is stored',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const ics = calendar2(veventLines({ uid: ctx.uniqueName('uid'), start: '20270208T140000Z', end: '20270208T150000Z', extra: ['RECURRENCE-ID:20270208T100000Z'] }));
      const res = await ctx.put(`${calendar}one-instance.ics`, ics, { 'If-None-Match': '*' });
      expectStatus(res, 201, 'PUT of an override without its master');
      const { ms } = await ctx.report(calendar, calendarQueryBody({ start: '20270208T133000Z', end: '20270208T143000Z' }), '1', 'calendar-query over the instance');
      check(foundNames(ms, calendar).join() === 'one-instance.ics', `calendar-query 2027-02-08 13:30–14:30Z on ${calendar}: got ${show(foundNames(ms, calendar))}, expected [one-instance.ics]`);
    },
  },
  {
    id: 'put.encoded-name',
    title: 'RFC 3986 §2.1, RFC 4918 §8.3: a resource name with "@" (as python-caldav writes) is listed under an href that decodes to it and can be fetched there',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const name = `20010712T182145Z-${ctx.uniqueName('n')}@example.com.ics`;
      const created = await ctx.createObject(calendar, name, event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const { ms } = await ctx.propfind(calendar, '1', ['D:getetag']);
      const listed = ms.responses.find((r) => nameOf(r.path) === name);
      check(listed, `PROPFIND Depth 1 ${calendar}: no member named ${name} (got ${ms.responses.map((r) => r.href).join(', ')})`);
      const res = await ctx.request('GET', new URL(listed.href, calendar).href);
      expectStatus(res, 200, `GET of the listed href ${listed.href}`);
      check(sameEtag(res.headers.get('etag'), created.etag), `GET ${listed.href}: ETag ${res.headers.get('etag')} is not the PUT's ${created.etag}`);
    },
  },
  {
    id: 'put.missing-calendar',
    title: 'RFC 4918 §9.7.1: PUT into a collection that does not exist → 409 Conflict',
    async run(ctx) {
      const missing = await ctx.freshCalendarUrl();
      const res = await ctx.put(`${missing}orphan.ics`, event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      expectStatus(res, 409, 'PUT into a calendar that does not exist');
    },
  },
  {
    id: 'put.without-dtend',
    title: 'RFC 5545 §3.6.1, RFC 4791 §5.3.2: a VEVENT with DTSTART but neither DTEND nor DURATION is valid and is stored (201)',
    profiles: RFC_ONLY,
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const res = await ctx.put(`${calendar}no-end.ics`, event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z' }));
      expectStatus(res, 201, 'PUT of a VEVENT without DTEND or DURATION');
    },
  },
  {
    id: 'icloud.put.without-dtend-404',
    title: 'iCloud (dossier §5 [S]): a VEVENT with DTSTART but neither DTEND nor DURATION → 404 Not Found, nothing stored',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const url = `${calendar}no-end.ics`;
      const res = await ctx.put(url, event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z' }));
      expectStatus(res, 404, 'PUT of a VEVENT without DTEND or DURATION');
      expectStatus(await ctx.request('GET', url), 404, 'GET where the refused object would be');
    },
  },
  {
    id: 'icloud.put.verbatim',
    title: 'iCloud (dossier §5 [S]): GET returns the uploaded iCalendar byte for byte (CRLF line endings)',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const ics = event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z', extra: ['X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC', 'TRANSP:OPAQUE'] });
      const object = await ctx.createObject(calendar, 'verbatim.ics', ics);
      const res = await ctx.request('GET', object.url);
      expectStatus(res, 200, 'GET the object');
      check(res.text === ics, `GET ${object.url}: the body differs from what was PUT (UID ${uidIn(res.text)}; ${res.text.length} vs ${ics.length} characters)`);
    },
  },
  {
    id: 'icloud.put.etag-format',
    title: 'iCloud (dossier §5 [S]): the ETag is a quoted 8-character lower-case base-36 string such as "lnbuozw4"',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const object = await ctx.createObject(calendar, 'etag-format.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      check(/^"[0-9a-z]{8}"$/.test(object.etag), `PUT ${object.url}: ETag ${object.etag} is not a quoted 8-character base-36 string`);
    },
  },
]);
