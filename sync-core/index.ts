/**
 * sync-core: two-way sync between a scheduling platform and iCloud, obeying ../shared/RULES.md.
 *
 * @example
 * ```ts
 * const core = new SyncCore({ database: 'sync.sqlite' });
 * const sub = core.platform.createSubAccount({ name: 'Acme' });
 * const user = core.platform.createUser({ subAccountId: sub.id, name: 'Alice', email: 'a@x', timeZone: 'Europe/London' });
 * const connection = await core.connections.connect({ subAccountId: sub.id, userId: user.id, appleId, appPassword });
 * core.connections.chooseCalendars(connection.id, { linked: 'Work', conflict: ['Home'] });
 * const report = await core.sync(connection.id);
 * ```
 */
export { SyncCore, type SyncCoreOptions } from './sync-core.js';
export { SyncError, type SyncErrorCode } from './errors.js';
export { AuthRefusedError, ServiceUnavailableError, UnexpectedResponseError, ICloudError } from './caldav/errors.js';
export { CalDavClient, type RemoteCalendarInfo } from './caldav/client.js';
export { Connections, ICLOUD_SERVER_URL, type ConnectRequest, type OfferedCalendar } from './connections/connections.js';
export { SyncEngine } from './engine/sync-run.js';
export type { SyncReport } from './engine/report.js';
export { DEFAULT_WINDOW, syncWindow, type WindowConfig } from './engine/window.js';
export { Scheduler, DEFAULT_SCHEDULE, type SchedulerOptions } from './scheduler/scheduler.js';
export { FixedClock, systemClock, type Clock } from '../common/clock.js';
export { PlatformError, type PlatformStore } from './platform/store.js';
export { PlatformService } from './platform/platform-service.js';
export type { PlatformRecords, RecordKind, EventStamp } from './platform/records.js';
export { SqlPlatformRecords } from './platform/sql-platform-records.js';
export type { Store, StoreTx, PlatformRepository, SyncStateRepository } from './store/store.js';
export { SqliteStore } from './store/sqlite-store.js';
export { PostgresStore } from './store/postgres-store.js';
export { openStore } from './store/open.js';
export * from './platform/model.js';
export { freeSlots, calendarFreeSlots, busyIntervals } from './platform/availability.js';
export { book, reschedule, cancel, blockTime } from './platform/booking.js';
export type { Connection, RemoteCalendar, ConflictRecord } from './state/sync-state.js';
