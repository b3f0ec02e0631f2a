/**
 * A Store over the async SQL layer (db/sql.ts): the same platform and sync state on any database
 * it supports; SqliteStore and PostgresStore only open their database. The platform's rules are
 * not here: PlatformService (platform/platform-service.ts) holds them above SqlPlatformRecords,
 * which only keeps the records in SQL.
 */
import type { Clock } from '../../common/clock.js';
import { nextId, type SqlDb } from '../db/sql.js';
import { PlatformService } from '../platform/platform-service.js';
import { runStartColumns, SqlPlatformRecords, userFromJson } from '../platform/sql-platform-records.js';
import { SyncState, type Connection } from '../state/sync-state.js';
import type { RunStart, Store, StoreTx } from './store.js';

export class SqlStore<Db extends SqlDb = SqlDb> implements Store {
  readonly platform: PlatformService;
  readonly state: SyncState;
  private readonly runStart: ReturnType<typeof runStartColumns>;

  constructor(
    readonly kind: string,
    readonly db: Db,
    clock: Clock,
  ) {
    this.platform = new PlatformService(new SqlPlatformRecords(db), clock);
    this.state = new SyncState(db);
    this.runStart = runStartColumns(db.dialect);
  }

  /**
   * One statement: the plans', with each user's row and change-feed probe as two more scalar
   * subqueries supplied by the platform records (runStartColumns). A quiet poll is then a share of
   * this and of the statement that records the runs.
   */
  async startRuns(connections: readonly Pick<Connection, 'id' | 'userId' | 'changeCursor'>[], windowEnd: number): Promise<RunStart[]> {
    const planned = await this.state.planRuns(connections, windowEnd, this.runStart);
    return planned.map(({ plan, extra: row }) => ({ user: userFromJson(row.run_user), plan, platformChanges: row.run_changed != null }));
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
