/**
 * Malformed and hostile requests get a precise 4xx, the server stays up, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, gateway, partition, PROPFIND_PRINCIPAL, startDemo } from './helpers.js';

let mock: RunningMockICloud;
let snapshot: string;
beforeAll(async () => {
  mock = await startDemo();
  snapshot = JSON.stringify(mock.control.exportWorld());
});
afterAll(() => mock.close());

const home = `/${ALICE.dsid}/calendars/home/`;

describe('bad requests', () => {
  it.each([
    ['malformed XML', '<propfind xmlns="DAV:"><prop><getetag></propfind>', 400],
    ['truncated XML', '<propfind xmlns="DAV:"><prop>', 400],
    ['an external entity', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><propfind xmlns="DAV:"><prop>&e;</prop></propfind>', 400],
    ['an entity-expansion bomb', '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><propfind xmlns="DAV:"><prop>&b;</prop></propfind>', 400],
    ['deeply nested XML', `<propfind xmlns="DAV:">${'<x>'.repeat(5000)}${'</x>'.repeat(5000)}</propfind>`, 400],
    ['an undeclared prefix', '<D:propfind><D:prop/></D:propfind>', 400],
    ['the wrong root element', '<foo xmlns="DAV:"/>', 400],
  ])('answers %s with %i', async (_what, body, status) => {
    const res = await partition(mock).propfind(home).set('Authorization', aliceAuth).set('Depth', '0').send(body);
    expect(res.status).toBe(status);
  });

  it('answers an oversized body with 413', async () => {
    const res = await partition(mock)
      .propfind(home)
      .set('Authorization', aliceAuth)
      .set('Depth', '0')
      .send(`<propfind xmlns="DAV:">${' '.repeat(1.5 * 1024 * 1024)}</propfind>`);
    expect(res.status).toBe(413);
  });

  it.each([
    ['a dot-dot segment', `/${ALICE.dsid}/calendars/%2E%2E/x.ics`],
    ['an encoded slash', `/${ALICE.dsid}/calendars/home%2Fx/y.ics`],
    ['broken percent-encoding', `/${ALICE.dsid}/calendars/%E0%A4%A/y.ics`],
  ])('refuses %s in a path with 400', async (_what, path) => {
    const res = await partition(mock).put(path).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    expect(res.status).toBe(400);
  });

  it('answers unknown methods with 405 and an Allow header', async () => {
    const res = await partition(mock).post(home).set('Authorization', aliceAuth).send('x');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toContain('PROPFIND');
  });

  it('answers unknown paths with 404', async () => {
    expect((await gateway(mock).propfind('/nothing/here/').set('Authorization', aliceAuth).send(PROPFIND_PRINCIPAL)).status).toBe(404);
    expect((await gateway(mock).propfind(`/${ALICE.dsid}/calendars/nope/`).set('Authorization', aliceAuth).send(PROPFIND_PRINCIPAL)).status).toBe(404);
  });

  const put = (name: string, body: string | Buffer, type = 'text/calendar') => partition(mock).put(`${home}${name}`).set('Authorization', aliceAuth).set('Content-Type', type).send(body);
  const veventLines = (extra: string[]) =>
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//t//EN',
      'BEGIN:VEVENT',
      'UID:HOSTILE',
      'DTSTAMP:20261121T090000Z',
      'DTSTART:20261201T100000Z',
      'DTEND:20261201T110000Z',
      ...extra,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');

  it.each([
    ['truncated iCalendar', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:X\r\nDTSTART:2026', 400, 'text/calendar'],
    ['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)), 400, 'text/calendar'],
    ['a VCALENDAR with no component', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n', 400, 'text/calendar'],
    [
      'two different UIDs in one resource',
      veventLines([]).replace('END:VCALENDAR', 'BEGIN:VEVENT\r\nUID:OTHER\r\nDTSTAMP:20261121T090000Z\r\nDTSTART:20261202T100000Z\r\nDTEND:20261202T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR'),
      400,
      'text/calendar',
    ],
    ['a VJOURNAL', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VJOURNAL\r\nUID:J\r\nDTSTAMP:20261121T090000Z\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n', 403, 'text/calendar'],
    ['an iCalendar over the size limit', veventLines([`DESCRIPTION:${'x'.repeat(2.5 * 1024 * 1024)}`]), 413, 'text/calendar'],
    ['the wrong content type', veventLines([]), 415, 'application/octet-stream'],
  ] as Array<[string, string | Buffer, number, string]>)('refuses %s with %i and stores nothing', async (_what, body, status, type) => {
    const res = await put('hostile.ics', body, type);
    expect(res.status).toBe(status);
    expect(mock.control.listEvents(ALICE.appleId, 'home').map((e) => e.name)).not.toContain('hostile.ics');
  });

  it('stores an enormous but valid iCalendar under the limit and answers queries on it', async () => {
    const body = veventLines(Array.from({ length: 20_000 }, (_, i) => `X-FILLER-${i}:${'y'.repeat(40)}`));
    expect((await put('enormous.ics', body)).status).toBe(201);
    const query =
      '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20261201T000000Z" end="20261202T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>';
    const res = await partition(mock).report(home).set('Authorization', aliceAuth).set('Depth', '1').send(query);
    expect(res.text).toContain('enormous.ics');
    expect((await partition(mock).delete(`${home}enormous.ics`).set('Authorization', aliceAuth)).status).toBe(204);
  });

  it('indexes a VEVENT with 100,000 occurrences without expanding them all, and finds late ones', async () => {
    const body = veventLines(['RRULE:FREQ=DAILY;COUNT=100000']).replace('UID:HOSTILE', 'UID:MANY');
    expect((await put('many.ics', body)).status).toBe(201);
    const queryFor = (start: string, end: string) =>
      `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="${start}" end="${end}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
    // Occurrence 90,000 falls in the year 2273; the last one (100,000) on 2300-09-15.
    const late = await partition(mock).report(home).set('Authorization', aliceAuth).set('Depth', '1').send(queryFor('22730101T000000Z', '22740101T000000Z'));
    expect(late.text).toContain('many.ics');
    const after = await partition(mock).report(home).set('Authorization', aliceAuth).set('Depth', '1').send(queryFor('23010101T000000Z', '23020101T000000Z'));
    expect(after.text).not.toContain('many.ics');
    expect((await partition(mock).delete(`${home}many.ics`).set('Authorization', aliceAuth)).status).toBe(204);
  });

  it.each([
    ['Basic with no password separator', `Basic ${Buffer.from('alice@example.com').toString('base64')}`],
    ['Basic with an empty user', `Basic ${Buffer.from(':abcd-efgh-ijkl-mnop').toString('base64')}`],
    ['a Bearer token', 'Bearer abcdef'],
    ['Basic with non-base64 text', 'Basic %%%%'],
    ['a 10 kB Basic value', `Basic ${'A'.repeat(10_000)}`],
  ])('refuses %s with 401', async (_what, header) => {
    const res = await gateway(mock).propfind('/').set('Authorization', header).set('Depth', '0').send(PROPFIND_PRINCIPAL);
    expect(res.status).toBe(401);
  });

  it("refuses headers over Node's limit with 431 and keeps serving", async () => {
    const res = await gateway(mock)
      .propfind('/')
      .set('Authorization', aliceAuth)
      .set('X-Huge', 'h'.repeat(20_000))
      .send(PROPFIND_PRINCIPAL)
      .catch((e: { status?: number }) => e);
    expect((res as { status?: number }).status).toBe(431);
  });

  it('is still up, and no data changed', async () => {
    const res = await gateway(mock).propfind('/').set('Authorization', aliceAuth).set('Depth', '0').send(PROPFIND_PRINCIPAL);
    expect(res.status).toBe(207);
    expect(JSON.stringify(mock.control.exportWorld())).toBe(snapshot);
  });
});
