/**
 * The foreign keys PostgreSQL checks once per statement (statement-keys.ts) keep the guarantees of
 * the constraints they replaced: on the migrated schema, through plain SQL (any writer), one
 * session against another where locks matter.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../common/clock.js';
import { PostgresStore } from '../postgres-store.js';
import { STATEMENT_KEYS } from './statement-keys.js';
import { postgresPeer, someoneWaitsForALock } from './test-postgres.js';
import { useTestPostgres } from './use-test-postgres.js';

const postgres = await postgresPeer();

const OBJECT = `INSERT INTO remote_objects (connection_id, href, calendar_url, uid, data, content_hash, origin) VALUES ($1, $2, '/cal/', $2, 'BEGIN:VCALENDAR', 'h', 'icloud')`;
const LINK = `INSERT INTO occurrence_links (connection_id, uid, recurrence_key, event_id, synced_version) VALUES ($1, $2, '', $2, 1)`;
const EVENT = `INSERT INTO platform_events (id, sub_account_id, kind, title, start_ms, end_ms, status, origin, version, updated_at, change_seq)
  VALUES ($1, $2, 'blocked', 'Busy', 0, 1, 'confirmed', 'icloud', 1, 0, $3)`;
const EVENT_USER = `INSERT INTO platform_event_users (event_id, user_id, position, active, live, start_ms, end_ms, change_seq) VALUES ($1, $2, 0, 1, 1, 0, 1, 1)`;

describe.skipIf(postgres.skip)('foreign keys checked once per statement (PostgreSQL)', () => {
  const server = useTestPostgres(postgres);
  let n = 0;
  let a: pg.Client;
  let b: pg.Client;
  /** Watches the others: a session waiting for a lock cannot be asked whether it waits. */
  let watcher: pg.Client;

  beforeEach(async () => {
    const url = await server().createDatabase(`keys_${++n}`);
    await (await PostgresStore.open(url, new FixedClock(0))).close(); // migrated
    a = new pg.Client({ connectionString: url });
    b = new pg.Client({ connectionString: url });
    watcher = new pg.Client({ connectionString: url });
    await Promise.all([a.connect(), b.connect(), watcher.connect()]);
    await a.query(`INSERT INTO platform_sub_accounts (id, name) VALUES ('sub_1', 'S');
      INSERT INTO platform_users (id, sub_account_id, name, email, time_zone, work_days, work_start, work_end) VALUES ('usr_1', 'sub_1', 'U', 'u@x.test', 'UTC', '[1]', 540, 1020);
      INSERT INTO platform_users (id, sub_account_id, name, email, time_zone, work_days, work_start, work_end) VALUES ('usr_2', 'sub_1', 'V', 'v@x.test', 'UTC', '[1]', 540, 1020);
      INSERT INTO connections (id, sub_account_id, user_id, apple_id, app_password, server_url, principal_url, home_url, status, created_at)
        VALUES ('conn_1', 'sub_1', 'usr_1', 'a@x.test', 'p', 's', 'p', 'h', 'active', 0),
               ('conn_2', 'sub_1', 'usr_2', 'b@x.test', 'p', 's', 'p', 'h', 'active', 0);`);
  });
  afterEach(async () => {
    await Promise.all([a?.end(), b?.end(), watcher?.end()]);
  });

  /** The SQLSTATE and message a statement fails with, or 'ok'. */
  const outcome = (client: pg.Client, sql: string, values: unknown[] = []) =>
    client.query(sql, values).then(
      () => 'ok',
      (error: { code?: string; message: string }) => `${error.code}: ${error.message}`,
    );
  const count = async (sql: string) => Number((await a.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`)).rows[0]!.n);

  /** Resolves once some session of this database waits for a lock (asked on `watcher`). */
  const aSessionWaits = () => someoneWaitsForALock(async (sql) => (await watcher.query<{ n: number }>(sql)).rows[0]);

  it('replaces exactly the five constraints a first sync writes per event', async () => {
    const { rows } = await a.query<{ name: string }>("SELECT conname AS name FROM pg_constraint WHERE contype = 'f'");
    const names = new Set(rows.map((r) => r.name));
    for (const key of STATEMENT_KEYS) expect(names.has(`${key.child}_${key.column}_fkey`), `${key.child}.${key.column}`).toBe(false);
    // The others stay real constraints.
    expect(names.has('platform_events_calendar_id_fkey')).toBe(true);
    expect(names.has('remote_calendars_connection_id_fkey')).toBe(true);
  });

  it('refuses a whole statement when one of its rows names a missing parent, for each key', async () => {
    await a.query(EVENT, ['evt_1', 'sub_1', 1]);
    const refused = [
      await outcome(a, `${OBJECT}, ('conn_1', 'h2', '/cal/', 'h2', 'x', 'h', 'icloud'), ('conn_9', 'h3', '/cal/', 'h3', 'x', 'h', 'icloud')`, ['conn_1', 'h1']),
      await outcome(a, LINK, ['conn_9', 'U1']),
      await outcome(a, EVENT, ['evt_2', 'sub_9', 2]),
      await outcome(a, EVENT_USER, ['evt_9', 'usr_1']),
      await outcome(a, EVENT_USER, ['evt_1', 'usr_9']),
    ];
    expect(refused).toEqual([
      `23503: insert into remote_objects refused: connection_id 'conn_9' is not in connections`,
      `23503: insert into occurrence_links refused: connection_id 'conn_9' is not in connections`,
      `23503: insert into platform_events refused: sub_account_id 'sub_9' is not in platform_sub_accounts`,
      `23503: insert into platform_event_users refused: event_id 'evt_9' is not in platform_events`,
      `23503: insert into platform_event_users refused: user_id 'usr_9' is not in platform_users`,
    ]);
    expect(await count('remote_objects')).toBe(0); // the good rows of the refused statement too
    expect(await count('platform_event_users')).toBe(0);
    expect(await outcome(a, EVENT_USER, ['evt_1', 'usr_1'])).toBe('ok');
  });

  it('deletes the sync state with its connection, and nothing of another connection', async () => {
    for (const [c, uid] of [
      ['conn_1', 'A'],
      ['conn_1', 'B'],
      ['conn_2', 'C'],
    ]) {
      await a.query(OBJECT, [c, uid]);
      await a.query(LINK, [c, uid]);
    }
    await a.query("DELETE FROM connections WHERE id = 'conn_1'");
    expect((await a.query('SELECT connection_id, uid FROM remote_objects')).rows).toEqual([{ connection_id: 'conn_2', uid: 'C' }]);
    expect((await a.query('SELECT connection_id, uid FROM occurrence_links')).rows).toEqual([{ connection_id: 'conn_2', uid: 'C' }]);
  });

  it('refuses to delete a parent still referred to, and allows it once nothing refers to it', async () => {
    await a.query(EVENT, ['evt_1', 'sub_1', 1]);
    await a.query(EVENT_USER, ['evt_1', 'usr_2']);
    expect(await outcome(a, "DELETE FROM platform_users WHERE id IN ('usr_1', 'usr_2')")).toMatch(
      /^23503: delete from platform_users refused: 'usr_2' is still referred to by platform_event_users.user_id/,
    );
    expect(await outcome(a, "DELETE FROM platform_events WHERE id = 'evt_1'")).toMatch(/^23503: delete from platform_events refused: 'evt_1'/);
    expect(await outcome(a, "DELETE FROM platform_sub_accounts WHERE id = 'sub_1'")).toMatch(/^23503: /);
    expect(await count('platform_users')).toBe(2);
    await a.query("DELETE FROM platform_event_users WHERE user_id = 'usr_2'");
    await a.query("DELETE FROM connections WHERE user_id = 'usr_2'");
    expect(await outcome(a, "DELETE FROM platform_users WHERE id = 'usr_2'")).toBe('ok');
  });

  it('never lets a key change, on either side, and leaves every other update alone', async () => {
    await a.query(OBJECT, ['conn_1', 'A']);
    await a.query(EVENT, ['evt_1', 'sub_1', 1]);
    await a.query(EVENT_USER, ['evt_1', 'usr_1']);
    expect(await outcome(a, "UPDATE remote_objects SET connection_id = 'conn_2'")).toBe('23503: update of remote_objects refused: connection_id is a key and never changes');
    expect(await outcome(a, "UPDATE platform_event_users SET user_id = 'usr_2'")).toMatch(/^23503: update of platform_event_users refused: user_id/);
    expect(await outcome(a, "UPDATE connections SET id = 'conn_3' WHERE id = 'conn_1'")).toBe('23503: update of connections refused: id is a key and never changes');
    // Setting a key to itself, and the updates the stores make, pass.
    expect(await outcome(a, "UPDATE remote_objects SET connection_id = 'conn_1', etag = 'e2'")).toBe('ok');
    expect(await outcome(a, "UPDATE connections SET lease_owner = 'w1' WHERE id = 'conn_1'")).toBe('ok');
    expect(await outcome(a, `${OBJECT} ON CONFLICT (connection_id, href) DO UPDATE SET data = 'changed'`, ['conn_1', 'A'])).toBe('ok');
    expect((await a.query('SELECT connection_id, etag, data FROM remote_objects')).rows).toEqual([{ connection_id: 'conn_1', etag: 'e2', data: 'changed' }]);
  });

  it('locks the parent as a constraint does: an insert waits for a delete in progress, then fails', async () => {
    await b.query('BEGIN');
    await b.query("DELETE FROM connections WHERE id = 'conn_1'");
    const insert = outcome(a, OBJECT, ['conn_1', 'A']);
    await aSessionWaits();
    await b.query('COMMIT');
    expect(await insert).toBe(`23503: insert into remote_objects refused: connection_id 'conn_1' is not in connections`);
    expect(await count('remote_objects')).toBe(0);
  });

  it('locks the parent as a constraint does: a delete waits for an insert in progress, then takes its rows', async () => {
    await b.query('BEGIN');
    await b.query(OBJECT, ['conn_1', 'A']);
    const deletion = outcome(a, "DELETE FROM connections WHERE id = 'conn_1'");
    await aSessionWaits();
    await b.query('COMMIT');
    expect(await deletion).toBe('ok');
    expect(await count('remote_objects')).toBe(0); // no orphan left behind
  });

  it('locks a parent written before, not one its own transaction wrote, and still refuses a missing one', async () => {
    await a.query('BEGIN');
    await a.query(EVENT, ['evt_1', 'sub_1', 1]);
    await a.query(EVENT_USER, ['evt_1', 'usr_1']);
    // A row lock shows as the locker's id in xmax: the user (committed before) is locked, the
    // event this transaction inserted is not (nobody else can see it, let alone delete it).
    const xid = (await a.query<{ x: string }>('SELECT pg_current_xact_id()::xid::text AS x')).rows[0]!.x;
    const xmax = async (table: string, id: string) => (await a.query<{ x: string }>(`SELECT xmax::text AS x FROM ${table} WHERE id = $1`, [id])).rows[0]!.x;
    expect(await xmax('platform_users', 'usr_1')).toBe(xid);
    expect(await xmax('platform_events', 'evt_1')).toBe('0');
    expect(await outcome(a, EVENT_USER, ['evt_2', 'usr_1'])).toMatch(/^23503: insert into platform_event_users refused: event_id 'evt_2'/);
    await a.query('ROLLBACK');
    expect(await count('platform_events')).toBe(0);
  });
});
