/**
 * SyncCore: the whole engine behind one object, for embedding, for the CLI and for the
 * conformance harness. Storage is any `Store` (store/store.ts): SQLite embedded by default (a file
 * or `:memory:`), or one passed in.
 */
import { systemClock, type Clock } from '../common/clock.js';
import { AppPasswordSealer } from './connections/app-passwords.js';
import { Connections } from './connections/connections.js';
import type { SyncReport } from './engine/report.js';
import { SyncEngine } from './engine/sync-run.js';
import type { WindowConfig } from './engine/window.js';
import { calendarFreeSlots, freeSlots } from './platform/availability.js';
import { book, blockTime, cancel, reschedule, type BlockTimeRequest, type BookingRequest } from './platform/booking.js';
import type { PlatformEvent, TimeRange } from './platform/model.js';
import { Scheduler, type SchedulerOptions } from './scheduler/scheduler.js';
import { isPostgresUrl, openStore } from './store/open.js';
import { SqliteStore } from './store/sqlite-store.js';
import type { PlatformRepository, Store, SyncStateRepository } from './store/store.js';

export interface SyncCoreOptions {
  /** The store to use; default: SQLite at `database`. */
  store?: Store;
  /** SQLite file, or `:memory:` (default), when no `store` is given; `SyncCore.open` also takes a postgres:// URL. */
  database?: string;
  clock?: Clock;
  /** The fetch iCloud requests go through (tests, proxies). */
  fetch?: typeof fetch;
  window?: WindowConfig;
  schedule?: SchedulerOptions;
  /** Names this process in the User-Agent of its iCloud requests (several workers on one database). */
  workerId?: string;
  /**
   * Encrypts app-specific passwords at rest: 32 bytes as 64 hex digits or base64
   * (connections/app-passwords.ts). Without it they are stored as given.
   */
  secretKey?: string;
}

export class SyncCore {
  readonly clock: Clock;
  readonly store: Store;
  readonly platform: PlatformRepository;
  readonly state: SyncStateRepository;
  readonly connections: Connections;
  readonly engine: SyncEngine;
  readonly scheduler: Scheduler;

  /** Opens the store `database` names (a SQLite path, `:memory:` or a postgres:// URL), then the engine. */
  static async open(options: SyncCoreOptions = {}): Promise<SyncCore> {
    const clock = options.clock ?? systemClock;
    const store = options.store ?? (await openStore(options.database ?? ':memory:', clock));
    return new SyncCore({ ...options, clock, store });
  }

  constructor(options: SyncCoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    if (!options.store && options.database && isPostgresUrl(options.database)) {
      throw new Error('a postgres:// database is opened asynchronously: use `await SyncCore.open({ database })`');
    }
    this.store = options.store ?? new SqliteStore(options.database ?? ':memory:', this.clock);
    this.platform = this.store.platform;
    this.state = this.store.state;
    this.connections = new Connections({
      store: this.store,
      clock: this.clock,
      fetch: options.fetch,
      userAgent: options.workerId ? `icloud-sync/0.1 (worker ${options.workerId})` : undefined,
      passwords: AppPasswordSealer.fromKey(options.secretKey),
    });
    this.engine = new SyncEngine({ store: this.store, clock: this.clock, connections: this.connections, window: options.window });
    this.scheduler = new Scheduler({ engine: this.engine, store: this.store, clock: this.clock }, options.schedule);
  }

  /** One sync run for one connection. */
  sync(connectionId: string): Promise<SyncReport> {
    return this.engine.syncConnection(connectionId);
  }

  /** One polling cycle: every active connection that is due. */
  poll(): Promise<SyncReport[]> {
    return this.scheduler.tick();
  }

  /** Books through a platform calendar, refusing slots taken by busy events (A3). */
  book(request: BookingRequest): Promise<PlatformEvent> {
    return book(this.store, request);
  }

  reschedule(eventId: string, newStart: number): Promise<PlatformEvent> {
    return reschedule(this.store, eventId, newStart);
  }

  cancel(eventId: string): Promise<PlatformEvent> {
    return cancel(this.store, eventId);
  }

  blockTime(request: BlockTimeRequest): Promise<PlatformEvent> {
    return blockTime(this.store, request);
  }

  freeSlots(userId: string, range: TimeRange, slotMinutes = 30) {
    return freeSlots(this.platform, userId, range, slotMinutes);
  }

  calendarFreeSlots(calendarId: string, range: TimeRange) {
    return calendarFreeSlots(this.platform, calendarId, range);
  }

  async close(): Promise<void> {
    await this.scheduler.stop();
    await this.store.close();
  }
}
