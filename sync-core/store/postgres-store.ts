/**
 * The store for products that outgrow one machine: PostgreSQL through node-postgres (db/sql.ts),
 * the same platform and sync-state code as SQLite, a pool of connections, and transactions that
 * pin one connection for their callback. Many workers can share it (worker leases: scheduler).
 */
import type { Clock } from '../../common/clock.js';
import { migrate, nextId, PostgresDb } from '../db/sql.js';
import { SqlPlatformStore } from '../platform/sql-platform-store.js';
import { SyncState } from '../state/sync-state.js';
import { POSTGRES_MIGRATIONS } from './postgres/migrations.js';
import type { Store, StoreTx } from './store.js';

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly platform: SqlPlatformStore;
  readonly state: SyncState;

  private constructor(
    readonly db: PostgresDb,
    clock: Clock,
  ) {
    this.platform = new SqlPlatformStore(db, clock);
    this.state = new SyncState(db);
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

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.db.transaction(() => fn(this));
  }

  newId(prefix: string): Promise<string> {
    return nextId(this.db, prefix);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
