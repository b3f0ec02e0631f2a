/**
 * What only SQLite can show about the schema the shared SQL code runs on: the per-user queries are
 * index searches (EXPLAIN QUERY PLAN), and the schema itself refuses iCloud sync for a Simple
 * calendar (RULES.md T2), whatever code writes to it.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../common/clock.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { changedEventRefsSql, changedEventsSql, eventsForUserSql } from './sql-platform-records.js';

const H = 3_600_000;
const MON = Date.parse('2026-11-23T00:00:00Z'); // a Monday

async function setup() {
  const sqlite = new SqliteStore(':memory:', new FixedClock(Date.parse('2026-11-21T09:00:00Z')));
  const store = sqlite.platform;
  const sub = await store.createSubAccount({ name: 'Acme' });
  const alice = await store.createUser({ subAccountId: sub.id, name: 'Alice', email: 'alice@example.com', timeZone: 'Europe/London' });
  return { db: sqlite.db.raw, store, sub, alice };
}

describe('the SQLite schema', () => {
  it('the two per-user event queries are index searches, not table scans', async () => {
    const { db, store, sub, alice } = await setup();
    for (let i = 0; i < 50; i++) await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: `e${i}`, start: MON + i * H, end: MON + (i + 1) * H });
    db.exec('ANALYZE');
    const plan = (sql: string, ...args: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail);
    const forUser = plan(eventsForUserSql('sqlite'), alice.id, MON, MON + H);
    const changed = plan(changedEventsSql('sqlite'), alice.id, 10);
    const refs = plan(changedEventRefsSql('sqlite'), alice.id, 10);
    for (const p of [forUser, changed, refs]) {
      expect(p.filter((d) => /^SCAN/.test(d))).toEqual([]);
      expect(p).toContainEqual(expect.stringMatching(/^SEARCH e USING INDEX sqlite_autoindex_platform_events_1 \(id=\?\)/));
    }
    expect(forUser).toContainEqual(expect.stringMatching(/^SEARCH eu USING COVERING INDEX platform_event_users_live_by_end \(user_id=\? AND end_ms>\?\)/));
    for (const p of [changed, refs]) expect(p).toContainEqual(expect.stringMatching(/^SEARCH eu USING (COVERING )?INDEX platform_event_users_by_change \(user_id=\? AND change_seq>\?\)/));
  });

  it('refuses iCloud sync on a Simple calendar in the schema itself (T2)', async () => {
    const { db, store, sub, alice } = await setup();
    const simple = await store.createCalendar({ subAccountId: sub.id, name: 'Mine', type: 'simple', memberIds: [alice.id] });
    expect(() => db.prepare('UPDATE platform_calendars SET icloud_sync = 1 WHERE id = ?').run(simple.id)).toThrow(/CHECK constraint/);
  });
});
