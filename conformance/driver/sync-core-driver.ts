/**
 * The built-in driver: sync-core in-process, on an in-memory database and a pinned clock. Its
 * fetch counts requests so a sync can die at an exact point, as a crash would: before request N+1
 * (`interruptAfterRequests`) or after iCloud has carried out request N but before the answer
 * arrives (`loseAnswerOf`).
 */
import { FixedClock, type Clock } from '../../common/clock.js';
import type { Store } from '../../sync-core/store/store.js';
import { busyIntervals } from '../../sync-core/platform/availability.js';
import type { PlatformEvent } from '../../sync-core/platform/model.js';
import { SyncCore } from '../../sync-core/sync-core.js';
import { DRIVER_CAPABILITIES, type CrashPoint, type DriverEvent, type DriverFactory, type DriverOptions, type SyncEngineDriver, type SyncRunReport } from './driver.js';

export class Interrupted extends Error {
  constructor() {
    super('sync interrupted by the scenario (interruptAfterRequests / loseAnswerOf)');
  }
}

/** A sync run's requests so far, and where it is to die. */
export interface CrashState {
  requests: number;
  crash: CrashPoint;
}

/**
 * `inner`, with each request numbered as it is sent, dying as a crash would at `state.crash`:
 * before sending request N+1 (interruptAfterRequests), or once iCloud has answered request N
 * (loseAnswerOf: the answer is lost, and nothing after N is sent). Each request keeps its own
 * number: requests overlap (the next download is asked for before the last one has answered), so
 * by the time an answer arrives later requests may have been numbered.
 */
export function crashingFetch(inner: typeof fetch, state: CrashState): typeof fetch {
  return async (input, init) => {
    const n = ++state.requests;
    const { interruptAfterRequests: before, loseAnswerOf: lose } = state.crash;
    if (before !== undefined && n > before) throw new Interrupted();
    if (lose !== undefined && n > lose) throw new Interrupted();
    const response = await inner(input, init);
    if (n === lose) throw new Interrupted(); // iCloud did the work; the answer is lost
    return response;
  };
}

const EVERYTHING = { start: -8.64e15, end: 8.64e15 };

function toDriverEvent(e: PlatformEvent): DriverEvent {
  return {
    id: e.id,
    kind: e.kind,
    title: e.title,
    ...(e.description !== undefined ? { description: e.description } : {}),
    ...(e.location !== undefined ? { location: e.location } : {}),
    start: e.start,
    end: e.end,
    allDay: e.allDay,
    busy: e.busy,
    status: e.status,
    origin: e.origin,
    contacts: e.contactIds.length,
    deleted: e.deleted,
  };
}

export class SyncCoreDriver implements SyncEngineDriver {
  readonly name = 'sync-core';
  readonly capabilities = new Set(DRIVER_CAPABILITIES);
  /** The sync-core itself, for tests of this driver; scenarios never reach past the interface. */
  readonly core: SyncCore;
  private readonly clock: FixedClock;
  private readonly run: CrashState = { requests: 0, crash: {} };

  /** `openStore` gives each scenario its own store (default: SQLite in memory). */
  constructor(options: DriverOptions, store?: (clock: FixedClock) => Store, clock?: FixedClock) {
    this.clock = clock ?? new FixedClock(options.now);
    this.core = new SyncCore({ clock: this.clock, fetch: crashingFetch(fetch, this.run), window: options.window, store: store?.(this.clock) });
  }

  async createSubAccount(init: { name: string }) {
    return (await this.core.platform.createSubAccount(init)).id;
  }
  async createUser(init: Parameters<SyncEngineDriver['createUser']>[0]) {
    return (await this.core.platform.createUser(init)).id;
  }
  async createContact(init: Parameters<SyncEngineDriver['createContact']>[0]) {
    return (await this.core.platform.createContact(init)).id;
  }
  async createCalendar(init: Parameters<SyncEngineDriver['createCalendar']>[0]) {
    const calendar = await this.core.platform.createCalendar({ ...init, type: init.type as never });
    return { id: calendar.id, slotMinutes: calendar.slotMinutes };
  }
  async setClock(epochMs: number) {
    this.clock.set(epochMs);
  }

  async connect(init: Parameters<SyncEngineDriver['connect']>[0]) {
    const user = await this.core.platform.getUser(init.userId);
    if (!user) throw new Error(`no user ${init.userId}`);
    return (await this.core.connections.connect({ subAccountId: user.subAccountId, ...init })).id;
  }
  async reconnect(connectionId: string, appPassword: string) {
    await this.core.connections.reconnect(connectionId, appPassword);
  }
  async refreshCalendars(connectionId: string) {
    await this.core.connections.refreshCalendars(connectionId);
  }
  async chooseCalendars(connectionId: string, choice: { linked?: string | null; conflict?: string[] }) {
    await this.core.connections.chooseCalendars(connectionId, choice);
  }
  async disconnect(connectionId: string) {
    await this.core.connections.disconnect(connectionId);
  }
  async setSyncPreferences(connectionId: string, preferences: Record<string, unknown>) {
    await this.core.connections.setSyncPreferences(connectionId, preferences);
  }
  async enableICloudSync(calendarId: string) {
    await this.core.platform.setICloudSync(calendarId, true);
  }

  async book(init: Parameters<SyncEngineDriver['book']>[0]) {
    return (await this.core.book(init)).id;
  }
  async reschedule(eventId: string, start: number) {
    await this.core.reschedule(eventId, start);
  }
  async update(eventId: string, patch: Parameters<SyncEngineDriver['update']>[1]) {
    await this.core.platform.updateEvent(eventId, patch);
  }
  async cancel(eventId: string) {
    await this.core.cancel(eventId);
  }
  async deleteEvent(eventId: string) {
    await this.core.platform.deleteEvent(eventId);
  }
  async blockTime(init: Parameters<SyncEngineDriver['blockTime']>[0]) {
    const user = await this.core.platform.getUser(init.userId);
    if (!user) throw new Error(`no user ${init.userId}`);
    return (await this.core.blockTime({ subAccountId: user.subAccountId, ...init } as never)).id;
  }
  async updateSlot(eventId: string, patch: Parameters<SyncEngineDriver['updateSlot']>[1]) {
    await this.core.platform.updateEvent(eventId, patch);
  }
  async deleteSlot(eventId: string) {
    await this.core.platform.deleteEvent(eventId);
  }

  async sync(connectionId: string, crash: CrashPoint = {}): Promise<SyncRunReport> {
    this.run.requests = 0;
    this.run.crash = crash;
    try {
      return await this.core.sync(connectionId);
    } finally {
      this.run.crash = {};
    }
  }
  async poll() {
    return this.core.poll();
  }

  async events(userId: string, options: { includeDeleted?: boolean } = {}) {
    const events = options.includeDeleted ? await this.core.platform.listChangedEvents(userId, 0) : await this.core.platform.listEventsForUser(userId, EVERYTHING);
    return events.map(toDriverEvent);
  }
  async busy(userId: string, range: { start: number; end: number }) {
    const events: PlatformEvent[] = [];
    for (const b of await busyIntervals(this.core.platform, userId, range)) {
      const event = await this.core.platform.getEvent(b.eventId);
      if (event) events.push(event);
    }
    return events.map(toDriverEvent);
  }
  async freeSlots(userId: string, range: { start: number; end: number }, minutes: number) {
    return (await this.core.freeSlots(userId, range, minutes)).map((s) => ({ start: s.start, end: s.end }));
  }
  async offeredSlots(calendarId: string, range: { start: number; end: number }) {
    return (await this.core.calendarFreeSlots(calendarId, range)).map((s) => ({ start: s.start, end: s.end, freeUserIds: s.freeUserIds }));
  }
  async contacts(subAccountId: string) {
    return (await this.core.platform.listContacts(subAccountId)).map((c) => ({ id: c.id, name: c.name }));
  }
  async connection(userId: string) {
    const user = await this.core.platform.getUser(userId);
    const stored = user && (await this.core.state.findConnection(user.subAccountId, user.id));
    return stored && { id: stored.id, status: stored.status, ...(stored.statusReason ? { reason: stored.statusReason } : {}) };
  }
  async offeredCalendars(connectionId: string) {
    return this.core.connections.offered(connectionId);
  }
  async conflicts(connectionId?: string) {
    return (await this.core.state.listConflicts(connectionId)).map((c) => ({ eventId: c.eventId, winner: c.winner, losingChange: c.losingChange }));
  }
  async lastReport(connectionId: string) {
    return (await this.core.state.lastRun(connectionId))?.report as SyncRunReport | undefined;
  }

  async icloudUid(eventId: string) {
    return `${eventId}@platform.icloud-sync`; // sync-core's deterministic UID (P1)
  }

  async close() {
    await this.core.close();
  }
}

export const syncCoreDriver: DriverFactory = async (options) => new SyncCoreDriver(options);

/** sync-core on another store: `open` makes a fresh, empty one per scenario (e.g. a new Postgres database). */
export function syncCoreDriverOn(open: (clock: Clock) => Promise<Store>): DriverFactory {
  return async (options) => {
    const clock = new FixedClock(options.now);
    const store = await open(clock);
    return new SyncCoreDriver(options, () => store, clock);
  };
}
