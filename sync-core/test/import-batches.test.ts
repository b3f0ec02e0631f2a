/**
 * A first sync big enough for several import batches (engine/bulk-import.ts), on SQLite and on
 * PostgreSQL, where two batches are in flight at once: ids follow the listing whatever order the
 * batches' own work finishes in, and a batch the database refuses fails the batches after it
 * without losing or doubling anything on the next run (D3).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlDb } from '../db/sql.js';
import { IMPORT_BATCH } from '../engine/bulk-import.js';
import { postgresPeer } from '../store/postgres/test-postgres.js';
import { useTestPostgres } from '../store/postgres/use-test-postgres.js';
import { NOW, connectAlice, createWorld, type TestWorld } from './world.js';

const EVENTS = 2 * IMPORT_BATCH + 250; // three batches, the last one short
const HOUR = 3_600_000;
const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const title = (i: number) => `Bulk ${String(i).padStart(4, '0')}`;

function bulkEvent(i: number): { name: string; ics: string } {
  const start = NOW + (i + 1) * HOUR;
  const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Apple Inc.//iPhone OS 26.1//EN', 'BEGIN:VEVENT', `UID:BULK-${i}`, 'DTSTAMP:20261121T090000Z']
    .concat([`DTSTART:${stamp(start)}`, `DTEND:${stamp(start + HOUR / 2)}`, `SUMMARY:${title(i)}`, 'END:VEVENT', 'END:VCALENDAR', ''])
    .join('\r\n');
  return { name: `bulk-${String(i).padStart(4, '0')}.ics`, ics };
}

/** The titles of Alice's imported bulk slots, in the order of their ids. */
async function bulkTitlesById(w: TestWorld): Promise<string[]> {
  const events = await w.core.platform.listEventsForUser(w.alice.id, { start: -8.64e15, end: 8.64e15 });
  const bulk = events.filter((e) => e.title.startsWith('Bulk '));
  return bulk.sort((a, b) => (a.id < b.id ? -1 : 1)).map((e) => e.title);
}

function importBatches(store: string, database: () => Promise<string | undefined>, refuse: { create: string; drop: string }) {
  let w: TestWorld | undefined;
  afterEach(() => w?.close());

  async function worldWithBulk(): Promise<TestWorld> {
    w = await createWorld({ database: await database() });
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
}

describe('a first sync in several import batches on SQLite', () => {
  importBatches('SQLite', async () => undefined, {
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
