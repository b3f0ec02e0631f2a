/**
 * The store for products that outgrow one machine: PostgreSQL through node-postgres (db/sql.ts),
 * the same platform and sync-state code as SQLite, a pool of connections, and transactions that
 * pin one connection for their callback. Many workers can share it (leases: scheduler.ts).
 */
import type { Clock } from '../../common/clock.js';
import { ADVISORY_LOCKS, migrate, PostgresDb } from '../db/sql.js';
import { POSTGRES_MIGRATIONS } from './postgres/migrations.js';
import { SqlStore } from './sql-store.js';

/** The oldest PostgreSQL the schema runs on: the statement keys call pg_current_xact_id(), new in 13. */
export const OLDEST_POSTGRES = 13;

/**
 * Refuses a server older than OLDEST_POSTGRES, given its `server_version_num` and `server_version`.
 * Checked before migrating: PL/pgSQL reads a function's body only when it first runs, so on an
 * older server the schema would be created and the first insert of a first sync would fail.
 */
export function checkServerVersion(versionNum: number, version: string): void {
  if (versionNum < OLDEST_POSTGRES * 10_000) throw new Error(`PostgreSQL ${OLDEST_POSTGRES} or later is needed; this server runs PostgreSQL ${version}`);
}

export class PostgresStore extends SqlStore<PostgresDb> {
  private constructor(db: PostgresDb, clock: Clock) {
    super('postgres', db, clock);
  }

  /** Connects to `url` (postgres://…) and brings the schema up to date. */
  static async open(url: string, clock: Clock, options: { poolSize?: number } = {}): Promise<PostgresStore> {
    const db = await PostgresDb.connect(url, { max: options.poolSize });
    try {
      const server = (await db.get<{ num: string; version: string }>("SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version"))!;
      checkServerVersion(Number(server.num), server.version);
      // Several processes may start at once on a new database: one migrates, the others wait.
      await db.transaction(async () => {
        await db.exec(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.migrations})`);
        await migrate(db, POSTGRES_MIGRATIONS);
      });
    } catch (error) {
      // An idle pooled connection would keep a one-shot process (icloud-sync) alive for seconds.
      await db.close();
      throw error;
    }
    return new PostgresStore(db, clock);
  }
}
