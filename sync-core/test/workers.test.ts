/**
 * Many workers, one PostgreSQL (issue 13): three `icloud-sync worker` processes share 200
 * connections against the mock; one is killed with SIGKILL half-way and a fourth starts. Read
 * through the mock's journal (each request names its worker in User-Agent): every connection was
 * synced, none by two workers at once (a dead worker's connections are taken over only after its
 * lease ran out), and nothing was imported twice or lost.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockICloud, type RunningMockICloud } from '../../mock-icloud/index.js';
import { systemClock } from '../../common/clock.js';
import { utcDateTime } from '../../icalendar/index.js';
import { lineMatching, startWorker } from './worker-process.js';
import { once } from 'node:events';
import { SyncCore } from '../sync-core.js';
import { postgresPeer, startTestPostgres, type TestPostgres } from '../store/postgres/test-postgres.js';

const CONNECTIONS = 200;
const postgres = await postgresPeer();

function event(uid: string, start: number): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTAMP:${utcDateTime(start)}`,
    `DTSTART:${utcDateTime(start)}`,
    `DTEND:${utcDateTime(start + 3_600_000)}`,
    `SUMMARY:Busy ${uid}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

const worker = (db: string, id: string) => startWorker(db, id, ['--lease-seconds', '3', '--every-seconds', '0.2', '--batch', '8', '--concurrency', '4']);

describe.skipIf(postgres.skip)('several workers on one PostgreSQL', () => {
  let server: TestPostgres;
  let mock: RunningMockICloud;
  const workers: ChildProcess[] = [];
  const cores: SyncCore[] = [];
  beforeAll(async () => {
    postgres.assert();
    server = await startTestPostgres();
    mock = await startMockICloud({});
  }, 60_000);
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    for (const core of cores) await core.close().catch(() => undefined);
    await mock?.close();
    await server?.stop();
  });

  it('sync every connection once, never one connection in two workers at once, and survive a killed worker', async () => {
    const db = await server.createDatabase('workers');
    const core = await SyncCore.open({ database: db, clock: systemClock });
    cores.push(core);
    const sub = await core.platform.createSubAccount({ name: 'Many' });
    const start = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 2 * 86_400_000 + 10 * 3_600_000; // inside the sync window
    for (let i = 0; i < CONNECTIONS; i++) {
      const appleId = `user${i}@example.com`;
      mock.control.createAccount({ appleId, fullName: `User ${i}`, password: 'regular', appPasswords: ['aaaa-bbbb-cccc-dddd'] });
      mock.control.createCalendar(appleId, { name: 'home', displayName: 'Home' });
      mock.control.putEvent(appleId, 'home', { ics: event(`EV-${i}`, start + i * 3_600_000) });
    }
    const connectionOf = new Map<string, string>();
    for (let i = 0; i < CONNECTIONS; i++) {
      const user = await core.platform.createUser({ subAccountId: sub.id, name: `User ${i}`, email: `u${i}@many.test`, timeZone: 'UTC' });
      const connection = await core.connections.connect({ subAccountId: sub.id, userId: user.id, appleId: `user${i}@example.com`, appPassword: 'aaaa-bbbb-cccc-dddd', serverUrl: mock.gatewayUrl });
      await core.connections.chooseCalendars(connection.id, { linked: 'Home' });
      connectionOf.set(`user${i}@example.com`, user.id);
    }
    const connectedAt = mock.control.journal().at(-1)!.seq;

    workers.push(worker(db, 'w1'), worker(db, 'w2'), worker(db, 'w3'));
    const synced = async () => (await core.state.listConnections()).filter((c) => c.lastSyncAt !== undefined).length;
    // Kill one worker once the work is under way, and start another in its place.
    for (let i = 0; (await synced()) < CONNECTIONS / 4; i++) {
      if (i > 600) throw new Error('the workers did not start syncing');
      await new Promise((r) => setTimeout(r, 100));
    }
    workers[0]!.kill('SIGKILL');
    workers.push(worker(db, 'w4'));
    for (let i = 0; (await synced()) < CONNECTIONS; i++) {
      if (i > 1200) throw new Error(`only ${await synced()} of ${CONNECTIONS} connections were synced`);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const w of workers.slice(1)) w.kill('SIGTERM');
    await Promise.all(workers.slice(1).map((w) => (w.exitCode === null ? new Promise((r) => w.once('exit', r)) : Promise.resolve())));

    // Per account, the workers that sent its requests, in order: one block per worker, never interleaved.
    const byAccount = new Map<string, string[]>();
    for (const entry of mock.control.journal({ since: connectedAt })) {
      const worker = /\(worker (\w+)\)/.exec(entry.userAgent ?? '')?.[1];
      if (!entry.account || !worker) continue;
      const list = byAccount.get(entry.account) ?? [];
      if (list.at(-1) !== worker) list.push(worker);
      byAccount.set(entry.account, list);
    }
    expect(byAccount.size).toBe(CONNECTIONS);
    const interleaved = [...byAccount].filter(([, ws]) => new Set(ws).size !== ws.length);
    expect(interleaved).toEqual([]);
    const used = new Set([...byAccount.values()].flat());
    expect([...used].sort()).toEqual(expect.arrayContaining(['w2', 'w3']));

    // Nothing imported twice, nothing lost: each user has exactly their account's one event.
    for (const [appleId, userId] of connectionOf) {
      const events = await core.platform.listEventsForUser(userId, { start: start - 86_400_000, end: start + 400 * 86_400_000 });
      const i = Number(/\d+/.exec(appleId)![0]);
      expect(
        events.map((e) => e.title),
        appleId,
      ).toEqual([`Busy EV-${i}`]);
    }
  }, 180_000);

  it('outlive a database restart: the failed round is reported and retried, polling goes on, and its recovery is reported', async () => {
    const db = await server.createDatabase('restart');
    const core = await SyncCore.open({ database: db, clock: systemClock });
    cores.push(core);
    const sub = await core.platform.createSubAccount({ name: 'Restart' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const appleId = `restart${i}@example.com`;
      mock.control.createAccount({ appleId, fullName: `Restart ${i}`, password: 'regular', appPasswords: ['aaaa-bbbb-cccc-dddd'] });
      mock.control.createCalendar(appleId, { name: 'home', displayName: 'Home' });
      const user = await core.platform.createUser({ subAccountId: sub.id, name: `Restart ${i}`, email: `r${i}@restart.test`, timeZone: 'UTC' });
      const connection = await core.connections.connect({ subAccountId: sub.id, userId: user.id, appleId, appPassword: 'aaaa-bbbb-cccc-dddd', serverUrl: mock.gatewayUrl });
      await core.connections.chooseCalendars(connection.id, { linked: 'Home' });
      ids.push(connection.id);
    }
    const w = startWorker(db, 'r1', ['--lease-seconds', '3', '--every-seconds', '0.2', '--concurrency', '2'], { stderr: 'pipe' });
    workers.push(w);
    const syncedSince = async (since: number) => (await core.state.listConnections()).filter((c) => ids.includes(c.id) && (c.lastSyncAt ?? 0) > since).length;
    for (let i = 0; (await syncedSince(0)) < ids.length; i++) {
      if (i > 600) throw new Error('the worker did not sync');
      await new Promise((r) => setTimeout(r, 100));
    }
    const failedRound = lineMatching(w.stderr!, /icloud-sync worker r1: a polling round failed \(.+\); trying again in 0\.2 s/);
    const recovered = lineMatching(w.stderr!, /icloud-sync worker r1: polling works again, after \d+ failed rounds? since \d{4}-/);
    await server.restart(async () => void (await failedRound));
    const restartedAt = Date.now();
    for (const id of ids) await core.state.updateConnection(id, { nextPollAt: 0 });
    for (let i = 0; (await syncedSince(restartedAt)) < ids.length; i++) {
      if (i > 600) throw new Error('the worker did not poll again after the restart');
      await new Promise((r) => setTimeout(r, 100));
    }
    await recovered; // and it said so
    expect(w.exitCode).toBeNull();
    w.kill('SIGTERM');
    const [code] = (await once(w, 'exit')) as [number | null];
    expect(code).toBe(0);
  }, 120_000);
});
