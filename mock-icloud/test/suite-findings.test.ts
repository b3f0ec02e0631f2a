/**
 * The four failures outside test suites found on the mock (issue 11), each reproduced on the wire:
 * python-caldav's functional suite, vdirsyncer's storage tests and Apple's CalDAVTester.
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
const put = (path: string, body: string) => partition(mock).put(path).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar; charset=utf-8').send(body);
const report = (path: string, body: string, depth = '1') => partition(mock).report(path).set('Authorization', aliceAuth).set('Depth', depth).set('Content-Type', 'text/xml').send(body);

/** RFC 5545 §3.6.1's own example shape: an all-day anniversary with neither DTEND nor DURATION. */
const ANNIVERSARY = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//python-caldav tests//EN',
  'BEGIN:VEVENT',
  'UID:anniversary-1@example.com',
  'DTSTAMP:20261121T090000Z',
  'DTSTART;VALUE=DATE:19970102',
  'RRULE:FREQ=YEARLY',
  'SUMMARY:Our Anniversary',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

describe('all-day event without DTEND or DURATION (python-caldav, CalDAVTester reports setup)', () => {
  it('[F-allday-no-end] is stored (RFC 5545 §3.6.1: one day long); iCloud 404s only timed events without an end', async () => {
    const res = await put(`${home}anniversary.ics`, ANNIVERSARY);
    expect(res.status).toBe(201);
    const got = await partition(mock).get(`${home}anniversary.ics`).set('Authorization', aliceAuth);
    expect(got.text).toBe(ANNIVERSARY);
    // It occupies exactly its day each year, in the calendar's zone (Europe/London in the demo).
    const q = (start: string, end: string) =>
      `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="${start}" end="${end}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
    expect(texts((await report(home, q('20270102T120000Z', '20270102T130000Z'))).text, 'href')).toContain(`${home}anniversary.ics`);
    expect(texts((await report(home, q('20270103T000000Z', '20270104T000000Z'))).text, 'href')).not.toContain(`${home}anniversary.ics`);
  });

  it('[F-allday-no-end] still answers 404 to a timed event without an end, in the master or an override', async () => {
    const timed = ANNIVERSARY.replace('DTSTART;VALUE=DATE:19970102', 'DTSTART:19970102T090000Z');
    expect((await put(`${home}timed.ics`, timed)).status).toBe(404);
  });
});
