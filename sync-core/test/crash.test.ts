/**
 * RULES.md D3, on SQLite and on PostgreSQL: a sync killed at any point (SIGKILL, in a child process) and run again leaves no
 * duplicate and loses nothing: after one clean run the whole state, platform and iCloud, equals
 * that of a run that never crashed. Kill points cover every request of the run, before it is sent
 * and after its answer arrived.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentHash } from '../engine/content-hash.js';
import { SyncCore } from '../sync-core.js';
import { postgresPeer } from '../store/postgres/test-postgres.js';
import { useTestPostgres } from '../store/postgres/use-test-postgres.js';
import { syncInChild } from './crash-run.js';
import { at, connectAlice, createWorld, iphoneEvent, type TestWorld } from './world.js';

const dir = mkdtempSync(join(tmpdir(), 'sync-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let ports: { port: number; partitionPort: number } | undefined;

/** Everything up to the run under test: a synced connection, then changes on both sides. */
async function setUp(database: string): Promise<{ w: TestWorld; connectionId: string }> {
  if (!database.startsWith('postgres')) {
    rmSync(database, { force: true });
    rmSync(`${database}-wal`, { force: true });
    rmSync(`${database}-shm`, { force: true });
  }
  const w = await createWorld({ database, ...ports });
  ports ??= { port: Number(new URL(w.mock.gatewayUrl).port), partitionPort: Number(new URL(w.mock.partitionUrl).port) };
  const connection = await connectAlice(w, { linked: 'work', conflict: ['home', "Bob's family"] });
  const kept = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-12-01T11:00:00Z'), contactId: w.contactId, title: 'Kept' });
  const moved = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-12-02T11:00:00Z'), contactId: w.contactId, title: 'Moved' });
  const cancelled = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-12-03T11:00:00Z'), contactId: w.contactId, title: 'Cancelled' });
  await w.core.sync(connection.id);
  w.advance(60_000);
  // Platform side
  await w.core.book({ calendarId: w.calendars.roundRobin.id, start: at('2026-12-04T11:00:00Z'), contactId: w.contactId, title: 'New booking' });
  await w.core.book({ calendarId: w.calendars.collective.id, start: at('2026-12-07T14:00:00Z'), contactId: w.contactId, title: 'Team booking' });
  await w.core.reschedule(moved.id, at('2026-12-02T15:00:00Z'));
  await w.core.cancel(cancelled.id);
  await w.core.blockTime({ subAccountId: w.subAccountId, userId: w.alice.id, start: at('2026-12-08T10:00:00Z'), end: at('2026-12-08T11:00:00Z'), title: 'Private' });
  const pickJohn = (await w.core.platform.listEventsForUser(w.alice.id, { start: at('2026-11-24T00:00:00Z'), end: at('2026-11-25T00:00:00Z') })).find((e) => e.title === 'Pick John from school')!;
  await w.core.platform.updateEvent(pickJohn.id, { title: 'Pick John (grandma)' });
  // iPhone side
  for (let i = 0; i < 4; i++) w.mock.control.putEvent('alice@example.com', 'home', { ics: iphoneEvent(`IPHONE-${i}`, `2026120${i + 1}T080000Z`, `2026120${i + 1}T083000Z`) });
  w.mock.control.deleteEvent('alice@example.com', 'home', 'F0C05E11-2233-4455-8899-AABBCCDDEEFF.ics');
  const keptInICloud = w.mock.control.listEvents('alice@example.com', 'work').find((e) => e.uid.startsWith(kept.id))!;
  w.mock.control.putEvent('alice@example.com', 'work', {
    name: keptInICloud.name,
    ics: keptInICloud.data.replace('SUMMARY:Kept', 'SUMMARY:Kept (edited on iPhone)').replace(/LAST-MODIFIED:\d{8}T\d{6}Z/, 'LAST-MODIFIED:20261121T090130Z'),
  });
  w.advance(60_000);
  return { w, connectionId: connection.id };
}

/** The state that must not depend on whether a run crashed: no ids that depend on timing, no etags. */
async function snapshot(w: TestWorld) {
  const platform = (await w.core.platform.listEventsForUser(w.alice.id, { start: -8.64e15, end: 8.64e15 }))
    .concat(await w.core.platform.listEventsForUser(w.bob.id, { start: -8.64e15, end: 8.64e15 }))
    .map((e) => ({ id: e.id, kind: e.kind, title: e.title, start: e.start, end: e.end, busy: e.busy, status: e.status, origin: e.origin, userIds: e.userIds, contactIds: e.contactIds }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const icloud = ['home', 'work'].flatMap((cal) => w.mock.control.listEvents('alice@example.com', cal).map((e) => ({ cal, name: e.name, uid: e.uid, content: contentHash(e.data) })));
  icloud.sort((a, b) => `${a.cal}/${a.name}`.localeCompare(`${b.cal}/${b.name}`));
  return { platform, icloud };
}

/** The crash test on one store: `database(label)` gives a fresh, empty database (a SQLite path or a postgres:// URL). */
function crashSafety(store: string, database: (label: string) => Promise<string>) {
  it(`recovers from a SIGKILL before or after any request to the state of a run that never crashed (${store})`, async () => {
    const reference = await setUp(await database('reference'));
    const report = await reference.w.core.sync(reference.connectionId);
    expect(report.outcome).toBe('ok');
    expect(report.pushed.created).toBeGreaterThan(0);
    expect(report.pulled.created).toBeGreaterThan(0);
    const expected = await snapshot(reference.w);
    await reference.w.close();

    // How many requests does the run under test send? Count them on a fresh replay.
    const probeDatabase = await database('probe');
    const probe = await setUp(probeDatabase);
    const before = probe.w.mock.control.journal().length;
    await probe.w.core.close();
    const completed = await syncInChild(probeDatabase, probe.connectionId, probe.w.clock.now(), 1_000_000, 'before');
    expect(completed).toMatch(/^exit 0: completed after \d+ requests/);
    const n = Number(/after (\d+) requests/.exec(completed)![1]);
    expect(probe.w.mock.control.journal().length - before).toBe(n);
    await probe.w.mock.close();
    expect(n).toBeGreaterThan(5);

    const points: Array<[number, 'before' | 'after']> = [];
    for (let k = 1; k <= n; k++) points.push([k, 'after']);
    for (let k = 1; k <= n; k += 3) points.push([k, 'before']);
    for (const [k, mode] of points) {
      const crashed = await database(`crash_${k}_${mode}`);
      const { w, connectionId } = await setUp(crashed);
      await w.core.close();
      expect(await syncInChild(crashed, connectionId, w.clock.now(), k, mode)).toBe('killed');
      const recovery = await SyncCore.open({ database: crashed, clock: w.clock, fetch });
      const recovered = await recovery.sync(connectionId);
      expect(recovered.outcome, `run after a kill ${mode} request ${k}: ${JSON.stringify(recovered.errors)}`).toBe('ok');
      const after = { ...w, core: recovery } as TestWorld;
      expect(await snapshot(after), `state after a kill ${mode} request ${k}`).toEqual(expected);
      await recovery.close();
      await w.mock.close();
    }
  }, 300_000);
}

describe('D3: crash safety', () => {
  crashSafety('SQLite', async (label) => join(dir, `${label}.sqlite`));
});

const postgres = await postgresPeer();

describe.skipIf(postgres.skip)('D3: crash safety on PostgreSQL', () => {
  const server = useTestPostgres(postgres);
  crashSafety('PostgreSQL', (label) => server().createDatabase(`crash_${label}`));
});
