/**
 * mock-icloud: an offline stand-in for iCloud's CalDAV service.
 *
 * @example
 * ```ts
 * const mock = await startMockICloud({ world: 'fixtures/worlds/demo.yaml' });
 * const client = await createDAVClient({ serverUrl: mock.gatewayUrl, credentials: { username: 'alice@example.com', password: 'abcd-efgh-ijkl-mnop' }, authMethod: 'Basic', defaultAccountType: 'caldav' });
 * mock.control.putEvent('alice@example.com', 'work', { ics });   // as if on an iPhone
 * await mock.close();
 * ```
 */
export { startMockICloud, type MockICloudOptions, type RunningMockICloud } from './server.js';
export { MockControl, type AccountSpec, type CalendarSpec, type CalendarSummary, type ShareSpec, type SubscriptionSpec, type EventWriteResult } from './control/control.js';
export { FAULT_KINDS, type Fault, type FaultKind, type FaultSpec, type FaultMatch } from './control/faults.js';
export type { JournalEntry, JournalQuery } from './control/journal.js';
export type { LogLevel } from './http/request-log.js';
export type { Invitation, InvitationQuery, ItipMethod } from './scheduling/sink.js';
export { FixedClock, systemClock, type Clock } from '../common/clock.js';
export { DEFAULT_QUIRKS, type Quirks } from './quirks.js';
export { loadWorldFile, parseWorldText, worldToYaml } from './world/files.js';
export { validateWorld, WorldError, type World, type WorldAccount, type WorldCalendar, type WorldEvent } from './world/schema.js';
export { StateError } from './store/store.js';
export type { Account, Calendar, CalendarObject } from './store/model.js';
