/**
 * The embedded store: SQLite through better-sqlite3 (db/sql.ts), one file (or `:memory:`) holding
 * the platform model and the sync state, so one SQLite transaction covers both (D3).
 */
import type { Clock } from '../../common/clock.js';
import { ID_MIGRATION, openDatabase } from '../db/database.js';
import { nextId, SqliteDb } from '../db/sql.js';
import { PLATFORM_MIGRATIONS } from '../platform/migrations.js';
import { SqlPlatformStore } from '../platform/sql-platform-store.js';
import { SYNC_STATE_MIGRATIONS } from '../state/migrations.js';
import { SyncState } from '../state/sync-state.js';
import type { Store, StoreTx } from './store.js';

export const SQLITE_MIGRATIONS = [ID_MIGRATION, ...PLATFORM_MIGRATIONS, ...SYNC_STATE_MIGRATIONS];

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly db: SqliteDb;
  readonly platform: SqlPlatformStore;
  readonly state: SyncState;

  /** Opens the database at `path` (a file, or `:memory:`), creating and migrating it, synchronously. */
  constructor(path: string, clock: Clock) {
    this.db = new SqliteDb(openDatabase(path, SQLITE_MIGRATIONS));
    this.platform = new SqlPlatformStore(this.db, clock);
    this.state = new SyncState(this.db);
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
