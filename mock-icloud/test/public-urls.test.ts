/**
 * Public URLs: where clients reach the mock is not always where it listens (a container's mapped
 * ports, a proxy), and a wildcard bind address is no address at all. The gateway and partition
 * URLs the mock advertises, in calendar-home-set and every absolute href, are the public ones.
 */
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createDAVClient } from 'tsdav';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { publicOrigin } from '../server.js';
import { aliceAuth, ALICE, startDemo, texts, vevent } from './helpers.js';
import request from 'supertest';

const HOME_SET = `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-home-set/><c:calendar-user-address-set/></d:prop></d:propfind>`;

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function start(options: Parameters<typeof startDemo>[0]): Promise<RunningMockICloud> {
  const mock = await startDemo(options);
  open.push(mock);
  return mock;
}

/** A TCP forwarder on a free loopback port, as Docker maps a host port onto a container's port. */
async function forward(targetPort: () => number): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort(), '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  open.push({
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
  return (server.address() as AddressInfo).port;
}

/** The calendar-home-set and address-set hrefs of Alice's principal, asked on the real gateway port. */
async function principalHrefs(mock: RunningMockICloud): Promise<string[]> {
  const res = await request(`http://127.0.0.1:${mock.ports.gateway}`)
    .propfind(`/${ALICE.dsid}/principal/`)
    .set('Authorization', aliceAuth)
    .set('Depth', '0')
    .set('Content-Type', 'text/xml')
    .send(HOME_SET);
  expect(res.status).toBe(207);
  return texts(res.text, 'href');
}

describe('public URLs', () => {
  it('bound to 0.0.0.0 without public URLs, advertises 127.0.0.1 and localhost, never 0.0.0.0', async () => {
    const mock = await start({ host: '0.0.0.0', controlToken: 'public-urls-test-token' });
    expect(mock.gatewayUrl).toBe(`http://127.0.0.1:${mock.ports.gateway}/`);
    expect(mock.partitionUrl).toBe(`http://localhost:${mock.ports.partition}/`);
    const hrefs = await principalHrefs(mock);
    expect(hrefs).toContain(`http://localhost:${mock.ports.partition}/${ALICE.dsid}/calendars/`);
    expect(hrefs.join(' ')).not.toContain('0.0.0.0');
    // …and it does serve the advertised partition URL.
    const home = await request(mock.partitionUrl.replace(/\/$/, '')).propfind(`/${ALICE.dsid}/calendars/`).set('Authorization', aliceAuth).set('Depth', '0');
    expect(home.status).toBe(207);
  });

  it('uses publicGatewayUrl and publicPartitionUrl for the URLs it returns and every absolute href', async () => {
    const mock = await start({ publicGatewayUrl: 'http://gateway.example.test:49153/', publicPartitionUrl: 'https://partition.example.test:49154' });
    expect(mock.gatewayUrl).toBe('http://gateway.example.test:49153/');
    expect(mock.partitionUrl).toBe('https://partition.example.test:49154/');
    const hrefs = await principalHrefs(mock);
    expect(hrefs).toContain(`https://partition.example.test:49154/${ALICE.dsid}/calendars/`);
    expect(hrefs).toContain(`https://partition.example.test:49154/${ALICE.dsid}/principal/`);
    expect(hrefs.filter((h) => /^https?:/.test(h)).every((h) => h.startsWith('https://partition.example.test:49154/'))).toBe(true);
  });

  it('drives tsdav through "mapped" ports that differ from the ones the mock listens on', async () => {
    // As in a container: the mock listens on its own ports; clients reach it only through two others.
    const ports = { gateway: 0, partition: 0 };
    const [gatewayPort, partitionPort] = await Promise.all([forward(() => ports.gateway), forward(() => ports.partition)]);
    const mapped = await start({
      host: '0.0.0.0',
      controlToken: 'public-urls-test-token',
      publicGatewayUrl: `http://127.0.0.1:${gatewayPort}`,
      publicPartitionUrl: `http://localhost:${partitionPort}/`,
    });
    Object.assign(ports, mapped.ports);
    expect([gatewayPort, partitionPort]).not.toContain(mapped.ports.gateway);
    expect(mapped.gatewayUrl).toBe(`http://127.0.0.1:${gatewayPort}/`);
    expect(mapped.partitionUrl).toBe(`http://localhost:${partitionPort}/`);
    const client = await createDAVClient({ serverUrl: mapped.gatewayUrl, credentials: { username: ALICE.appleId, password: ALICE.appPassword }, authMethod: 'Basic', defaultAccountType: 'caldav' });
    const calendars = await client.fetchCalendars();
    const work = calendars.find((c) => c.url.endsWith('/calendars/work/'))!;
    expect(work.displayName).toBe('Work');
    expect(calendars.every((c) => c.url.includes(`:${gatewayPort}/`) || c.url.includes(`:${partitionPort}/`))).toBe(true);
    const created = await client.createCalendarObject({ calendar: work, filename: 'PUBLIC-URL-1.ics', iCalString: vevent('PUBLIC-URL-1') });
    expect(created.status).toBe(201);
    expect(mapped.control.getEvent(ALICE.appleId, 'work', 'PUBLIC-URL-1.ics').uid).toBe('PUBLIC-URL-1');
    // The home was asked for on the partition, through its forwarder.
    expect(mapped.control.journal().map((e) => `${e.origin} ${e.method} ${e.path}`)).toContain(`partition PROPFIND /${ALICE.dsid}/calendars/`);
  });

  it('refuses a public URL that is not an origin, or names a wildcard address', () => {
    expect(publicOrigin('publicGatewayUrl', 'http://localhost:8443/')).toBe('http://localhost:8443');
    expect(() => publicOrigin('publicGatewayUrl', 'localhost:8443')).toThrow(/must be http/);
    expect(() => publicOrigin('publicGatewayUrl', 'not a url')).toThrow(/is not a URL/);
    expect(() => publicOrigin('publicPartitionUrl', 'http://localhost:8444/caldav/')).toThrow(/origin only/);
    expect(() => publicOrigin('publicPartitionUrl', 'http://0.0.0.0:8444/')).toThrow(/wildcard/);
    return expect(startDemo({ publicGatewayUrl: 'http://localhost:1/x' })).rejects.toThrow(/publicGatewayUrl: .* origin only/);
  });
});
