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
