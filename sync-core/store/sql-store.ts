/**
 * A Store over the async SQL layer (db/sql.ts): the same platform and sync state on any database
 * it supports; SqliteStore and PostgresStore only open their database. The platform's rules are
 * not here: PlatformService (platform/platform-service.ts) holds them above SqlPlatformRecords,
 * which only keeps the records in SQL.
 */
import type { Clock } from '../../common/clock.js';
import { nextId, type SqlDb } from '../db/sql.js';
import { PlatformService } from '../platform/platform-service.js';
import { SqlPlatformRecords } from '../platform/sql-platform-records.js';
import { SyncState } from '../state/sync-state.js';
import type { Store, StoreTx } from './store.js';

export class SqlStore<Db extends SqlDb = SqlDb> implements Store {
  readonly platform: PlatformService;
  readonly state: SyncState;

  constructor(
    readonly kind: string,
    readonly db: Db,
    clock: Clock,
  ) {
    this.platform = new PlatformService(new SqlPlatformRecords(db), clock);
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
