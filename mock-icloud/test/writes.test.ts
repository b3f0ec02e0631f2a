/**
 * PUT, GET, DELETE, MKCALENDAR and PROPPATCH on the wire (dossier §5).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, alicePut, partition, startDemo, texts, vevent } from './helpers.js';

let mock: RunningMockICloud;
beforeEach(async () => {
  mock = await startDemo();
});
afterEach(() => mock.close());

const home = `/${ALICE.dsid}/calendars/home/`;
const put = (path: string, body: string) => alicePut(mock, path, body);
const ctagOf = async (path: string) => {
  const res = await partition(mock)
    .propfind(path)
    .set('Authorization', aliceAuth)
    .set('Depth', '0')
    .send('<propfind xmlns="DAV:"><prop><getctag xmlns="http://calendarserver.org/ns/"/></prop></propfind>');
  return texts(res.text, 'getctag')[0];
};

describe('PUT', () => {
  it('creates with 201 and a quoted base-36 ETag, then updates with If-Match and 204', async () => {
    const before = await ctagOf(home);
    const created = await put(`${home}new-1.ics`, vevent('NEW-1')).set('If-None-Match', '*');
    expect(created.status).toBe(201);
    expect(created.headers.etag).toMatch(/^"[0-9a-z]{8}"$/);
    expect(await ctagOf(home)).not.toBe(before);

    const updated = await put(`${home}new-1.ics`, vevent('NEW-1', '20261201T120000Z', '20261201T130000Z')).set('If-Match', created.headers.etag);
    expect(updated.status).toBe(204);
    expect(updated.headers.etag).not.toBe(created.headers.etag);
    const got = await partition(mock).get(`${home}new-1.ics`).set('Authorization', aliceAuth);
    expect(got.headers.etag).toBe(updated.headers.etag);
    expect(got.text).toContain('DTSTART:20261201T120000Z');
  });

  it('answers 412 to a stale If-Match and to If-None-Match: * on an existing resource, changing nothing', async () => {
    const created = await put(`${home}new-2.ics`, vevent('NEW-2')).set('If-None-Match', '*');
    await put(`${home}new-2.ics`, vevent('NEW-2', '20261202T100000Z', '20261202T110000Z')).set('If-Match', created.headers.etag);
    const stale = await put(`${home}new-2.ics`, vevent('NEW-2', '20261203T100000Z', '20261203T110000Z')).set('If-Match', created.headers.etag);
    expect(stale.status).toBe(412);
    const clash = await put(`${home}new-2.ics`, vevent('NEW-2')).set('If-None-Match', '*');
    expect(clash.status).toBe(412);
    expect(mock.control.getEvent(ALICE.appleId, 'home', 'new-2.ics').data).toContain('DTSTART:20261202T100000Z');
  });

  it('stores the body as sent, with line endings normalised to CRLF', async () => {
    const lf = vevent('LF-1').replace(/\r\n/g, '\n') + 'X-TRAILING-UNKNOWN:kept\n';
    const body = lf.replace('END:VCALENDAR\nX-TRAILING-UNKNOWN:kept\n', 'X-APPLE-UNKNOWN;X-P=1:kept\nEND:VCALENDAR\n');
    expect((await put(`${home}lf.ics`, body)).status).toBe(201);
    const got = await partition(mock).get(`${home}lf.ics`).set('Authorization', aliceAuth);
    expect(got.text).toBe(body.replace(/\n/g, '\r\n'));
    expect(got.headers['content-type']).toMatch(/^text\/calendar/);
  });

  it('refuses a VEVENT with DTSTART but neither DTEND nor DURATION with 404, as iCloud does', async () => {
    const noEnd = vevent('NO-END').replace('DTEND:20261201T110000Z\r\n', '');
    const res = await put(`${home}no-end.ics`, noEnd);
    expect(res.status).toBe(404);
    expect(mock.control.listEvents(ALICE.appleId, 'home').map((e) => e.name)).not.toContain('no-end.ics');
    const withDuration = noEnd.replace('SUMMARY:', 'DURATION:PT1H\r\nSUMMARY:');
    expect((await put(`${home}duration.ics`, withDuration)).status).toBe(201);
  });

  it('refuses a component the calendar does not take with 403 supported-calendar-component', async () => {
    const todo = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', 'BEGIN:VTODO', 'UID:TODO-1', 'DTSTAMP:20261121T090000Z', 'SUMMARY:x', 'END:VTODO', 'END:VCALENDAR', ''].join('\r\n');
    const res = await put(`${home}todo.ics`, todo);
    expect(res.status).toBe(403);
    expect(res.text).toContain('supported-calendar-component');
    expect((await put(`/${ALICE.dsid}/calendars/tasks/todo.ics`, todo)).status).toBe(201);
  });

  it('refuses the same UID twice in one account with 403 no-uid-conflict', async () => {
    expect((await put(`${home}a.ics`, vevent('DUP-UID'))).status).toBe(201);
    const res = await put(`/${ALICE.dsid}/calendars/work/b.ics`, vevent('DUP-UID'));
    expect(res.status).toBe(403);
    expect(res.text).toContain('no-uid-conflict');
    expect(res.text).toContain(`${home}a.ics`);
  });

  it('refuses invalid iCalendar with 400 valid-calendar-data and keeps the server up', async () => {
    const res = await put(`${home}bad.ics`, 'BEGIN:VCALENDAR\r\nthis is not icalendar\r\n');
    expect(res.status).toBe(400);
    expect(res.text).toContain('urn:ietf:params:xml:ns:caldav');
    expect((await put(`${home}good.ics`, vevent('AFTER-BAD'))).status).toBe(201);
  });

  it('refuses a non-calendar Content-Type with 415', async () => {
    const res = await partition(mock).put(`${home}x.ics`).set('Authorization', aliceAuth).set('Content-Type', 'application/json').send('{"a":1}');
    expect(res.status).toBe(415);
  });

  it('returns %40 for @ in resource names', async () => {
    expect((await put(`${home}${encodeURIComponent('20010712T182145Z-123401@example.com.ics')}`, vevent('AT-1'))).status).toBe(201);
    const res = await partition(mock).propfind(home).set('Authorization', aliceAuth).set('Depth', '1').send('<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>');
    expect(res.text).toContain(`${home}20010712T182145Z-123401%40example.com.ics`);
  });
});

describe('GET, HEAD and OPTIONS', () => {
  it("HEAD gives GET's headers without a body", async () => {
    const created = await put(`${home}head.ics`, vevent('HEAD-1'));
    const head = await partition(mock).head(`${home}head.ics`).set('Authorization', aliceAuth);
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe(created.headers.etag);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(vevent('HEAD-1'))));
    expect(head.text ?? '').toBe('');
  });

  it('OPTIONS lists the DAV classes and methods', async () => {
    const res = await partition(mock).options(home).set('Authorization', aliceAuth);
    expect(res.status).toBe(200);
    expect(res.headers.dav).toContain('calendar-access');
    expect(res.headers.allow).toContain('REPORT');
  });

  it('GET on a missing object is 404 and on a collection 405', async () => {
    expect((await partition(mock).get(`${home}nope.ics`).set('Authorization', aliceAuth)).status).toBe(404);
    expect((await partition(mock).get(home).set('Authorization', aliceAuth)).status).toBe(405);
  });
});

describe('DELETE', () => {
  it('honours If-Match and answers 204, then 404', async () => {
    const created = await put(`${home}del.ics`, vevent('DEL-1'));
    const stale = await partition(mock).delete(`${home}del.ics`).set('Authorization', aliceAuth).set('If-Match', '"stale"');
    expect(stale.status).toBe(412);
    const ok = await partition(mock).delete(`${home}del.ics`).set('Authorization', aliceAuth).set('If-Match', created.headers.etag);
    expect(ok.status).toBe(204);
    expect((await partition(mock).delete(`${home}del.ics`).set('Authorization', aliceAuth)).status).toBe(404);
  });

  it('deletes a whole calendar with its objects', async () => {
    expect((await partition(mock).delete(`/${ALICE.dsid}/calendars/work/`).set('Authorization', aliceAuth)).status).toBe(204);
    expect(mock.control.listCalendars(ALICE.appleId).map((c) => c.name)).not.toContain('work');
    // The UID it held is free again.
    expect((await put(`${home}pick.ics`, vevent('5D1E2A44-8C0B-4B7E-A3F1-77E0C2B9D416'))).status).toBe(201);
  });
});

describe('MKCALENDAR and PROPPATCH', () => {
  const mkcal = (name: string, comps: string[]) =>
    partition(mock)
      .mkcalendar(`/${ALICE.dsid}/calendars/${name}/`)
      .set('Authorization', aliceAuth)
      .send(
        `<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Made ${name}</D:displayname><C:supported-calendar-component-set>${comps.map((c) => `<C:comp name="${c}"/>`).join('')}</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>`,
      );

  it('creates a calendar with one component type', async () => {
    expect((await mkcal('made-1', ['VTODO'])).status).toBe(201);
    const made = mock.control.listCalendars(ALICE.appleId).find((c) => c.name === 'made-1')!;
    expect(made).toMatchObject({ displayName: 'Made made-1', component: 'VTODO' });
    expect((await mkcal('made-1', ['VEVENT'])).status).toBe(405);
  });

  it('refuses two component types with iCloud 400 HTML', async () => {
    const res = await mkcal('made-2', ['VEVENT', 'VTODO']);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Calendar SupportedCalendarComponentSet length exceeded, only one calendar component type supported');
    expect(mock.control.listCalendars(ALICE.appleId).map((c) => c.name)).not.toContain('made-2');
  });

  it('creates with extended MKCOL as vdirsyncer does', async () => {
    const res = await partition(mock)
      .mkcol(`/${ALICE.dsid}/calendars/made-3/`)
      .set('Authorization', aliceAuth)
      .send('<mkcol xmlns="DAV:"><set><prop><resourcetype><collection/><calendar xmlns="urn:ietf:params:xml:ns:caldav"/></resourcetype><displayname>Three</displayname></prop></set></mkcol>');
    expect(res.status).toBe(201);
    expect(mock.control.listCalendars(ALICE.appleId).find((c) => c.name === 'made-3')).toMatchObject({ displayName: 'Three', component: 'VEVENT' });
  });

  it('changes display name, colour and order, atomically', async () => {
    const patch = (props: string) =>
      partition(mock)
        .proppatch(`/${ALICE.dsid}/calendars/work/`)
        .set('Authorization', aliceAuth)
        .send(`<D:propertyupdate xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop>${props}</D:prop></D:set></D:propertyupdate>`);
    const ok = await patch('<D:displayname>Office</D:displayname><A:calendar-color>#112233</A:calendar-color><A:calendar-order>7</A:calendar-order>');
    expect(ok.status).toBe(207);
    expect(ok.text).toContain('HTTP/1.1 200 OK');
    expect(mock.control.listCalendars(ALICE.appleId).find((c) => c.name === 'work')).toMatchObject({ displayName: 'Office', color: '#112233' });
    const bad = await patch('<D:displayname>Never</D:displayname><D:getetag>"x"</D:getetag>');
    expect(bad.text).toContain('HTTP/1.1 403 Forbidden');
    expect(bad.text).toContain('HTTP/1.1 424 Failed Dependency');
    expect(mock.control.listCalendars(ALICE.appleId).find((c) => c.name === 'work')!.displayName).toBe('Office');
  });
});
