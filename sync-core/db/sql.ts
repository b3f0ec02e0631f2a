/**
 * One async SQL interface over SQLite (better-sqlite3) and PostgreSQL (node-postgres), so the
 * platform records and the sync state are written once (platform/sql-platform-records.ts,
 * state/sync-state.ts) and every store passes the same contract suite.
 *
 * - Statements use `?` placeholders with an array of values, or `@name` with one object of values;
 *   the Postgres side numbers them ($1, $2, …).
 * - `transaction(fn)`: every statement issued while `fn` runs (in its async context, found by
 *   AsyncLocalStorage) belongs to the transaction; a transaction inside it joins it. That is the
 *   unit of work D3 rests on: a platform change and its sync bookkeeping commit together.
 * - Integers are JavaScript numbers on both sides (epoch milliseconds need 64 bits in Postgres).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { idOf } from '../store/ids.js';
import { Mutex } from '../store/mutex.js';

export type Dialect = 'sqlite' | 'postgres';
export type Params = ReadonlyArray<unknown>;

export interface SqlDb {
  readonly dialect: Dialect;
  get<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T | undefined>;
  all<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]>;
  run(sql: string, params?: Params): Promise<{ changes: number }>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A JSON array of `expression` ordered by `order`, as text (SQLite) or json (Postgres). */
export function jsonArray(dialect: Dialect, expression: string, order: string): string {
  return dialect === 'sqlite' ? `json_group_array(${expression} ORDER BY ${order})` : `COALESCE(json_agg(${expression} ORDER BY ${order}), '[]'::json)`;
}

/** Parses a JSON array column whichever way the driver hands it over. */
export function arrayColumn<T>(value: unknown): T[] {
  return (typeof value === 'string' ? JSON.parse(value) : (value ?? [])) as T[];
}

/** `(?, ?, …)` with `n` placeholders: an IN list, or one row of a multi-row INSERT. */
export function placeholders(n: number): string {
  return `(${new Array<string>(n).fill('?').join(', ')})`;
}

/**
 * `items` in runs of at most `size`, so that an IN list or a multi-row INSERT stays well under each
 * driver's parameter limit (32,766 in SQLite, 65,535 in PostgreSQL) whatever the batch size.
 */
export function chunked<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A value as it is bound: text with a lone UTF-16 surrogate (a JavaScript string can hold one; UTF-8
 * cannot) gets U+FFFD in its place, as node-postgres always wrote it. better-sqlite3 wrote three,
 * and PostgreSQL refuses it inside a JSON parameter (insertRows), so both drivers get it mended.
 */
function bindable(value: unknown): unknown {
  if (typeof value === 'string') return (value as string & { toWellFormed(): string }).toWellFormed();
  if (Array.isArray(value)) return value.map(bindable);
  return value;
}

function bindableParams(params: Params): unknown[] {
  if (isValues(params)) return [Object.fromEntries(Object.entries(params[0]).map(([k, v]) => [k, bindable(v)]))];
  return params.map(bindable);
}

/** Statement texts PostgresDb plans on every call (see plannedEachCall). */
const PLANNED_EACH_CALL = new Set<string>();

/**
 * Marks a statement whose best plan changes while one run fills its tables, and returns it.
 * PostgresDb prepares small statements once per connection and PostgreSQL may then keep a generic
 * plan made when the tables were empty: a first sync's per-page lookups kept scanning tables that
 * had grown to 10,000 rows. These are planned afresh each time, for what the tables hold now.
 * (SQLite plans from the indexes alone, not from table sizes.)
 */
export function plannedEachCall(sql: string): string {
  PLANNED_EACH_CALL.add(sql);
  return sql;
}

/** Values bound in one SQLite statement at most (its limit is 32,766; a smaller batch plans faster). */
const SQLITE_VALUES_PER_STATEMENT = 6000;

/**
 * Inserts `rows` (values in `columns` order) into `table`, with `conflict` (an ON CONFLICT clause)
 * after them, all or none, in as few statements as each database does best:
 *
 * - SQLite: multi-row VALUES, in chunks under its parameter limit, in one transaction (or the
 *   caller's). One prepared single-row INSERT per row was measured too: faster for remote_objects'
 *   wide rows, slower for the narrow tables, no faster over a first sync.
 * - PostgreSQL: one statement whose rows travel as one array parameter per column, unpacked by
 *   unnest and cast to the column's own type (PostgresDb.columnTypes). Its text is the same for
 *   any number of rows, so it is prepared once per connection; a multi-row VALUES of 1,500
 *   parameters was parsed and planned afresh each time, and cost a first sync of 10,000 events
 *   more than a second. The rows travelled as one JSON parameter before (json_populate_recordset):
 *   500 remote_objects rows cost PostgreSQL 180-190 ms of CPU per 10,000 that way, 150-160 ms as
 *   arrays, for the same CPU in the engine.
 */
export async function insertRows(db: SqlDb, table: string, columns: readonly string[], rows: readonly unknown[][], conflict = ''): Promise<void> {
  if (rows.length === 0) return;
  const list = columns.join(', ');
  if (db instanceof PostgresDb) {
    let types = await db.columnTypes(table);
    // A column added since the types were read (another process migrated the table): read again.
    if (columns.some((c) => !types.has(c))) types = await db.columnTypes(table, true);
    const arrays = columns.map((_, i) => arrayLiteral(rows, i));
    const unpacked = columns.map((column) => `?::${types.get(column) ?? 'text'}[]`).join(', ');
    await db.run(`INSERT INTO ${table} (${list}) SELECT * FROM unnest(${unpacked}) ${conflict}`, arrays);
    return;
  }
  const row = placeholders(columns.length);
  const chunks = chunked(rows, Math.max(1, Math.floor(SQLITE_VALUES_PER_STATEMENT / columns.length)));
  // Several statements are one unit: a row refused in the second must not leave the first's rows.
  const insertAll = async () => {
    for (const chunk of chunks) await db.run(`INSERT INTO ${table} (${list}) VALUES ${chunk.map(() => row).join(', ')} ${conflict}`, flatten(chunk, columns.length));
  };
  await (chunks.length > 1 ? db.transaction(insertAll) : insertAll());
}

/**
 * Column `i` of `rows` as a PostgreSQL array literal, `{"a","b\"c",NULL,42}`: what node-postgres
 * would send for a JavaScript array, built here with one scan per value instead of its two
 * replaces (a first sync's import sends 75,000 values in these).
 */
function arrayLiteral(rows: readonly unknown[][], i: number): string {
  const parts = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const value = rows[r]![i];
    if (value === null || value === undefined) parts[r] = 'NULL';
    else if (typeof value === 'number' || typeof value === 'bigint') parts[r] = String(value);
    else {
      // No bindable() here: query() mends the whole literal, once, as it binds it.
      const text = typeof value === 'string' ? value : String(value);
      parts[r] = NEEDS_ESCAPE.test(text) ? `"${text.replace(/["\\]/g, '\\$&')}"` : `"${text}"`;
    }
  }
  return `{${parts.join(',')}}`;
}

const NEEDS_ESCAPE = /["\\]/;

/**
 * A JSON array of objects as a table named `alias`, with these columns and SQL types, for a
 * statement that takes a batch of rows in one parameter (bound as `JSON.stringify(rows)`): the
 * same text for any number of rows, so PostgreSQL prepares it once. A key an object lacks reads
 * as NULL.
 */
export function jsonRows(dialect: Dialect, alias: string, columns: Readonly<Record<string, 'text' | 'bigint'>>): string {
  const names = Object.keys(columns);
  if (dialect === 'postgres') return `json_to_recordset(?::json) AS ${alias}(${names.map((n) => `${n} ${columns[n]}`).join(', ')})`;
  return `(SELECT ${names.map((n) => `value ->> '$.${n}' AS ${n}`).join(', ')} FROM json_each(?)) AS ${alias}`;
}

/**
 * `rows` as one list of values, `width` from each. Array.prototype.flat took a quarter of a
 * 500-row insert's time in V8; a loop into an array of the final size does not.
 */
function flatten(rows: readonly unknown[][], width: number): unknown[] {
  const values = new Array<unknown>(rows.length * width);
  let n = 0;
  for (const row of rows) for (let i = 0; i < width; i++) values[n++] = row[i];
  return values;
}

/**
 * Runs a statement that matches a column against many `values`. `statement(match, bound)` gets the
 * match to put after the column and the values to bind in its place:
 *
 * - SQLite: `IN (?, ?, …)` and a chunk of the values, once per chunk;
 * - PostgreSQL: `= ANY(?)` and one array, once: the same text for any number of values, prepared
 *   once per connection (a 500-value IN list was planned afresh every time).
 */
export async function matchingAny<T>(db: SqlDb, values: readonly unknown[], statement: (match: string, bound: unknown[]) => Promise<T[]>): Promise<T[]> {
  if (values.length === 0) return [];
  if (db.dialect === 'postgres') return statement('= ANY(?)', [values]);
  const out: T[] = [];
  for (const chunk of chunked(values)) out.push(...(await statement(`IN ${placeholders(chunk.length)}`, chunk)));
  return out;
}

export interface Migration {
  /** Unique and ordered, e.g. `platform-001`. */
  id: string;
  sql: string;
}

/** Runs the migrations not applied yet, each in its own transaction, in order. */
export async function migrate(db: SqlDb, migrations: Migration[]): Promise<void> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set((await db.all<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    await db.transaction(async () => {
      await db.exec(migration.sql);
      await db.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [migration.id, new Date().toISOString()]);
    });
  }
}

// ---- SQLite ------------------------------------------------------------------------------------------

/**
 * better-sqlite3 is synchronous with one connection: calls outside a transaction wait behind a
 * mutex, and a transaction holds it from BEGIN to COMMIT while its callback awaits the network.
 */
export class SqliteDb implements SqlDb {
  readonly dialect = 'sqlite';
  readonly raw: Database.Database;
  private readonly lock = new Mutex();
  private readonly inTransaction = new AsyncLocalStorage<true>();
  private readonly statements = new Map<string, Database.Statement>();

  /** Over an open better-sqlite3 database (db/database.ts openDatabase migrates it synchronously). */
  constructor(raw: Database.Database) {
    this.raw = raw;
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.raw.prepare(sql)));
    return s;
  }

  private call<T>(fn: () => T): Promise<T> {
    if (this.inTransaction.getStore()) return new Promise<T>((resolve) => resolve(fn()));
    return this.lock.run(fn);
  }

  get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    return this.call(() => this.statement(sql).get(...bindableParams(params)) as T | undefined);
  }

  all<T>(sql: string, params: Params = []): Promise<T[]> {
    return this.call(() => this.statement(sql).all(...bindableParams(params)) as T[]);
  }

  run(sql: string, params: Params = []): Promise<{ changes: number }> {
    return this.call(() => ({ changes: this.statement(sql).run(...bindableParams(params)).changes }));
  }

  exec(sql: string): Promise<void> {
    return this.call(() => void this.raw.exec(sql));
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) return fn();
    return this.lock.run(() =>
      this.inTransaction.run(true, async () => {
        this.raw.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn();
          this.raw.exec('COMMIT');
          return result;
        } catch (error) {
          if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
          throw error;
        }
      }),
    );
  }

  async close(): Promise<void> {
    await this.lock.run(() => this.raw.close());
  }
}

// ---- PostgreSQL ---------------------------------------------------------------------------------------

/** `?` → `$1`, `$2`, … outside string literals. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  let quoted = false;
  for (const c of sql) {
    if (c === "'") quoted = !quoted;
    out += c === '?' && !quoted ? `$${++n}` : c;
  }
  return out;
}

/** `@name` placeholders → `$1`, `$2`, … and the names in order (a statement given one object of values). */
export function namedPlaceholders(sql: string): { text: string; names: string[] } {
  const names: string[] = [];
  let quoted = false;
  let text = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'") quoted = !quoted;
    const m = !quoted && c === '@' ? /^@([A-Za-z_]\w*)/.exec(sql.slice(i)) : null;
    if (!m) {
      text += c;
      continue;
    }
    let n = names.indexOf(m[1]!);
    if (n < 0) n = names.push(m[1]!) - 1;
    text += `$${n + 1}`;
    i += m[0].length - 1;
  }
  return { text, names };
}

const isValues = (p: Params): p is [Record<string, unknown>] => p.length === 1 && typeof p[0] === 'object' && p[0] !== null && !Array.isArray(p[0]);

/** A pool of connections; a transaction pins one of them for its callback's async context. */
export class PostgresDb implements SqlDb {
  readonly dialect = 'postgres';
  private readonly client = new AsyncLocalStorage<pg.PoolClient>();
  private readonly texts = new Map<string, string>();

  constructor(readonly pool: pg.Pool) {}

  static async connect(url: string, options: { max?: number } = {}): Promise<PostgresDb> {
    const { default: pgModule } = await import('pg');
    // BIGINT (epoch milliseconds, counters) as numbers: every value the stores keep fits in 2^53.
    pgModule.types.setTypeParser(20, (v: string) => Number(v));
    const pool = new pgModule.Pool({ connectionString: url, max: options.max ?? 4 });
    // An idle connection the server drops (a restart, a failover) is replaced on next use; without a
    // listener its error would end the process.
    pool.on('error', () => undefined);
    const db = new PostgresDb(pool);
    try {
      await db.get('SELECT 1 AS ok');
    } catch (error) {
      await pool.end();
      throw error;
    }
    return db;
  }

  private text(sql: string): string {
    let t = this.texts.get(sql);
    if (t === undefined) this.texts.set(sql, (t = numberPlaceholders(sql)));
    return t;
  }

  private readonly named = new Map<string, { text: string; names: string[] }>();

  private readonly prepared = new Map<string, string>();

  /** Every table's column types, read in one catalogue query (see columnTypes). */
  private tableTypes: Promise<Map<string, Map<string, string>>> | undefined;

  /**
   * Each column of `table` with its SQL type (`bigint`, `text`…). The catalogue is read once for
   * every table of the schema: a first sync's first import batch waited for one such read per table
   * it writes (five, 14 ms each in a new process), and every later batch waited behind it. Read
   * again when asked (`again`: a column missing, a table migrated or created since).
   */
  async columnTypes(table: string, again = false): Promise<ReadonlyMap<string, string>> {
    if (again || !this.tableTypes) {
      const read = this.all<{ tbl: string; name: string; type: string }>(
        `SELECT c.relname AS tbl, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`,
      ).then((rows) => {
        const tables = new Map<string, Map<string, string>>();
        for (const r of rows) {
          let columns = tables.get(r.tbl);
          if (!columns) tables.set(r.tbl, (columns = new Map()));
          columns.set(r.name, r.type);
        }
        return tables;
      });
      // A failed read (the database restarting) is not kept: the next insert asks again.
      read.catch(() => {
        if (this.tableTypes === read) this.tableTypes = undefined;
      });
      this.tableTypes = read;
    }
    return (await this.tableTypes).get(table) ?? new Map();
  }

  private async query(sql: string, params: Params): Promise<pg.QueryResult> {
    let text: string;
    let values: unknown[];
    if (isValues(params)) {
      // Named values (`@id`), as better-sqlite3 takes them: the same statements serve both.
      let n = this.named.get(sql);
      if (!n) this.named.set(sql, (n = namedPlaceholders(sql)));
      const given = params[0];
      text = n.text;
      values = n.names.map((name) => bindable(given[name] ?? null));
    } else {
      text = this.text(sql);
      values = params.map(bindable);
    }
    const target = this.client.getStore() ?? this.pool;
    // The small statements a poll repeats are named, so each is parsed and planned once per pooled
    // connection, not on every call (planning was a quarter of a steady poll's database time).
    // Statements with many values (a multi-row VALUES or IN list of a caller that does not use
    // insertRows or matchingAny) stay unnamed: preparing each size on each connection made a first
    // sync a third slower. So do the plannedEachCall ones.
    if (values.length > 32 || PLANNED_EACH_CALL.has(sql)) return target.query(text, values);
    let name = this.prepared.get(text);
    if (!name) this.prepared.set(text, (name = `s${this.prepared.size + 1}`));
    try {
      return await target.query({ name, text, values });
    } catch (error) {
      // A table changed under a prepared `SELECT *` (another process migrated it): plan it afresh.
      if ((error as { code?: string }).code !== '0A000') throw error;
      return target.query(text, values);
    }
  }

  async get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async all<T>(sql: string, params: Params = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async run(sql: string, params: Params = []): Promise<{ changes: number }> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    const pinned = this.client.getStore();
    await (pinned ?? this.pool).query(sql);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.client.getStore()) return fn();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await this.client.run(client, fn);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** PostgreSQL's advisory lock keys, all here so that no two uses share one by accident. */
export const ADVISORY_LOCKS = {
  /** Held while a process brings the schema up to date (PostgresStore.open). */
  migrations: 7342001,
  /** Held by a connect from its last checks to its commit (SyncState.holdConnectionWrites). */
  connects: 7342002,
} as const;

/**
 * Deterministic ids (`evt_000042`) from a counter in the database: the same scenario gives the same
 * ids on every run, and ids stay unique across restarts and across workers sharing a database.
 */
export async function nextId(db: SqlDb, prefix: string): Promise<string> {
  return (await nextIds(db, prefix, 1))[0]!;
}

/** After this, nextIds(prefix) gives only ids above `n` (the counter of an id a caller chose: store/ids.ts). */
export async function skipIdsTo(db: SqlDb, prefix: string, n: number): Promise<void> {
  const larger = db.dialect === 'postgres' ? 'GREATEST' : 'max';
  await db.run(`INSERT INTO id_counters (prefix, next) VALUES (?, ?) ON CONFLICT (prefix) DO UPDATE SET next = ${larger}(id_counters.next, excluded.next)`, [prefix, n + 1]);
}

/** `count` consecutive ids in one statement (what `count` calls of nextId would give). */
export async function nextIds(db: SqlDb, prefix: string, count: number): Promise<string[]> {
  if (count === 0) return [];
  const row = await db.get<{ first: number }>(
    'INSERT INTO id_counters (prefix, next) VALUES (?, ? + 1) ON CONFLICT (prefix) DO UPDATE SET next = id_counters.next + excluded.next - 1 RETURNING next - ? AS first',
    [prefix, count, count],
  );
  return Array.from({ length: count }, (_, i) => idOf(prefix, row!.first + i));
}
