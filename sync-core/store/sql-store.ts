/**
 * A Store over the async SQL layer (db/sql.ts): the same platform store and sync state on any
 * database it supports; SqliteStore and PostgresStore only open their database.
 */
import type { Clock } from '../../common/clock.js';
import { nextId, type SqlDb } from '../db/sql.js';
import { SqlPlatformStore } from '../platform/sql-platform-store.js';
import { SyncState } from '../state/sync-state.js';
import type { Store, StoreTx } from './store.js';

export class SqlStore<Db extends SqlDb = SqlDb> implements Store {
  readonly platform: SqlPlatformStore;
  readonly state: SyncState;

  constructor(
    readonly kind: string,
    readonly db: Db,
    clock: Clock,
  ) {
    this.platform = new SqlPlatformStore(db, clock);
    this.state = new SyncState(db);
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
