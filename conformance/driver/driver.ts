/**
 * The SyncEngineDriver: everything a scenario does to, or reads from, the platform side of the
 * engine under test. Scenario steps and expectations talk only to a driver and to the mock iCloud,
 * so any team's engine can be tested by writing one: the built-in SyncCoreDriver wraps sync-core.
 *
 * Ids are the engine's own, opaque strings; the runner maps scenario keys (alice, appt1) to them.
 * Times are epoch milliseconds. Every call is async so a driver may talk to another process.
 * An engine refusing an action throws an Error whose `code` (or message) names the rule-relevant
 * reason (`read-only-linked-calendar`, `apple-id-in-other-sub-account`): `expectError` matches it.
 */

/** The platform's booking calendar types (RULES.md vocabulary). */
export const CALENDAR_TYPES = ['round_robin', 'collective', 'class_booking', 'service', 'simple', 'event'] as const;

/**
 * What a driver may be unable to do. A scenario needing a capability its driver lacks is reported
 * as skipped, naming what is missing; it never passes.
 */
export const DRIVER_CAPABILITIES = [
  /** `sync: { interruptAfterRequests: N }`: the run dies before sending request N+1. */
  'crash-before-request',
  /** `sync: { loseAnswerOf: N }`: iCloud carries out request N, the run dies before the answer. */
  'crash-after-request',
  /** `poll`: one polling cycle over every due connection. */
  'poll',
  /** `given.window`: the sync window can be set per scenario. */
  'sync-window',
  /** Booking calendars of each type a scenario may create. */
  'calendar-type:round_robin',
  'calendar-type:collective',
  'calendar-type:class_booking',
  'calendar-type:service',
  'calendar-type:simple',
  'calendar-type:event',
] as const;

export type DriverCapability = (typeof DRIVER_CAPABILITIES)[number];

export interface WorkingHours {
  /** ISO weekdays, 1 = Monday. */
  days: number[];
  start: string;
  end: string;
}

export interface DriverEvent {
  id: string;
  kind: 'appointment' | 'blocked';
  title: string;
  description?: string;
  location?: string;
  start: number;
  end: number;
  allDay: boolean;
  busy: boolean;
  status: 'confirmed' | 'cancelled';
  origin: 'platform' | 'icloud';
  /** Number of contacts (appointments have at least one, blocked slots none). */
  contacts: number;
  deleted: boolean;
}

export interface DriverCalendar {
  id: string;
  slotMinutes: number;
}

export interface OfferedCalendar {
  url: string;
  displayName: string;
  access: 'writable' | 'read-only';
  isLinked: boolean;
  isConflict: boolean;
}

export interface DriverConnection {
  id: string;
  status: string;
  reason?: string;
}

export interface DriverConflict {
  /** The platform event the conflict is about. */
  eventId: string;
  winner: 'platform' | 'icloud';
  /** The change that lost, as it was; times as epoch ms (`start`, `end`), `source` the losing side. */
  losingChange: Record<string, unknown>;
}

/** One sync run's report, as RULES.md needs it observed. */
export interface SyncRunReport {
  connectionId: string;
  outcome: 'ok' | 'partial' | 'failed' | 'skipped';
  pulled: { created: number; updated: number; unchanged: number; remoteDeletionsKept: number; echoesIgnored: number };
  pushed: { created: number; updated: number; deleted: number; adopted: number };
  conflicts: Array<{ eventId: string; winner: 'platform' | 'icloud' }>;
  skipped: Array<{ reason: string }>;
  errors: Array<{ message: string; code?: string }>;
  fullResyncs: string[];
  retryAfterMs?: number;
}

export interface CrashPoint {
  interruptAfterRequests?: number;
  loseAnswerOf?: number;
}

export interface TimeRange {
  start: number;
  end: number;
}

export interface SyncEngineDriver {
  readonly name: string;
  readonly capabilities: ReadonlySet<DriverCapability>;

  // the platform world
  createSubAccount(init: { name: string }): Promise<string>;
  createUser(init: { subAccountId: string; name: string; email: string; timeZone: string; workingHours?: WorkingHours }): Promise<string>;
  createContact(init: { subAccountId: string; name: string; email?: string }): Promise<string>;
  createCalendar(init: { subAccountId: string; name: string; type: string; memberIds: string[]; slotMinutes?: number; capacity?: number }): Promise<DriverCalendar>;
  /** The engine's clock; the runner moves it together with the mock's. */
  setClock(epochMs: number): Promise<void>;

  // connections
  connect(init: { userId: string; appleId: string; appPassword: string; serverUrl: string }): Promise<string>;
  reconnect(connectionId: string, appPassword: string): Promise<void>;
  refreshCalendars(connectionId: string): Promise<void>;
  chooseCalendars(connectionId: string, choice: { linked?: string | null; conflict?: string[] }): Promise<void>;
  disconnect(connectionId: string): Promise<void>;
  setSyncPreferences(connectionId: string, preferences: Record<string, unknown>): Promise<void>;
  enableICloudSync(calendarId: string): Promise<void>;

  // platform actions
  book(init: { calendarId: string; start: number; contactId: string; title?: string }): Promise<string>;
  reschedule(eventId: string, start: number): Promise<void>;
  update(eventId: string, patch: { title?: string; start?: number; end?: number; location?: string; description?: string }): Promise<void>;
  cancel(eventId: string): Promise<void>;
  deleteEvent(eventId: string): Promise<void>;
  blockTime(init: { userId: string; start: number; end: number; title: string; allDay: boolean }): Promise<string>;
  updateSlot(eventId: string, patch: { title?: string; start?: number; end?: number }): Promise<void>;
  deleteSlot(eventId: string): Promise<void>;

  // running
  sync(connectionId: string, crash?: CrashPoint): Promise<SyncRunReport>;
  poll(): Promise<SyncRunReport[]>;

  // reading
  /** Every event of the user; deleted ones (tombstones) only with includeDeleted. */
  events(userId: string, options?: { includeDeleted?: boolean }): Promise<DriverEvent[]>;
  /** The user's events that make the range busy. */
  busy(userId: string, range: TimeRange): Promise<DriverEvent[]>;
  freeSlots(userId: string, range: TimeRange, minutes: number): Promise<TimeRange[]>;
  offeredSlots(calendarId: string, range: TimeRange): Promise<Array<TimeRange & { freeUserIds: string[] }>>;
  contacts(subAccountId: string): Promise<Array<{ id: string; name: string }>>;
  connection(userId: string): Promise<DriverConnection | undefined>;
  offeredCalendars(connectionId: string): Promise<OfferedCalendar[]>;
  /** Conflicts of one connection, or of every connection, in the order recorded. */
  conflicts(connectionId?: string): Promise<DriverConflict[]>;
  lastReport(connectionId: string): Promise<SyncRunReport | undefined>;
  /** The UID the engine gives the iCloud copy of a platform event (how `event:` finds it in iCloud). */
  icloudUid(eventId: string): Promise<string>;

  close(): Promise<void>;
}

export interface DriverOptions {
  now: number;
  window?: { pastDays: number; futureDays: number };
}

/** Makes a fresh engine for one scenario (its own state, nothing shared with other scenarios). */
export type DriverFactory = (options: DriverOptions) => Promise<SyncEngineDriver>;
