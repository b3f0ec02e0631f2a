/**
 * The testcontainers module end to end: the image built from the Dockerfile, started through
 * MockICloudContainer on free host ports, driven by tsdav (discovery through the mapped ports,
 * calendars, an event created over CalDAV and read back through the control client).
 *
 * Needs Docker and the image (`docker build -t mock-icloud .`): without them the suite is skipped
 * with one line, unless REQUIRE_DOCKER=1 or REQUIRE_PEERS=1 (CI) makes that a failure.
 */
import { fileURLToPath } from 'node:url';
import { createDAVClient } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../../conformance/peers.js';
import { dockerUnavailable, MockICloudContainer, mockICloudImageUnavailable, type StartedMockICloudContainer } from '../testcontainers.js';
import { vevent } from './helpers.js';

// This suite stops its own container; Ryuk (the reaper) would need its image from a registry.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
// The Docker engine here runs on this machine (CI starts dockerd), so its published ports are on
// loopback. Inside a container (/.dockerenv) Testcontainers would otherwise address them through the
// bridge's gateway (172.17.0.1), and this suite sends traffic to loopback only.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';

const DEMO = fileURLToPath(new URL('../../fixtures/worlds/demo.yaml', import.meta.url));
const engine = await requirePeer('Docker', dockerUnavailable, 'apt-get install docker.io, then start dockerd', { requireEnv: 'REQUIRE_DOCKER' });
const docker = engine.available ? await requirePeer('the mock-icloud image', () => mockICloudImageUnavailable(), 'docker build -t mock-icloud .', { requireEnv: 'REQUIRE_DOCKER' }) : engine;

let mock: StartedMockICloudContainer | undefined;

beforeAll(async () => {
  if (docker.skip) return;
  docker.assert();
  mock = await new MockICloudContainer().withWorld(DEMO).withClock('2026-11-21T09:00:00Z').withFault('unavailable:count=1,method=REPORT,retryAfter=1').start();
}, 120_000);

afterAll(async () => {
  await mock?.stop();
}, 60_000);

describe.skipIf(docker.skip)(`MockICloudContainer${docker.skip ? ` (skipped: ${docker.reason})` : ''}`, () => {
  it('advertises the mapped host ports, and is healthy', async () => {
    const m = mock!;
    expect(m.gatewayUrl).toBe(`http://127.0.0.1:${m.getMappedPort(8443)}/`);
    expect(m.partitionUrl).toBe(`http://localhost:${m.getMappedPort(8444)}/`);
    expect(await m.control.health()).toMatchObject({ ok: true, accounts: 3 });
    expect(await m.control.now()).toBe('2026-11-21T09:00:00.000Z');
    expect((await m.control.listFaults()).map((f) => f.kind)).toEqual(['unavailable']);
  });

  it('is discovered and driven by tsdav, and the control client reads back what tsdav wrote', async () => {
    const m = mock!;
    await m.control.clearFaults();
    const client = await createDAVClient({ serverUrl: m.gatewayUrl, credentials: m.accounts.alice, authMethod: 'Basic', defaultAccountType: 'caldav' });
    const calendars = await client.fetchCalendars();
    expect(calendars.map((c) => c.displayName)).toEqual(expect.arrayContaining(['Home', 'Work']));
    const work = calendars.find((c) => c.url.endsWith('/calendars/work/'))!;
    // The home came from the partition's mapped port, as calendar-home-set told tsdav.
    const discovery = (await m.control.journal()).map((e) => `${e.origin} ${e.method} ${e.path} ${e.status}`);
    expect(discovery).toContain(`partition PROPFIND /${m.accounts.alice.dsid}/calendars/ 207`);

    const created = await client.createCalendarObject({ calendar: work, filename: 'TESTCONTAINERS-1.ics', iCalString: vevent('TESTCONTAINERS-1', '20261202T100000Z', '20261202T110000Z') });
    expect(created.status).toBe(201);
    const stored = await m.control.getEvent('alice@example.com', 'work', 'TESTCONTAINERS-1.ics');
    expect(stored).toMatchObject({ uid: 'TESTCONTAINERS-1', name: 'TESTCONTAINERS-1.ics' });
    expect(stored.data).toContain('SUMMARY:Test event');
    const objects = await client.fetchCalendarObjects({ calendar: work, timeRange: { start: '2026-12-02T00:00:00Z', end: '2026-12-03T00:00:00Z' } });
    expect(objects.map((o) => o.url)).toEqual([expect.stringMatching(/\/calendars\/work\/TESTCONTAINERS-1\.ics$/)]);
  });

  it('changes made through the control client reach tsdav as if on an iPhone', async () => {
    const m = mock!;
    const client = await createDAVClient({ serverUrl: m.gatewayUrl, credentials: m.accounts.alice, authMethod: 'Basic', defaultAccountType: 'caldav' });
    const written = await m.control.putEvent('alice@example.com', 'work', { ics: vevent('IPHONE-IN-CONTAINER', '20261203T100000Z', '20261203T110000Z') });
    expect(written.created).toBe(true);
    const work = (await client.fetchCalendars()).find((c) => c.url.endsWith('/calendars/work/'))!;
    const objects = await client.fetchCalendarObjects({ calendar: work, timeRange: { start: '2026-12-03T00:00:00Z', end: '2026-12-04T00:00:00Z' } });
    expect(objects.map((o) => o.etag?.replace(/"/g, ''))).toEqual([written.etag.replace(/"/g, '')]);
  });
});
