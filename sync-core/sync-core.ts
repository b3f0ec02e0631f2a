/**
 * SyncCore: the whole engine behind one object, for embedding, for the CLI and for the
 * conformance harness. One SQLite database holds the platform model and the sync state.
 */
import { systemClock, type Clock } from '../common/clock.js';
import { Connections } from './connections/connections.js';
import { nextId, type Db } from './db/database.js';
import type { SyncReport } from './engine/report.js';
import { SyncEngine } from './engine/sync-run.js';
import type { WindowConfig } from './engine/window.js';
import { calendarFreeSlots, freeSlots } from './platform/availability.js';
import { book, blockTime, cancel, reschedule, type BlockTimeRequest, type BookingRequest } from './platform/booking.js';
import type { PlatformEvent, TimeRange } from './platform/model.js';
import { openPlatformDatabase, SqlitePlatformStore } from './platform/sqlite-platform-store.js';
import { Scheduler, type SchedulerOptions } from './scheduler/scheduler.js';
import { SYNC_STATE_MIGRATIONS } from './state/migrations.js';
import { SyncState } from './state/sync-state.js';

export interface SyncCoreOptions {
  /** SQLite file, or `:memory:` (default). */
  database?: string;
  clock?: Clock;
  /** The fetch iCloud requests go through (tests, proxies). */
  fetch?: typeof fetch;
  window?: WindowConfig;
  schedule?: SchedulerOptions;
}

export class SyncCore {
  readonly db: Db;
  readonly clock: Clock;
  readonly platform: SqlitePlatformStore;
  readonly state: SyncState;
  readonly connections: Connections;
  readonly engine: SyncEngine;
  readonly scheduler: Scheduler;

  constructor(options: SyncCoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.db = openPlatformDatabase(options.database ?? ':memory:', SYNC_STATE_MIGRATIONS);
    this.platform = new SqlitePlatformStore(this.db, this.clock);
    this.state = new SyncState(this.db);
    this.connections = new Connections({ platform: this.platform, state: this.state, clock: this.clock, fetch: options.fetch, newId: () => nextId(this.db, 'icl') });
    this.engine = new SyncEngine({ platform: this.platform, state: this.state, clock: this.clock, connections: this.connections, window: options.window });
    this.scheduler = new Scheduler({ engine: this.engine, state: this.state, platform: this.platform, clock: this.clock }, options.schedule);
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
  book(request: BookingRequest): PlatformEvent {
    return this.platform.transaction(() => book(this.platform, request));
  }

  reschedule(eventId: string, newStart: number): PlatformEvent {
    return this.platform.transaction(() => reschedule(this.platform, eventId, newStart));
  }

  cancel(eventId: string): PlatformEvent {
    return this.platform.transaction(() => cancel(this.platform, eventId));
  }

  blockTime(request: BlockTimeRequest): PlatformEvent {
    return this.platform.transaction(() => blockTime(this.platform, request));
  }

  freeSlots(userId: string, range: TimeRange, slotMinutes = 30) {
    return freeSlots(this.platform, userId, range, slotMinutes);
  }

  calendarFreeSlots(calendarId: string, range: TimeRange) {
    return calendarFreeSlots(this.platform, calendarId, range);
  }

  close(): void {
    this.scheduler.stop();
    this.db.close();
  }
}
