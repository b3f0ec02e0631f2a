/**
 * The store for products that outgrow one machine: PostgreSQL through node-postgres (db/sql.ts),
 * the same platform and sync-state code as SQLite, a pool of connections, and transactions that
 * pin one connection for their callback. Many workers can share it (leases: scheduler.ts).
 */
import type { Clock } from '../../common/clock.js';
import { migrate, PostgresDb } from '../db/sql.js';
import { POSTGRES_MIGRATIONS } from './postgres/migrations.js';
import { SqlStore } from './sql-store.js';

export class PostgresStore extends SqlStore<PostgresDb> {
  private constructor(db: PostgresDb, clock: Clock) {
    super('postgres', db, clock);
  }

  /** Connects to `url` (postgres://…) and brings the schema up to date. */
  static async open(url: string, clock: Clock, options: { poolSize?: number } = {}): Promise<PostgresStore> {
    const db = await PostgresDb.connect(url, { max: options.poolSize });
    // Several processes may start at once on a new database: one migrates, the others wait.
    await db.transaction(async () => {
      await db.exec('SELECT pg_advisory_xact_lock(7342001)');
      await migrate(db, POSTGRES_MIGRATIONS);
    });
    return new PostgresStore(db, clock);
  }
}
