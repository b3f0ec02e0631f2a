/**
 * Behaviours iCloud has that the 2026-11 fidelity review (../shared/reference/icloud-fidelity-2026-11.md)
 * found missing from the mock, on the wire.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, partition, startDemo, texts } from './helpers.js';

let mock: RunningMockICloud;
beforeEach(async () => {
  mock = await startDemo();
});
afterEach(() => mock.close());

const home = `/${ALICE.dsid}/calendars/home/`;
const propfind = (path: string, props: string) =>
  partition(mock).propfind(path).set('Authorization', aliceAuth).set('Depth', '0').send(`<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>${props}</d:prop></d:propfind>`);
const unescape = (s: string) => s.replace(/&#13;/g, '\r').replace(/&#xD;/gi, '\r').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('calendar-timezone (review row 10, dossier §3 [S])', () => {
  it('[F-calendar-timezone] is a whole VCALENDAR with the calendar zone\'s VTIMEZONE, CRLF', async () => {
    const res = await propfind(home, '<c:calendar-timezone/>');
    const value = unescape(texts(res.text, 'calendar-timezone')[0]);
    expect(value.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(value).toContain('BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n');
    expect(value).toContain('END:VCALENDAR');
  });

  it('[F-calendar-timezone] follows a PROPPATCH by the owner; an unknown zone is refused', async () => {
    const patch = (tz: string) =>
      partition(mock)
        .proppatch(home)
        .set('Authorization', aliceAuth)
        .send(`<d:propertyupdate xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><c:calendar-timezone>BEGIN:VCALENDAR&#13;\nVERSION:2.0&#13;\nBEGIN:VTIMEZONE&#13;\nTZID:${tz}&#13;\nEND:VTIMEZONE&#13;\nEND:VCALENDAR&#13;\n</c:calendar-timezone></d:prop></d:set></d:propertyupdate>`);
    expect((await patch('America/New_York')).text).toContain('200 OK');
    expect(unescape(texts((await propfind(home, '<c:calendar-timezone/>')).text, 'calendar-timezone')[0])).toContain('TZID:America/New_York');
    expect((await patch('Mars/Olympus_Mons')).text).toContain('403');
  });
});

describe('events created on iCloud\'s web app (review row 27)', () => {
  it('[F-web-app-tzid] are stored verbatim with their VEVENT-level TZID and found at their real time', async () => {
    const { readFileSync } = await import('node:fs');
    const ics = readFileSync(new URL('../../fixtures/ics/scenarios/web-app-early-shift-berlin-no-vtimezone.ics', import.meta.url), 'utf8').replace(/\r?\n/g, '\r\n');
    const put = await partition(mock).put(`${home}shift.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(ics);
    expect(put.status).toBe(201);
    expect((await partition(mock).get(`${home}shift.ics`).set('Authorization', aliceAuth)).text).toBe(ics);
    const query = (start: string, end: string) =>
      partition(mock)
        .report(home)
        .set('Authorization', aliceAuth)
        .set('Depth', '1')
        .send(`<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="${start}" end="${end}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`);
    // 06:00–14:00 Europe/Berlin on 7 December is 05:00–13:00Z.
    expect((await query('20261207T050000Z', '20261207T051500Z')).text).toContain(`${home}shift.ics`);
    expect((await query('20261207T130000Z', '20261207T140000Z')).text).not.toContain(`${home}shift.ics`);
  });
});
