/**
 * The four failures outside test suites found on the mock (issue 11), each reproduced on the wire:
 * python-caldav's functional suite, vdirsyncer's storage tests and Apple's CalDAVTester.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, alicePut, aliceReport, partition, startDemo, texts } from './helpers.js';

let mock: RunningMockICloud;
beforeEach(async () => {
  mock = await startDemo();
});
afterEach(() => mock.close());

const home = `/${ALICE.dsid}/calendars/home/`;
const put = (path: string, body: string) => alicePut(mock, path, body);
const report = (path: string, body: string, depth = '1') => aliceReport(mock, path, body, depth);

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
  it('[F49] is stored (RFC 5545 §3.6.1: one day long); iCloud 404s only timed events without an end', async () => {
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

  it('[F49] still answers 404 to a timed event without an end, in the master or an override', async () => {
    const timed = ANNIVERSARY.replace('DTSTART;VALUE=DATE:19970102', 'DTSTART:19970102T090000Z');
    expect((await put(`${home}timed.ics`, timed)).status).toBe(404);
  });
});

describe('CALDAV:expand and limit-recurrence-set (RFC 4791 §9.6.5/§9.6.6)', () => {
  const STANDUP = `${home}6B2F0C1E-4D3A-4E8B-9C71-2A5D8E0F3B41.ics`;
  const expandQuery = (modifier: string) =>
    `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data>${modifier}</c:calendar-data></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20261026T000000Z" end="20261110T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
  const dataOf = (xml: string, href: string) =>
    xml
      .split('<response')
      .find((r) => r.includes(`<href>${href}</href>`))!
      .match(/<!\[CDATA\[([\s\S]*?)\]\]>/)![1];

  it("[F37] by default returns the stored master and overrides, as python-caldav's iCloud flags describe", async () => {
    const res = await report(home, expandQuery('<c:expand start="20261026T000000Z" end="20261110T000000Z"/>'));
    expect(res.status).toBe(207);
    expect(dataOf(res.text, STANDUP)).toBe(mock.control.getEvent(ALICE.appleId, 'home', '6B2F0C1E-4D3A-4E8B-9C71-2A5D8E0F3B41.ics').data);
  });

  it('[F37] with the expand quirk lists instances in UTC, each with a RECURRENCE-ID, as CalendarServer does', async () => {
    const expanding = await startDemo({ quirks: { recurrenceExpansion: 'expand' } });
    try {
      const res = await partition(expanding).report(home).set('Authorization', aliceAuth).set('Depth', '1').send(expandQuery('<c:expand start="20261026T000000Z" end="20261110T000000Z"/>'));
      expect(res.status).toBe(207);
      const data = dataOf(res.text, STANDUP);
      expect(data.match(/BEGIN:VEVENT/g)).toHaveLength(3);
      expect(data).not.toContain('RRULE');
      expect(data).not.toContain('BEGIN:VTIMEZONE');
      expect(data).toContain('RECURRENCE-ID:20261102T090000Z');
      expect(data).toContain('DTSTART:20261103T103000Z');

      const limited = await partition(expanding)
        .report(home)
        .set('Authorization', aliceAuth)
        .set('Depth', '1')
        .send(expandQuery('<c:limit-recurrence-set start="20261201T000000Z" end="20261205T000000Z"/>'));
      const kept = dataOf(limited.text, STANDUP);
      expect(kept).toContain('RRULE:FREQ=WEEKLY');
      expect(kept).not.toContain('RECURRENCE-ID');

      const multiget = await partition(expanding)
        .report(home)
        .set('Authorization', aliceAuth)
        .set('Depth', '1')
        .send(
          `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-data><c:expand start="20261109T000000Z" end="20261110T000000Z"/></c:calendar-data></d:prop><d:href>${STANDUP}</d:href></c:calendar-multiget>`,
        );
      expect(dataOf(multiget.text, STANDUP).match(/BEGIN:VEVENT/g)).toHaveLength(1);

      const noEnd = await partition(expanding).report(home).set('Authorization', aliceAuth).set('Depth', '1').send(expandQuery('<c:expand start="20261026T000000Z"/>'));
      expect(noEnd.status).toBe(400);
    } finally {
      await expanding.close();
    }
  });
});

describe('calendar colour (vdirsyncer storage tests, run against live iCloud)', () => {
  const COLOR_PROP = '<d:propfind xmlns:d="DAV:" xmlns:a="http://apple.com/ns/ical/"><d:prop><a:calendar-color/></d:prop></d:propfind>';
  const colourOf = async (path: string) => texts((await partition(mock).propfind(path).set('Authorization', aliceAuth).set('Depth', '0').send(COLOR_PROP)).text, 'calendar-color')[0];

  it('[F27] reads back exactly what PROPPATCH wrote (#ff0000 stays #ff0000)', async () => {
    const res = await partition(mock)
      .proppatch(home)
      .set('Authorization', aliceAuth)
      .send('<d:propertyupdate xmlns:d="DAV:" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop><a:calendar-color>#ff0000</a:calendar-color></d:prop></d:set></d:propertyupdate>');
    expect(res.status).toBe(207);
    expect(await colourOf(home)).toBe('#ff0000');
  });

  it("[F27] keeps MKCALENDAR's colour as sent and a world calendar's #RRGGBBAA as Apple writes it", async () => {
    const made = await partition(mock)
      .mkcalendar(`/${ALICE.dsid}/calendars/painted/`)
      .set('Authorization', aliceAuth)
      .send(
        '<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>Painted</d:displayname><a:calendar-color>#00Aa00</a:calendar-color></d:prop></d:set></c:mkcalendar>',
      );
    expect(made.status).toBe(201);
    expect(await colourOf(`/${ALICE.dsid}/calendars/painted/`)).toBe('#00Aa00');
    expect(await colourOf(`/${ALICE.dsid}/calendars/work/`)).toBe('#CC73E1FF');
  });
});

describe('advertised capabilities match what is answered (CalDAVTester, Thunderbird gating)', () => {
  // A minimal body per REPORT. Every registered report must have one here (the first test checks),
  // plus reports iCloud's 2014 list had that the mock does not answer.
  const BODIES: Record<string, string> = {
    '{urn:ietf:params:xml:ns:caldav}calendar-query':
      '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter></c:calendar-query>',
    '{urn:ietf:params:xml:ns:caldav}calendar-multiget': `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><d:href>${home}x.ics</d:href></c:calendar-multiget>`,
    '{DAV:}sync-collection': '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>',
    '{urn:ietf:params:xml:ns:caldav}free-busy-query': '<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:time-range start="20261201T000000Z" end="20261202T000000Z"/></c:free-busy-query>',
    '{DAV:}principal-match': '<d:principal-match xmlns:d="DAV:"><d:self/></d:principal-match>',
    '{DAV:}principal-property-search':
      '<d:principal-property-search xmlns:d="DAV:"><d:property-search><d:prop><d:displayname/></d:prop><d:match>a</d:match></d:property-search></d:principal-property-search>',
    '{DAV:}acl-principal-prop-set': '<d:acl-principal-prop-set xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:acl-principal-prop-set>',
  };
  const RESOURCES = [
    `/${ALICE.dsid}/principal/`,
    `/${ALICE.dsid}/calendars/`,
    home,
    `/${ALICE.dsid}/calendars/tasks/`,
    `/${ALICE.dsid}/calendars/0F5A2B1C-UK-HOLIDAYS/`,
    `/${ALICE.dsid}/calendars/inbox/`,
  ];
  const advertised = async (path: string) => {
    const res = await partition(mock).propfind(path).set('Authorization', aliceAuth).set('Depth', '0').send('<d:propfind xmlns:d="DAV:"><d:prop><d:supported-report-set/></d:prop></d:propfind>');
    return [...res.text.matchAll(/<report(?: [^>]*)?>\s*<([A-Za-z0-9:_-]+)[^>]*xmlns(?::[A-Za-z0-9]+)?="([^"]+)"/g)].map((m) => `{${m[2]}}${m[1].split(':').pop()}`);
  };

  it('[F21] has a probe for every registered report', async () => {
    const { registeredReports } = await import('../dav/reports/registry.js');
    for (const r of registeredReports()) expect(Object.keys(BODIES)).toContain(r.name);
  });

  it('[F21] every advertised report is answered and every answered report is advertised, on every kind of resource', async () => {
    for (const path of RESOURCES) {
      const listed = new Set(await advertised(path));
      for (const [name, body] of Object.entries(BODIES)) {
        const res = await report(path, body, name.endsWith('sync-collection') ? '0' : '1');
        const refused = res.status === 403 && res.text.includes('supported-report');
        expect({ path, name, answered: !refused }).toEqual({ path, name, answered: listed.has(name) });
      }
    }
  });

  it('[F21] the calendar home no longer advertises sync-collection it refuses', async () => {
    expect(await advertised(`/${ALICE.dsid}/calendars/`)).not.toContain('{DAV:}sync-collection');
    expect(await advertised(home)).toContain('{DAV:}sync-collection');
  });

  it('[F73] the DAV header lists only implemented classes', async () => {
    const res = await partition(mock).options(home).set('Authorization', aliceAuth);
    const tokens = String(res.headers.dav).split(/,\s*/);
    expect(tokens).toContain('calendar-access');
    for (const absent of ['calendarserver-home-sync', 'calendarserver-sharing', 'calendar-schedule', 'access-control']) expect(tokens).not.toContain(absent);
  });
});
