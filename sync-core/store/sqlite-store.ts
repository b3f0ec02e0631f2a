/**
 * The embedded store: SQLite through better-sqlite3, one file (or `:memory:`) holding the platform
 * model and the sync state, so one SQLite transaction covers both (D3).
 *
 * better-sqlite3 is synchronous and has one connection, so the async interface is a thin layer:
 * every call outside a transaction waits its turn behind a mutex, and a transaction holds the
 * mutex from BEGIN to COMMIT while its callback awaits the network; calls made inside it (found by
 * AsyncLocalStorage) run directly, in the transaction.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../../common/clock.js';
import { nextId, type Db } from '../db/database.js';
import { openPlatformDatabase, SqlitePlatformStore } from '../platform/sqlite-platform-store.js';
import { SYNC_STATE_MIGRATIONS } from '../state/migrations.js';
import { SyncState } from '../state/sync-state.js';
import { Mutex } from './mutex.js';
import type { Asyncify, PlatformRepository, Store, StoreTx, SyncStateRepository } from './store.js';

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly db: Db;
  readonly platform: PlatformRepository;
  readonly state: SyncStateRepository;
  /** The synchronous implementations underneath (tests and benchmarks that need raw speed). */
  readonly sync: { platform: SqlitePlatformStore; state: SyncState };
  private readonly lock = new Mutex();
  private readonly inTransaction = new AsyncLocalStorage<true>();

  constructor(path: string, clock: Clock) {
    this.db = openPlatformDatabase(path, SYNC_STATE_MIGRATIONS);
    this.sync = { platform: new SqlitePlatformStore(this.db, clock), state: new SyncState(this.db) };
    this.platform = this.view(this.sync.platform) as PlatformRepository;
    this.state = this.view(this.sync.state) as SyncStateRepository;
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) return fn(this);
    return this.lock.run(() =>
      this.inTransaction.run(true, async () => {
        this.db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(this);
          this.db.exec('COMMIT');
          return result;
        } catch (error) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          throw error;
        }
      }),
    );
  }

  newId(prefix: string): Promise<string> {
    return this.call(() => nextId(this.db, prefix));
  }

  async close(): Promise<void> {
    await this.lock.run(() => this.db.close());
  }

  /** Runs a synchronous call in turn, or at once inside this store's transaction. */
  private call<T>(fn: () => T): Promise<T> {
    if (this.inTransaction.getStore()) return new Promise<T>((resolve) => resolve(fn()));
    return this.lock.run(fn);
  }

  /** The async face of a synchronous repository: every method goes through `call`. */
  private view<T extends object>(target: T): Asyncify<T> {
    return new Proxy(target, {
      get: (t, property) => {
        const value = Reflect.get(t, property, t) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => this.call(() => (value as (...a: unknown[]) => unknown).apply(t, args));
      },
    }) as unknown as Asyncify<T>;
  }
}
