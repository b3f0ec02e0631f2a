/**
 * The recording proxy in front of the mock (iCloud-shaped: a gateway, a partition on another host
 * name, DSID paths), driven by tsdav: the client works through the proxy, stays on the proxy's two
 * origins, and the HAR written holds every exchange, with timings, and none of the real values.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, startDemo } from '../test/helpers.js';
import type { RunningMockICloud } from '../index.js';
import { parseHar, type Har } from './har.js';
import { startRecordingProxy, type RunningRecordingProxy } from './proxy.js';
import { SESSION_UID, tsdavSession, type SessionResult } from './test/tsdav-session.js';

let mock: RunningMockICloud;
let proxy: RunningRecordingProxy;
let dir: string;
let session: SessionResult;
let text: string;
let har: Har;

beforeAll(async () => {
  mock = await startDemo();
  dir = mkdtempSync(join(tmpdir(), 'record-proxy-'));
  proxy = await startRecordingProxy({ upstream: mock.gatewayUrl, out: join(dir, 'capture.har') });
  session = await tsdavSession(proxy.gatewayUrl, ALICE.appleId, ALICE.appPassword, 'work');
  await proxy.close();
  text = readFileSync(join(dir, 'capture.har'), 'utf8');
  har = parseHar(text);
});
afterAll(async () => {
  await proxy?.close();
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('recording proxy', () => {
  it('lets tsdav work as usual through it', () => {
    expect(session.statuses).toEqual({ create: 201, update: 204, delete: 204 });
    expect(session.calendars.map((c) => c.displayName)).toEqual(expect.arrayContaining(['Work', 'Home']));
  });

  it('keeps the client on its own two origins: the calendar-home-set is rewritten to the partition origin', () => {
    // Every calendar URL tsdav ended up with is the proxy's, never the mock's.
    for (const c of session.calendars) expect(c.url.startsWith(proxy.gatewayUrl) || c.url.startsWith(proxy.partitionUrl)).toBe(true);
    // The home PROPFIND went to the proxy's partition origin, and was forwarded to the mock's partition.
    const home = har.log.entries.find((e) => e._origin === 'partition');
    expect(home?.request.url).toMatch(/^http:\/\/partition-1\.invalid:\d+\/99000000001\/calendars\/$/);
    expect(mock.control.journal().filter((j) => j.origin === 'partition').length).toBeGreaterThan(0);
  });

  it('writes HAR 1.2: one entry per exchange, in order, with timings', () => {
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator.name).toBe('mock-icloud record');
    // The mock's journal lists every request it answered: the capture has exactly those.
    const created = har.log.entries.find((e) => e.request.method === 'PUT')!;
    const placeholder = /\/(uid-\d+)\.ics$/.exec(created.request.url)?.[1];
    expect(placeholder).toBeDefined();
    const anonymisedPath = (path: string) => path.replace(ALICE.dsid, '99000000001').replace(SESSION_UID, placeholder!);
    expect(har.log.entries.map((e) => `${e.request.method} ${new URL(e.request.url).pathname} ${e.response.status}`)).toEqual(
      mock.control.journal().map((j) => `${j.method} ${anonymisedPath(j.path)} ${j.status}`),
    );
    for (const e of har.log.entries) {
      expect(Date.parse(e.startedDateTime)).not.toBeNaN();
      expect(e.timings.wait).toBeGreaterThanOrEqual(0);
      expect(e.time).toBeCloseTo(e.timings.connect + e.timings.send + e.timings.wait + e.timings.receive, 1);
    }
  });

  it('contains none of the real values: credentials, Apple ID, DSID, e-mails, names, partition host, UIDs, sync tokens', () => {
    const account = mock.control.getAccount(ALICE.appleId);
    const uids = [...mock.control.listEvents(ALICE.appleId, 'work'), ...mock.control.listEvents(ALICE.appleId, 'home')].map((e) => e.uid);
    const secrets = [
      ALICE.appPassword,
      Buffer.from(`${ALICE.appleId}:${ALICE.appPassword}`).toString('base64'),
      ALICE.appleId,
      'alice%40example.com',
      ALICE.dsid,
      account.fullName,
      'localhost',
      SESSION_UID,
      ...uids,
      ...session.tokens,
    ];
    expect(session.tokens.length).toBeGreaterThan(2);
    expect(uids.length).toBeGreaterThan(1);
    for (const secret of secrets) expect(text.toLowerCase(), secret).not.toContain(secret.toLowerCase());
    expect(text).not.toMatch(/"name": "(authorization|cookie)"/i);
    // Every e-mail address (Bob's, who shares a calendar, included) is a placeholder.
    expect(text).not.toMatch(/@example\.com/);
    expect(har.log._capture?.user).toBe('appleid-1@example.invalid');
  });
});
