/**
 * REPORTs: calendar-query with time ranges (RFC 4791 §7.8, §9.9), calendar-multiget (RFC 4791
 * §7.9), sync-collection (RFC 6578), and iCloud's extra collection response (dossier §4).
 */
import { defineCases, ICLOUD_ONLY, RFC_ONLY } from '../case.js';
import type { CaseContext } from '../context.js';
import { XML_HEADERS } from '../context.js';
import { check, describe, expectStatus } from '../http.js';
import { event, propertyValues, weeklyAcrossDst, weeklyWithExdateAndOverride } from '../ical.js';
import { DAV, findProp, namesPrecondition, okProp, pathOf, responseFor } from '../xml.js';
import {
  calendarDataOf,
  calendarQueryBody,
  calendarQueryWith,
  etagOf,
  foundNames,
  hrefPath,
  isSelf,
  members,
  multigetBody,
  nameOf,
  requireToken,
  sameEtag,
  sameSet,
  show,
  syncBody,
} from './common.js';

async function query(ctx: CaseContext, calendar: string, start: string, end: string): Promise<string[]> {
  const { ms } = await ctx.report(calendar, calendarQueryBody({ start, end }), '1', `calendar-query ${start}–${end}`);
  return foundNames(ms, calendar);
}

async function expectQuery(ctx: CaseContext, calendar: string, start: string, end: string, expected: string[], why: string): Promise<void> {
  const got = await query(ctx, calendar, start, end);
  check(sameSet(got, expected), `calendar-query ${start}–${end} (${why}) on ${calendar}: got ${show(got)}, expected ${show(expected)}`);
}

/** Two events a/b for the sync cases, and the initial sync's token. */
async function syncedCalendar(ctx: CaseContext) {
  const calendar = await ctx.scratchCalendar();
  const uidA = ctx.uniqueName('uid');
  const a = await ctx.createObject(calendar, 'a.ics', event({ uid: uidA, start: '20270201T100000Z', end: '20270201T110000Z' }));
  const b = await ctx.createObject(calendar, 'b.ics', event({ uid: ctx.uniqueName('uid'), start: '20270202T100000Z', end: '20270202T110000Z' }));
  const { ms } = await ctx.report(calendar, syncBody(''), '0', 'sync-collection (initial)');
  return { calendar, a, b, uidA, token: requireToken(ms, 'initial sync-collection'), initial: ms };
}

export const calendarQueryCases = defineCases('calendar-query', [
  {
    id: 'calendar-query.time-range',
    title: 'RFC 4791 §7.8, §9.9: calendar-query with a VEVENT time-range returns exactly the overlapping event, with getetag and calendar-data',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const uid = ctx.uniqueName('uid');
      await ctx.createObject(calendar, 'april-1.ics', event({ uid: ctx.uniqueName('uid'), start: '20270401T100000Z', end: '20270401T110000Z' }));
      await ctx.createObject(calendar, 'april-2.ics', event({ uid: ctx.uniqueName('uid'), start: '20270402T100000Z', end: '20270402T110000Z' }));
      const may = await ctx.createObject(calendar, 'may-2.ics', event({ uid, start: '20270502T100000Z', end: '20270502T110000Z' }));
      const { ms } = await ctx.report(calendar, calendarQueryBody({ start: '20270501T000000Z', end: '20270504T000000Z' }, '<D:getetag/><C:calendar-data/>'), '1', 'calendar-query May 1–4');
      const names = foundNames(ms, calendar);
      check(sameSet(names, ['may-2.ics']), `calendar-query 2027-05-01..05-04 on ${calendar}: got ${show(names)}, expected [may-2.ics]`);
      const r = responseFor(ms, pathOf(may.url, may.url));
      check(sameEtag(etagOf(r), may.etag), `calendar-query: getetag ${etagOf(r)} differs from the PUT's ${may.etag}`);
      check(propertyValues(calendarDataOf(r) ?? '', 'UID')[0] === uid, `calendar-query: calendar-data of may-2.ics does not hold UID ${uid}`);
    },
  },
  {
    id: 'calendar-query.recurring',
    title: "RFC 4791 §9.9: time-range on a weekly event matches its instances and RDATE, not an EXDATE'd one, and an override at its new time only",
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'weekly.ics', weeklyWithExdateAndOverride(ctx.uniqueName('uid')));
      await expectQuery(ctx, calendar, '20270111T090000Z', '20270111T120000Z', ['weekly.ics'], 'an ordinary second instance');
      await expectQuery(ctx, calendar, '20270118T090000Z', '20270118T120000Z', [], "the EXDATE'd third instance");
      await expectQuery(ctx, calendar, '20270127T140000Z', '20270127T170000Z', ['weekly.ics'], 'the fourth instance, moved by its override to Wednesday 15:00');
      await expectQuery(ctx, calendar, '20270125T090000Z', '20270125T120000Z', [], "the fourth instance's original Monday slot, vacated by the override");
      await expectQuery(ctx, calendar, '20270208T090000Z', '20270208T120000Z', ['weekly.ics'], 'the last (sixth) instance');
      await expectQuery(ctx, calendar, '20270215T000000Z', '20270301T000000Z', [], 'after COUNT=6 ran out, before the RDATE');
      await expectQuery(ctx, calendar, '20270301T090000Z', '20270301T120000Z', ['weekly.ics'], 'the extra RDATE instance');
      await expectQuery(ctx, calendar, '20261201T000000Z', '20270104T095900Z', [], 'before the first instance');
    },
  },
  {
    id: 'calendar-query.all-day',
    title: 'RFC 4791 §9.9: an all-day event (DTSTART;VALUE=DATE, exclusive DTEND) matches a range inside its day and not the days around it',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'all-day.ics', event({ uid: ctx.uniqueName('uid'), start: '20270310', end: '20270311', date: true, extra: ['TRANSP:TRANSPARENT'] }));
      // Ranges sit far enough from midnight that any calendar time zone (±14h) gives the same answer.
      await expectQuery(ctx, calendar, '20270310T100000Z', '20270310T140000Z', ['all-day.ics'], 'midday on the day');
      await expectQuery(ctx, calendar, '20270312T100000Z', '20270313T000000Z', [], 'two days later');
      await expectQuery(ctx, calendar, '20270308T000000Z', '20270308T100000Z', [], 'two days earlier');
    },
  },
  {
    id: 'calendar-query.time-range-boundaries',
    title: 'RFC 4791 §9.9: overlap is start < DTEND and end > DTSTART, so ranges that only touch an event do not match',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'hour.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      await expectQuery(ctx, calendar, '20270201T110000Z', '20270201T120000Z', [], "starting at the event's end");
      await expectQuery(ctx, calendar, '20270201T090000Z', '20270201T100000Z', [], "ending at the event's start");
      await expectQuery(ctx, calendar, '20270201T105900Z', '20270201T110000Z', ['hour.ics'], "the event's last minute");
      await expectQuery(ctx, calendar, '20270201T101500Z', '20270201T103000Z', ['hour.ics'], 'inside the event');
      await expectQuery(ctx, calendar, '20270201T000000Z', '20270202T000000Z', ['hour.ics'], 'containing the event');
    },
  },
  {
    id: 'calendar-query.duration',
    title: 'RFC 4791 §9.9: an event with DURATION instead of DTEND spans DTSTART + DURATION',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'two-hours.ics', event({ uid: ctx.uniqueName('uid'), start: '20270203T100000Z', extra: ['DURATION:PT2H'] }));
      await expectQuery(ctx, calendar, '20270203T113000Z', '20270203T123000Z', ['two-hours.ics'], 'the second hour');
      await expectQuery(ctx, calendar, '20270203T120000Z', '20270203T130000Z', [], 'after DTSTART + PT2H');
    },
  },
  {
    id: 'calendar-query.open-ended',
    title: 'RFC 4791 §9.9: a time-range with only start (or only end) is open on the other side',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'event.ics', event({ uid: ctx.uniqueName('uid'), start: '20270204T100000Z', end: '20270204T110000Z' }));
      const ask = async (attrs: string, expected: string[], why: string) => {
        const { ms } = await ctx.report(calendar, calendarQueryWith(`<C:time-range ${attrs}/>`), '1', `calendar-query time-range ${attrs}`);
        const got = foundNames(ms, calendar);
        check(sameSet(got, expected), `calendar-query <time-range ${attrs}/> (${why}) on ${calendar}: got ${show(got)}, expected ${show(expected)}`);
      };
      await ask('start="20270204T103000Z"', ['event.ics'], 'from the middle of the event on');
      await ask('start="20270204T110000Z"', [], "from the event's end on");
      await ask('end="20270204T100100Z"', ['event.ics'], 'until a minute into the event');
      await ask('end="20270204T100000Z"', [], "until the event's start");
    },
  },
  {
    id: 'calendar-query.recurring-timezone',
    title: 'RFC 4791 §9.9, RFC 5545 §3.2.19: a weekly TZID=Europe/London event keeps 09:00 local across the DST change (09:00Z, then 08:00Z)',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'london.ics', weeklyAcrossDst(ctx.uniqueName('uid')));
      await expectQuery(ctx, calendar, '20270322T090000Z', '20270322T093000Z', ['london.ics'], 'second instance, GMT: 09:00Z');
      await expectQuery(ctx, calendar, '20270329T080000Z', '20270329T083000Z', ['london.ics'], 'third instance, BST: 08:00Z');
      await expectQuery(ctx, calendar, '20270329T090000Z', '20270329T093000Z', [], 'third instance at the GMT hour it no longer has');
      await expectQuery(ctx, calendar, '20270405T081500Z', '20270405T083000Z', ['london.ics'], 'fourth instance, BST');
      await expectQuery(ctx, calendar, '20270412T070000Z', '20270412T120000Z', [], 'after COUNT=4');
    },
  },
  {
    id: 'calendar-query.floating',
    title: 'RFC 4791 §9.9, RFC 5545 §3.3.5: a floating-time event (no Z, no TZID) is matched on its local day, whatever zone the server assumes',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'floating.ics', event({ uid: ctx.uniqueName('uid'), start: '20270206T100000', end: '20270206T110000' }));
      // 10:00 local is between Feb 5 20:00Z (UTC+14) and Feb 6 22:00Z (UTC-12).
      await expectQuery(ctx, calendar, '20270205T120000Z', '20270207T000000Z', ['floating.ics'], 'around its day in any zone');
      await expectQuery(ctx, calendar, '20270207T120000Z', '20270208T120000Z', [], 'the day after, in any zone');
    },
  },
  {
    id: 'calendar-query.recurring-all-day',
    title: 'RFC 4791 §9.9: a yearly all-day event (a birthday) matches on its day in later years and not the day after',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'birthday.ics', event({ uid: ctx.uniqueName('uid'), start: '20270612', end: '20270613', date: true, extra: ['RRULE:FREQ=YEARLY', 'TRANSP:TRANSPARENT'] }));
      await expectQuery(ctx, calendar, '20290612T100000Z', '20290612T140000Z', ['birthday.ics'], 'the day, two years on');
      await expectQuery(ctx, calendar, '20290614T000000Z', '20290615T000000Z', [], 'two days after it, two years on');
    },
  },
  {
    id: 'calendar-query.text-match',
    title: 'RFC 4791 §9.7.5: a prop-filter text-match on SUMMARY (i;ascii-casemap, substring), and its negate-condition',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'budget.ics', event({ uid: ctx.uniqueName('uid'), start: '20270205T100000Z', end: '20270205T110000Z', summary: 'Quarterly BUDGET review' }));
      await ctx.createObject(calendar, 'lunch.ics', event({ uid: ctx.uniqueName('uid'), start: '20270205T120000Z', end: '20270205T130000Z', summary: 'Lunch' }));
      for (const [negate, expected] of [
        ['no', ['budget.ics']],
        ['yes', ['lunch.ics']],
      ] as const) {
        const filter = `<C:prop-filter name="SUMMARY"><C:text-match collation="i;ascii-casemap" negate-condition="${negate}">budget</C:text-match></C:prop-filter>`;
        const { ms } = await ctx.report(calendar, calendarQueryWith(filter), '1', `calendar-query SUMMARY text-match negate=${negate}`);
        const got = foundNames(ms, calendar);
        check(sameSet(got, [...expected]), `calendar-query SUMMARY text-match "budget" negate-condition=${negate} on ${calendar}: got ${show(got)}, expected ${show([...expected])}`);
      }
    },
  },
  {
    id: 'calendar-query.objects-only',
    title: 'RFC 4791 §7.8: the answer has responses for matching calendar object resources only, not for the collection itself',
    profiles: RFC_ONLY,
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'one.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const { ms, res } = await ctx.report(calendar, calendarQueryBody(undefined), '1', 'calendar-query (all VEVENTs)');
      check(!ms.responses.some((r) => isSelf(r, calendar)), `${describe(res)}: the collection itself is among the responses`);
      check(sameSet(foundNames(ms, calendar), ['one.ics']), `${describe(res)}: expected only one.ics`);
    },
  },
  {
    id: 'icloud.calendar-query.collection-response',
    title: 'iCloud (dossier §4 [S]): calendar-query answers include the calendar collection itself as an extra response, without calendar-data',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'one.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const { ms, res } = await ctx.report(calendar, calendarQueryBody(undefined, '<D:getetag/><C:calendar-data/>'), '1', 'calendar-query (all VEVENTs)');
      const self = ms.responses.find((r) => isSelf(r, calendar));
      check(self, `${describe(res)}: no response for the collection itself`);
      check(calendarDataOf(self) === undefined, `${describe(res)}: the collection's response carries calendar-data`);
      check(sameSet(foundNames(ms, calendar), ['one.ics']), `${describe(res)}: expected one.ics beside the collection`);
    },
  },
]);

export const multigetCases = defineCases('calendar-multiget', [
  {
    id: 'calendar-multiget.found-and-missing',
    title: 'RFC 4791 §7.9: calendar-multiget returns getetag and calendar-data per href, and a 404 for an href that does not exist',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const uidA = ctx.uniqueName('uid');
      const uidB = ctx.uniqueName('uid');
      const a = await ctx.createObject(calendar, 'a.ics', event({ uid: uidA, start: '20270201T100000Z', end: '20270201T110000Z' }));
      const b = await ctx.createObject(calendar, 'b.ics', event({ uid: uidB, start: '20270202T100000Z', end: '20270202T110000Z' }));
      const missing = `${calendar}missing.ics`;
      const { ms, res } = await ctx.report(calendar, multigetBody([hrefPath(a.url), hrefPath(missing), hrefPath(b.url)]), '1', 'calendar-multiget');
      for (const [object, uid] of [
        [a, uidA],
        [b, uidB],
      ] as const) {
        const r = responseFor(ms, pathOf(object.url, object.url));
        check(r, `${describe(res)}: no response for ${nameOf(object.url)}`);
        check(sameEtag(etagOf(r), object.etag), `${describe(res)}: getetag of ${nameOf(object.url)} is ${etagOf(r)}, PUT gave ${object.etag}`);
        check(propertyValues(calendarDataOf(r) ?? '', 'UID')[0] === uid, `${describe(res)}: calendar-data of ${nameOf(object.url)} lacks UID ${uid}`);
      }
      const gone = responseFor(ms, pathOf(missing, missing));
      check(gone, `${describe(res)}: no response for the missing href`);
      const notFound = gone.status === 404 || (gone.propstats.length > 0 && gone.propstats.every((p) => p.status === 404));
      check(notFound, `${describe(res)}: the missing href is not answered 404 (status ${gone.status ?? '-'}, propstats ${gone.propstats.map((p) => p.status).join(',')})`);
    },
  },
  {
    id: 'calendar-multiget.absolute-href',
    title: 'RFC 4791 §7.9, RFC 4918 §8.3: calendar-multiget accepts an absolute URL as DAV:href',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      const uid = ctx.uniqueName('uid');
      const a = await ctx.createObject(calendar, 'absolute.ics', event({ uid, start: '20270201T100000Z', end: '20270201T110000Z' }));
      const { ms, res } = await ctx.report(calendar, multigetBody([a.url]), '1', 'calendar-multiget with an absolute href');
      const r = responseFor(ms, pathOf(a.url, a.url));
      check(r, `${describe(res)}: no response for ${a.url}`);
      check(
        propertyValues(calendarDataOf(r) ?? '', 'UID')[0] === uid,
        `${describe(res)}: no calendar-data with UID ${uid} for the absolute href (status ${r.status ?? '-'}, propstats ${r.propstats.map((p) => p.status).join(',')})`,
      );
    },
  },
]);

export const syncCollectionCases = defineCases('sync-collection', [
  {
    id: 'sync-collection.initial',
    title: 'RFC 6578 §3.4: an initial sync-collection (empty token) lists every member with its getetag, and a sync-token',
    async run(ctx) {
      const { calendar, a, b, initial } = await syncedCalendar(ctx);
      const names = foundNames(initial, calendar);
      check(sameSet(names, ['a.ics', 'b.ics']), `initial sync-collection on ${calendar}: members ${show(names)}, expected [a.ics, b.ics]`);
      for (const object of [a, b]) {
        const etag = etagOf(responseFor(initial, pathOf(object.url, object.url)));
        check(sameEtag(etag, object.etag), `initial sync-collection: getetag of ${nameOf(object.url)} is ${etag}, PUT gave ${object.etag}`);
      }
    },
  },
  {
    id: 'sync-collection.incremental',
    title: 'RFC 6578 §3.5: sync-collection with the previous token lists only the members added or changed since, and a new token',
    async run(ctx) {
      const { calendar, a, uidA, token } = await syncedCalendar(ctx);
      const changed = await ctx.put(a.url, event({ uid: uidA, start: '20270201T100000Z', end: '20270201T113000Z', summary: 'Changed' }), { 'If-Match': a.etag });
      expectStatus(changed, [200, 201, 204], 'PUT update of a.ics');
      await ctx.createObject(calendar, 'c.ics', event({ uid: ctx.uniqueName('uid'), start: '20270203T100000Z', end: '20270203T110000Z' }));
      const { ms } = await ctx.report(calendar, syncBody(token), '0', 'sync-collection (incremental)');
      const names = foundNames(ms, calendar);
      check(sameSet(names, ['a.ics', 'c.ics']), `incremental sync-collection on ${calendar}: got ${show(names)}, expected [a.ics, c.ics] (b.ics did not change)`);
      const newEtag = changed.headers.get('etag') ?? (await ctx.etagOf(a.url));
      const reported = etagOf(responseFor(ms, pathOf(a.url, a.url)));
      check(sameEtag(reported, newEtag), `incremental sync-collection: a.ics is reported with getetag ${reported}, the update gave ${newEtag}`);
      const next = requireToken(ms, 'incremental sync-collection');
      check(next !== token, `incremental sync-collection: the token did not move (${token})`);
      const { ms: quiet } = await ctx.report(calendar, syncBody(next), '0', 'sync-collection (nothing changed)');
      check(foundNames(quiet, calendar).length === 0, `sync-collection with the newest token: got ${show(foundNames(quiet, calendar))}, expected nothing`);
    },
  },
  {
    id: 'sync-collection.deletion',
    title: 'RFC 6578 §3.5.2: a member deleted since the token is reported as a response with status 404 and no propstat',
    async run(ctx) {
      const { calendar, b, token } = await syncedCalendar(ctx);
      expectStatus(await ctx.request('DELETE', b.url), [200, 204], 'DELETE b.ics');
      const { ms, res } = await ctx.report(calendar, syncBody(token), '0', 'sync-collection after a DELETE');
      const r = responseFor(ms, pathOf(b.url, b.url));
      check(r, `${describe(res)}: the deleted b.ics is not reported`);
      check(r.status === 404 && r.propstats.length === 0, `${describe(res)}: b.ics is reported with status ${r.status ?? '-'} and ${r.propstats.length} propstat(s), expected status 404 and none`);
      check(foundNames(ms, calendar).length === 0, `${describe(res)}: unchanged members reported: ${show(foundNames(ms, calendar))}`);
    },
  },
  {
    id: 'sync-collection.property-token',
    title: 'RFC 6578 §4: the DAV:sync-token property is a token sync-collection accepts: nothing new at first, then exactly what changed',
    async run(ctx) {
      const calendar = await ctx.scratchCalendar();
      await ctx.createObject(calendar, 'a.ics', event({ uid: ctx.uniqueName('uid'), start: '20270201T100000Z', end: '20270201T110000Z' }));
      const token = okProp((await ctx.propfind(calendar, '0', ['D:sync-token'])).ms.responses[0], DAV, 'sync-token')?.text.trim();
      check(token, `PROPFIND ${calendar}: no DAV:sync-token`);
      const { ms: quiet } = await ctx.report(calendar, syncBody(token), '0', 'sync-collection with the property token');
      check(foundNames(quiet, calendar).length === 0, `sync-collection with the PROPFIND token on ${calendar}: got ${show(foundNames(quiet, calendar))}, expected nothing`);
      await ctx.createObject(calendar, 'b.ics', event({ uid: ctx.uniqueName('uid'), start: '20270202T100000Z', end: '20270202T110000Z' }));
      const { ms } = await ctx.report(calendar, syncBody(token), '0', 'sync-collection with the property token after a PUT');
      check(sameSet(foundNames(ms, calendar), ['b.ics']), `sync-collection with the PROPFIND token after a PUT on ${calendar}: got ${show(foundNames(ms, calendar))}, expected [b.ics]`);
    },
  },
  {
    id: 'sync-collection.members-only',
    title: 'RFC 6578 §3.4–§3.5: sync-collection reports member resources only, not the collection itself',
    profiles: RFC_ONLY,
    async run(ctx) {
      const { calendar, initial } = await syncedCalendar(ctx);
      check(members(initial, calendar).length === initial.responses.length, `initial sync-collection on ${calendar}: the collection itself is among the responses`);
    },
  },
  {
    id: 'sync-collection.token-is-uri',
    title: 'RFC 6578 §3.2, §4: a sync token is a URI (scheme ":" …)',
    profiles: RFC_ONLY,
    async run(ctx) {
      const { token } = await syncedCalendar(ctx);
      check(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(token), `sync-collection: the token "${token}" is not a URI`);
    },
  },
  {
    id: 'sync-collection.invalid-token',
    title: 'RFC 6578 §3.2: an unknown sync token fails with 403 or 409 naming the DAV:valid-sync-token precondition',
    profiles: RFC_ONLY,
    async run(ctx) {
      const { calendar, token } = await syncedCalendar(ctx);
      const res = await ctx.request('REPORT', calendar, { headers: { Depth: '0', ...XML_HEADERS }, body: syncBody(bogusToken(token)) });
      expectStatus(res, [403, 409], 'sync-collection with an unknown token');
      check(namesPrecondition(res.text, DAV, 'valid-sync-token'), `${describe(res)}: the body does not name DAV:valid-sync-token`);
    },
  },
  {
    id: 'icloud.sync-collection.collection-response',
    title: 'iCloud (dossier §4 [S]): sync-collection answers include the collection itself with its own getetag',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const { calendar, initial } = await syncedCalendar(ctx);
      const self = initial.responses.find((r) => isSelf(r, calendar));
      check(self, `initial sync-collection on ${calendar}: no response for the collection itself`);
      check(okProp(self, DAV, 'getetag')?.text.trim(), `initial sync-collection on ${calendar}: the collection's response has no getetag (${findProp(self, DAV, 'getetag')?.status ?? 'absent'})`);
    },
  },
  {
    id: 'icloud.sync-collection.token-format',
    title: 'iCloud (dossier §3 [S]): sync tokens are opaque base64 starting "HwoQEgwAA"',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const { token } = await syncedCalendar(ctx);
      check(/^HwoQEgwAA[A-Za-z0-9+/]*={0,2}$/.test(token), `sync-collection: token "${token}" is not iCloud's HwoQEgwAA… base64`);
    },
  },
  {
    id: 'icloud.sync-collection.invalid-token',
    title: 'iCloud (dossier §4 [R], KashCal and Mailspring handle it): an unknown sync token gets a bare 403, no valid-sync-token body',
    profiles: ICLOUD_ONLY,
    async run(ctx) {
      const { calendar, token } = await syncedCalendar(ctx);
      const res = await ctx.request('REPORT', calendar, { headers: { Depth: '0', ...XML_HEADERS }, body: syncBody(bogusToken(token)) });
      expectStatus(res, 403, 'sync-collection with an unknown token');
      check(!namesPrecondition(res.text, DAV, 'valid-sync-token'), `${describe(res)}: the body names valid-sync-token; iCloud's 403 is bare`);
    },
  },
]);

/**
 * A token the server never issued, in the shape of one it did (so the server has to look it up
 * rather than reject its syntax): the real token with its last characters changed.
 */
function bogusToken(real: string): string {
  const keep = real.replace(/[A-Za-z0-9]{1,6}(=*)$/, (m, pad: string) => `${'0'.repeat(m.length - pad.length)}${pad}`);
  return keep === real ? `${real}0` : keep;
}
