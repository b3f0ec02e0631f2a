/**
 * The embedded SQLite database (better-sqlite3): the platform model and the sync state live in one
 * file (or `:memory:`), so a sync step and its bookkeeping commit in one transaction (RULES.md D3).
 * Each module contributes numbered migrations; they run once, in order, each in a transaction.
 */
import Database from 'better-sqlite3';

export type Db = Database.Database;

export interface Migration {
  /** Unique and ordered, e.g. `platform-001`. */
  id: string;
  sql: string;
}

export function openDatabase(path: string, migrations: Migration[]): Db {
  const db = new Database(path);
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT id FROM schema_migrations').all() as { id: string }[]).map((r) => r.id));
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run(migration.id, new Date().toISOString());
    })();
  }
  return db;
}

/**
 * Deterministic ids (`evt_000042`) from a counter in the database: the same scenario gives the same
 * ids on every run, and ids stay unique across restarts of a file-backed database.
 */
export const ID_MIGRATION: Migration = {
  id: 'ids-001',
  sql: 'CREATE TABLE id_counters (prefix TEXT PRIMARY KEY, next INTEGER NOT NULL)',
};

/**
 * The prepared statement for `sql` on `db`, prepared once: preparing costs more than running a
 * small statement, and the engine runs a few per event.
 */
export function prepared(db: Db, sql: string): Database.Statement {
  let cache = statementCaches.get(db);
  if (!cache) statementCaches.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

const statementCaches = new WeakMap<Db, Map<string, Database.Statement>>();

export function nextId(db: Db, prefix: string): string {
  const row = prepared(db, 'INSERT INTO id_counters (prefix, next) VALUES (?, 2) ON CONFLICT(prefix) DO UPDATE SET next = next + 1 RETURNING next - 1 AS n').get(prefix) as { n: number };
  return `${prefix}_${String(row.n).padStart(6, '0')}`;
}
