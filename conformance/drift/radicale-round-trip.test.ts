/**
 * The round trip of issue 12, offline, with Radicale (Debian) as the upstream: a tsdav session is
 * recorded through the proxy, a world is built from the capture, and the capture is replayed
 * against Radicale again (no drift beyond volatile values) and against a mock serving that world
 * (the drift report lists where Radicale and the mock's iCloud behaviour differ, pinned below).
 * Skips with one line where Radicale is missing, unless REQUIRE_PEERS=1 (CI).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHar } from '../../mock-icloud/record/har.js';
import { startRecordingProxy } from '../../mock-icloud/record/proxy.js';
import { SESSION_UID, sessionEvent, tsdavSession, type SessionResult } from '../../mock-icloud/record/test/tsdav-session.js';
import { worldFromCapture } from '../../mock-icloud/record/world-from-capture.js';
import type { WorldOwnedCalendar } from '../../mock-icloud/world/schema.js';
import { requirePeer } from '../peers.js';
import { RADICALE_HOW_TO_GET, radicaleMissing, startRadicale } from '../protocol/targets/radicale.js';
import type { RunningTarget } from '../protocol/targets/target.js';
import { runDrift } from './cli.js';
import type { DriftReport } from './report.js';

const radicale = await requirePeer('Radicale', radicaleMissing, RADICALE_HOW_TO_GET);

const SEEDED = [
  { uid: 'SEEDED-STANDUP-91c2', ics: sessionEvent('SEEDED-STANDUP-91c2', '20261124T090000Z', 'Stand-up') },
  { uid: 'SEEDED-DENTIST-0b7e', ics: sessionEvent('SEEDED-DENTIST-0b7e', '20261126T140000Z', 'Dentist') },
];

describe.skipIf(radicale.skip)(`record Radicale, replay against Radicale and the mock${radicale.skip ? ` (skipped: ${radicale.reason})` : ''}`, () => {
  let server: RunningTarget | undefined;
  let dir: string;
  let capture: string;
  let session: SessionResult;
  const user = () => server!.address.user!;
  const password = () => server!.address.password!;

  beforeAll(async () => {
    radicale.assert();
    server = await startRadicale();
    dir = mkdtempSync(join(tmpdir(), 'drift-radicale-'));
    capture = join(dir, 'capture.har');
    // The account as it is before the recording: one calendar with two events, made directly.
    const auth = `Basic ${Buffer.from(`${user()}:${password()}`).toString('base64')}`;
    const home = new URL(`/${user()}/`, server.address.url).href;
    const mk = await fetch(`${home}work/`, {
      method: 'MKCALENDAR',
      headers: { authorization: auth, 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop><D:displayname>Work</D:displayname><A:calendar-color>#CC73E1FF</A:calendar-color><C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>',
    });
    expect(mk.status).toBe(201);
    for (const e of SEEDED) expect((await fetch(`${home}work/${e.uid}.ics`, { method: 'PUT', headers: { authorization: auth, 'content-type': 'text/calendar' }, body: e.ics })).status).toBe(201);

    const proxy = await startRecordingProxy({ upstream: server.address.url, out: capture });
    session = await tsdavSession(proxy.gatewayUrl, user(), password(), 'work');
    await proxy.close();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('tsdav works through the proxy, and the capture holds none of the real values', () => {
    // Radicale 3.1 answers 201 to a replacing PUT and 200 to a DELETE.
    expect(session.statuses).toEqual({ create: 201, update: 201, delete: 200 });
    const text = readFileSync(capture, 'utf8');
    const secrets = [user(), password(), Buffer.from(`${user()}:${password()}`).toString('base64'), SESSION_UID, ...SEEDED.map((e) => e.uid), ...session.tokens];
    expect(session.tokens.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(text, secret).not.toContain(secret);
  });

  it('builds a world of the account as the recording found it', () => {
    const world = worldFromCapture(readHar(capture));
    const work = world.accounts[0]!.calendars!.find((c) => 'name' in c && c.name === 'work') as WorldOwnedCalendar;
    expect(work).toMatchObject({ displayName: 'Work', component: 'VEVENT', color: '#CC73E1FF' });
    expect(work.events!.map((e) => /SUMMARY:(.*)/.exec(e.ics!)![1]).sort()).toEqual(['Dentist', 'Stand-up']);
  });

  it("replayed against Radicale again, holding the capture's world: no drift beyond volatile values", async () => {
    // The capture is anonymised (UIDs, and resource names made of them, are placeholders), so the
    // Radicale it replays against holds the account as the capture recorded it: a fresh one seeded
    // from the capture's own world.
    const world = worldFromCapture(readHar(capture));
    const fresh = await startRadicale();
    try {
      await seed(fresh, world.accounts[0]!.calendars as WorldOwnedCalendar[]);
      const report = await runDrift({ capture, target: { url: fresh.address.url, user: fresh.address.user, password: fresh.address.password } });
      expect(drift(report)).toEqual([]);
      expect(report.summary.exchanges).toBeGreaterThan(10);
    } finally {
      await fresh.stop();
    }
  });

  it('replayed against the mock serving the world: the differences between Radicale and iCloud-as-mocked', async () => {
    const report = await runDrift({ capture });
    const DAV_HEADER = 'header DAV: recorded "1, 2, 3, calendar-access, addressbook, extended-mkcol", target none [OPTIONS `DAV:` header]';
    expect(drift(report)).toEqual([
      // Radicale redirects with a text body; the mock's 301 has none.
      '#1 PROPFIND /.well-known/caldav | header Content-Type: recorded text/plain, target none [`/.well-known/caldav`]',
      '#1 PROPFIND /.well-known/caldav | body: recorded text (15 bytes), target empty [`/.well-known/caldav`]',
      // Radicale sends its DAV header on every answer; the mock, like iCloud's captures, on OPTIONS only.
      `#2 PROPFIND / | ${DAV_HEADER}`,
      `#3 PROPFIND {home}/ | ${DAV_HEADER}`,
      // Radicale's principal is its calendar home; iCloud's (and the mock's) are /<dsid>/principal/ and /<dsid>/calendars/.
      '#3 PROPFIND {home}/ | xml: responses only recorded: {home}/',
      '#3 PROPFIND {home}/ | xml: responses only in the target: {principal} [Principal href in responses]',
      `#4 PROPFIND {home}/ | ${DAV_HEADER}`,
      // iCloud's home lists inbox, outbox and notification; it is a plain collection with a name, ctag and component set.
      '#4 PROPFIND {home}/ | xml: responses only in the target: {home}/inbox/, {home}/outbox/, {home}/notification/',
      '#4 PROPFIND {home}/ | xml: {home}/ D:resourcetype: recorded only D:principal; target only -',
      '#4 PROPFIND {home}/ | xml: {home}/: property status (recorded→target): D:displayname 404→200, CS:getctag 404→200, C:supported-calendar-component-set 404→200 [`sync-token` vs `getctag`]',
      `#5 PROPFIND {home}/work/ | ${DAV_HEADER}`,
      '#5 PROPFIND {home}/work/ | xml: {home}/work/ D:supported-report-set: recorded only D:expand-property, D:principal-search-property-set, D:principal-property-search; target only C:free-busy-query [`supported-report-set`]',
      // iCloud answers calendar-query and sync-collection with the collection itself as an extra response.
      '#6 REPORT calendar-query {home}/work/ | xml: responses only in the target: {home}/work/ [calendar-query: collection itself]',
      // Radicale answers a replacing PUT 201, iCloud 204.
      '#10 PUT {home}/work/uid-3.ics | status: recorded 201, target 204',
      '#11 REPORT sync-collection {home}/work/ | xml: responses only in the target: {home}/work/ [sync-collection: collection itself]',
      // Radicale answers DELETE 200 with a multistatus; the mock 204, empty.
      '#14 DELETE {home}/work/uid-3.ics | status: recorded 200, target 204',
      '#14 DELETE {home}/work/uid-3.ics | header Content-Type: recorded text/xml, target none',
      '#14 DELETE {home}/work/uid-3.ics | body: recorded XML (186 bytes), target empty [Error bodies (403, 404, 412)]',
    ]);
    // Everything else (discovery of the calendar, the multiget, the If-Match update and sync with the
    // target's own etags and tokens) came out the same.
    expect(report.summary).toMatchObject({ exchanges: 14, same: 5 });
  });
});

/** MKCALENDAR and PUT, straight to Radicale: its home is /<user>/. */
async function seed(target: RunningTarget, calendars: WorldOwnedCalendar[]): Promise<void> {
  const { url, user, password } = target.address;
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  for (const c of calendars) {
    const home = new URL(`/${user}/${c.name}/`, url).href;
    const props = `<D:displayname>${c.displayName ?? c.name}</D:displayname>${c.color ? `<A:calendar-color>${c.color}</A:calendar-color>` : ''}<C:supported-calendar-component-set><C:comp name="${c.component ?? 'VEVENT'}"/></C:supported-calendar-component-set>`;
    const mk = await fetch(home, {
      method: 'MKCALENDAR',
      headers: { authorization: auth, 'content-type': 'application/xml' },
      body: `<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop>${props}</D:prop></D:set></C:mkcalendar>`,
    });
    if (mk.status !== 201) throw new Error(`MKCALENDAR ${home}: ${mk.status}`);
    for (const e of c.events ?? []) {
      const put = await fetch(new URL(e.name!, home), { method: 'PUT', headers: { authorization: auth, 'content-type': 'text/calendar' }, body: e.ics!.replace(/\n/g, '\r\n') });
      if (put.status !== 201) throw new Error(`PUT ${e.name}: ${put.status}`);
    }
  }
}

function drift(report: DriftReport): string[] {
  return report.exchanges.flatMap((e) => e.differences.map((d) => `${e.label} | ${d.text}${d.fidelity ? ` [${d.fidelity}]` : ''}`));
}
