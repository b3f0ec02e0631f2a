/**
 * A first sync big enough for several import batches (engine/bulk-import.ts), on SQLite and on
 * PostgreSQL, where two batches are in flight at once: ids follow the listing whatever order the
 * batches' own work finishes in, and a batch the database refuses fails the batches after it
 * without losing or doubling anything on the next run (D3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { utcDateTime } from '../../icalendar/index.js';
import type { SqlDb } from '../db/sql.js';
import { IMPORT_BATCH } from '../engine/bulk-import.js';
import { postgresPeer } from '../store/postgres/test-postgres.js';
import { useTestPostgres } from '../store/postgres/use-test-postgres.js';
import { SyncCore } from '../sync-core.js';
import { syncInChild } from './crash-run.js';
import { NOW, connectAlice, createWorld, iphoneEvent, type TestWorld } from './world.js';

const dir = mkdtempSync(join(tmpdir(), 'sync-batches-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EVENTS = 2 * IMPORT_BATCH + 250; // three batches, the last one short
const HOUR = 3_600_000;
const title = (i: number) => `Bulk ${String(i).padStart(4, '0')}`;

function bulkEvent(i: number): { name: string; ics: string } {
  const start = NOW + (i + 1) * HOUR;
  return { name: `bulk-${String(i).padStart(4, '0')}.ics`, ics: iphoneEvent(`BULK-${i}`, utcDateTime(start), utcDateTime(start + HOUR / 2), [], title(i)) };
}

/** Alice's slots as a run that never crashed must leave them: ids included. */
async function slots(w: TestWorld) {
  const events = await w.core.platform.listEventsForUser(w.alice.id, { start: -8.64e15, end: 8.64e15 });
  return events.map((e) => ({ id: e.id, title: e.title, start: e.start, end: e.end, kind: e.kind })).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** The titles of Alice's imported bulk slots, in the order of their ids. */
async function bulkTitlesById(w: TestWorld): Promise<string[]> {
  return (await slots(w)).map((e) => e.title).filter((t) => t.startsWith('Bulk '));
}

function importBatches(store: string, database: () => Promise<string>, refuse: { create: string; drop: string }) {
  let w: TestWorld | undefined;
  afterEach(() => w?.close());

  async function worldWithBulk(at?: string): Promise<TestWorld> {
    w = await createWorld({ database: at ?? (await database()) });
    for (let i = 0; i < EVENTS; i++) w.mock.control.putEvent('alice@example.com', 'home', bulkEvent(i));
    return w;
  }

  it(`imports ${EVENTS} new events in three batches with ids in listing order (${store})`, async () => {
    const w = await worldWithBulk();
    const connection = await connectAlice(w, { linked: 'work', conflict: ['home'] });
    const report = await w.core.sync(connection.id);
    expect(report.outcome).toBe('ok');
    expect(await bulkTitlesById(w)).toEqual(Array.from({ length: EVENTS }, (_, i) => title(i)));
  });

  it(`fails the batches after one the database refuses, and the next run brings in exactly the rest (${store})`, async () => {
    const w = await worldWithBulk();
    const db = (w.core.store as unknown as { db: SqlDb }).db;
    await db.exec(refuse.create); // the second batch holds Bulk 0600
    const connection = await connectAlice(w, { linked: 'work', conflict: ['home'] });
    const failed = await w.core.sync(connection.id);
    expect(failed.outcome).toBe('failed');
    expect(JSON.stringify(failed.errors)).toContain('refused by the test');
    // The first batch stays (the listing's first 500 objects: the home calendar's own few, then
    // bulk ones); the refused one and the one after it (whose rows were written while the refused
    // one was still open, on PostgreSQL) leave nothing.
    const kept = await bulkTitlesById(w);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => title(i)));
    expect(kept.length).toBeGreaterThan(IMPORT_BATCH - 10);
    expect(kept.length).toBeLessThanOrEqual(IMPORT_BATCH);

    await db.exec(refuse.drop);
    const again = await w.core.sync(connection.id);
    expect(again.outcome).toBe('ok');
    expect(await bulkTitlesById(w)).toEqual(Array.from({ length: EVENTS }, (_, i) => title(i)));
  });

  it(`recovers from a SIGKILL while batches are being written to the state of a run that never crashed, ids included (${store})`, async () => {
    const reference = await worldWithBulk();
    const first = await connectAlice(reference, { linked: 'work', conflict: ['home'] });
    expect((await reference.core.sync(first.id)).outcome).toBe('ok');
    const expected = await slots(reference);
    await reference.close();
    w = undefined;

    /** A world as the reference's before its first sync, its engine closed for the child to open. */
    const crashWorld = async () => {
      const at = await database();
      const cw = await worldWithBulk(at);
      const connection = await connectAlice(cw, { linked: 'work', conflict: ['home'] });
      await cw.core.close();
      w = undefined;
      return { at, cw, connectionId: connection.id };
    };

    // How many requests the run sends, on a replay that is not killed; then a kill after the answer
    // to each. After a download, the batches of the pages before may be committed, being written
    // or not started (timing decides, and any of them must recover).
    const probe = await crashWorld();
    const completed = await syncInChild(probe.at, probe.connectionId, probe.cw.clock.now(), 1_000_000, 'after');
    await probe.cw.mock.close();
    const n = Number(/^exit 0: completed after (\d+) requests/.exec(completed)?.[1]);
    expect(n, completed).toBeGreaterThan(3);

    for (let k = 1; k <= n; k++) {
      const { at, cw, connectionId } = await crashWorld();
      expect(await syncInChild(at, connectionId, cw.clock.now(), k, 'after')).toBe('killed');
      const recovery = await SyncCore.open({ database: at, clock: cw.clock, fetch });
      const report = await recovery.sync(connectionId);
      expect(report.outcome, `after a kill at request ${k}: ${JSON.stringify(report.errors)}`).toBe('ok');
      expect(await slots({ ...cw, core: recovery }), `state after a kill at request ${k}`).toEqual(expected);
      await recovery.close();
      await cw.mock.close();
    }
  }, 120_000);
}

describe('a first sync in several import batches on SQLite', () => {
  let n = 0;
  importBatches('SQLite', async () => join(dir, `batches_${++n}.sqlite`), {
    create: "CREATE TRIGGER refuse_bulk BEFORE INSERT ON platform_events WHEN NEW.title = 'Bulk 0600' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
    drop: 'DROP TRIGGER refuse_bulk;',
  });
});

const postgres = await postgresPeer();

describe.skipIf(postgres.skip)('a first sync in several import batches on PostgreSQL', () => {
  const server = useTestPostgres(postgres);
  let n = 0;
  importBatches('PostgreSQL', () => server().createDatabase(`batches_${++n}`), {
    create: `CREATE FUNCTION refuse_bulk() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.title = 'Bulk 0600' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_bulk BEFORE INSERT ON platform_events FOR EACH ROW EXECUTE FUNCTION refuse_bulk();`,
    drop: 'DROP TRIGGER refuse_bulk ON platform_events;',
  });
});
