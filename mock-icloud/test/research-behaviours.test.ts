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
  it("[F23] is a whole VCALENDAR with the calendar zone's VTIMEZONE, CRLF", async () => {
    const res = await propfind(home, '<c:calendar-timezone/>');
    const value = unescape(texts(res.text, 'calendar-timezone')[0]);
    expect(value.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(value).toContain('BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n');
    expect(value).toContain('END:VCALENDAR');
  });

  it('[F23] follows a PROPPATCH by the owner; an unknown zone is refused', async () => {
    const patch = (tz: string) =>
      partition(mock)
        .proppatch(home)
        .set('Authorization', aliceAuth)
        .send(
          `<d:propertyupdate xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><c:calendar-timezone>BEGIN:VCALENDAR&#13;\nVERSION:2.0&#13;\nBEGIN:VTIMEZONE&#13;\nTZID:${tz}&#13;\nEND:VTIMEZONE&#13;\nEND:VCALENDAR&#13;\n</c:calendar-timezone></d:prop></d:set></d:propertyupdate>`,
        );
    expect((await patch('America/New_York')).text).toContain('200 OK');
    expect(unescape(texts((await propfind(home, '<c:calendar-timezone/>')).text, 'calendar-timezone')[0])).toContain('TZID:America/New_York');
    expect((await patch('Mars/Olympus_Mons')).text).toContain('403');
  });
});

describe("events created on iCloud's web app (review row 27)", () => {
  it('[F54] are stored verbatim with their VEVENT-level TZID and found at their real time', async () => {
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
        .send(
          `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="${start}" end="${end}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`,
        );
    // 06:00–14:00 Europe/Berlin on 7 December is 05:00–13:00Z.
    expect((await query('20261207T050000Z', '20261207T051500Z')).text).toContain(`${home}shift.ics`);
    expect((await query('20261207T130000Z', '20261207T140000Z')).text).not.toContain(`${home}shift.ics`);
  });
});

describe('transport and discovery (review rows 2, 3, 4, 34)', () => {
  it('[F1] /.well-known/caldav: 301 without credentials on the gateway, 401 then 301 on a partition host', async () => {
    const { gateway } = await import('./helpers.js');
    expect((await gateway(mock).propfind('/.well-known/caldav')).status).toBe(301);
    const bare = await partition(mock).propfind('/.well-known/caldav');
    expect(bare.status).toBe(401);
    expect(bare.headers['www-authenticate']).toContain('MMCalDav');
    const authed = await partition(mock).propfind('/.well-known/caldav').set('Authorization', aliceAuth);
    expect(authed.status).toBe(301);
    expect(authed.headers.location).toBe('/');
  });

  it("[F2] fetch's Accept-Language: * is served by default and refused with 400 under the fetchAcceptHeaders quirk", async () => {
    const principal = '<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>';
    const send = (m: RunningMockICloud) =>
      partition(m).propfind('/').set('Authorization', aliceAuth).set('Depth', '0').set('Accept-Language', '*').set('Accept-Encoding', 'gzip, deflate').send(principal);
    expect((await send(mock)).status).toBe(207);
    const strict = await startDemo({ quirks: { fetchAcceptHeaders: 'refused' } });
    try {
      const res = await send(strict);
      expect(res.status).toBe(400);
      expect(res.text).toBe('');
      expect((await partition(strict).propfind('/').set('Authorization', aliceAuth).set('Depth', '0').set('Accept-Language', 'en-GB').send(principal)).status).toBe(207);
    } finally {
      await strict.close();
    }
  });

  it('[F3] accepts gzip request bodies as Apple clients send them; a gzip bomb is 413, another coding 415', async () => {
    const { gzipSync } = await import('node:zlib');
    const body = gzipSync(Buffer.from('<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>Zipped</d:displayname></d:prop></d:set></c:mkcalendar>'));
    const made = await partition(mock).mkcalendar(`/${ALICE.dsid}/calendars/zipped/`).set('Authorization', aliceAuth).set('Content-Encoding', 'gzip').set('Content-Type', 'text/xml').send(body);
    expect(made.status).toBe(201);
    expect(mock.control.listCalendars(ALICE.appleId).find((c) => c.name === 'zipped')?.displayName).toBe('Zipped');
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20));
    expect((await partition(mock).propfind(home).set('Authorization', aliceAuth).set('Content-Encoding', 'gzip').send(bomb)).status).toBe(413);
    expect((await partition(mock).propfind(home).set('Authorization', aliceAuth).set('Content-Encoding', 'br').send('x')).status).toBe(415);
  });

  it('[F4] POST (managed attachments, sharing, split) is 405 and calendar-managed-attachments is not advertised', async () => {
    const res = await partition(mock).post(`${home}6B2F0C1E-4D3A-4E8B-9C71-2A5D8E0F3B41.ics?action=attachment-add`).set('Authorization', aliceAuth).set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBe(405);
    expect(res.headers.allow).not.toContain('POST');
    const options = await partition(mock).options(home).set('Authorization', aliceAuth);
    expect(String(options.headers.dav)).not.toContain('calendar-managed-attachments');
  });
});
