/**
 * The platform's rules, written once above any store (issue: a store that is not SQL should not
 * copy them): names, emails, time zones and working hours (validation.ts), calendar-type policies
 * (calendar-types/), who may take part (users, contacts and calendars of the same sub-account),
 * appointments versus blocked slots, change detection, versions and tombstones. Persistence is
 * PlatformRecords (records.ts); SqlPlatformRecords keeps it in SQLite or PostgreSQL.
 *
 * Every write runs its checks and its writes in one `records.transaction`, so a refused write
 * changes nothing and a multi-step write (ids, change numbers, rows) is atomic. Every write to an
 * event takes the next global changeSeq, bumps the event's version and sets updatedAt; deletions
 * are tombstones.
 */
import type { Clock } from '../../common/clock.js';
import { counterOf } from '../store/ids.js';
import type { PlatformRepository } from '../store/store.js';
import { iso } from './booking-checks.js';
import { policyOf } from './calendar-types/index.js';
import { CALENDAR_TYPES, type Contact, type PlatformCalendar, type PlatformEvent, type SubAccount, type User } from './model.js';
import { DuplicateIdError, type PlatformRecords, type RecordKind } from './records.js';
import { PlatformError, type ChangedEventRef, type EventPatch, type NewCalendar, type NewEvent, type NewUser } from './store.js';
import { DEFAULT_SLOT_MINUTES, DEFAULT_WORKING_HOURS, isValidTimeZone, requireInstant, requireName, validateWorkingHours } from './validation.js';

/**
 * The records one batch of checks reads, each read once (a thousand slots of one user read the user
 * once). What is read is also kept as a value, so that a batch's checks, once `load` has read what
 * an event names, run without an await per record (each await was a promise, and with
 * AsyncLocalStorage in use, an async hook call: a 10,000-event import spent more on them than on
 * the checks).
 */
class Lookups {
  private readonly memo = new Map<string, Promise<unknown>>();
  private readonly known = new Map<string, unknown>();
  constructor(private readonly records: PlatformRecords) {}

  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p)
      this.memo.set(
        key,
        (p = read().then((value) => {
          this.known.set(key, value);
          return value;
        })),
      );
    return p;
  }

  private subAccount = (id: string) => this.once(`s:${id}`, () => this.records.getSubAccount(id));
  async requireSubAccount(id: string): Promise<SubAccount> {
    return existingSubAccount(await this.subAccount(id), id);
  }
  user = (id: string) => this.once(`u:${id}`, () => this.records.getUser(id));
  contact = (id: string) => this.once(`c:${id}`, () => this.records.getContact(id));
  calendar = (id: string) => this.once(`k:${id}`, () => this.records.getCalendar(id));

  /**
   * Reads the records `init` names that are not read yet (nothing when all are: no promise at
   * all). Only what could be an id is read; what is malformed is left for the checks to refuse.
   */
  load(init: NewEvent): Promise<unknown> | undefined {
    const reads: (() => Promise<unknown>)[] = [];
    const want = (key: string, read: () => Promise<unknown>) => {
      if (!this.known.has(key)) reads.push(read);
    };
    if (typeof init.subAccountId === 'string') want(`s:${init.subAccountId}`, () => this.subAccount(init.subAccountId));
    if (typeof init.calendarId === 'string') want(`k:${init.calendarId}`, () => this.calendar(init.calendarId!));
    for (const u of Array.isArray(init.userIds) ? init.userIds : []) if (typeof u === 'string') want(`u:${u}`, () => this.user(u));
    for (const c of Array.isArray(init.contactIds) ? init.contactIds : []) if (typeof c === 'string') want(`c:${c}`, () => this.contact(c));
    if (reads.length === 0) return undefined;
    return (async () => {
      for (const read of reads) await read();
    })();
  }

  /** What `load` read. */
  subAccountNow = (id: string) => existingSubAccount(this.known.get(`s:${id}`) as SubAccount | undefined, id);
  userNow = (id: string) => this.known.get(`u:${id}`) as User | undefined;
  contactNow = (id: string) => this.known.get(`c:${id}`) as Contact | undefined;
  calendarNow = (id: string) => this.known.get(`k:${id}`) as PlatformCalendar | undefined;
}

/** Whether an id the caller chose can be one: only then is it looked for. */
const isIdText = (given: unknown): given is string => typeof given === 'string' && given.trim() !== '';

/** An id the caller chose, refused when it is empty or `taken`. */
function chosenId(given: unknown, taken: boolean, what: string): string {
  if (!isIdText(given)) throw new PlatformError('invalid', `${what} id must be a non-empty string (or leave it out to get one).`);
  if (taken) throw idTaken(what, given);
  return given;
}

function idTaken(what: string, id: string): PlatformError {
  return new PlatformError('conflict', `${what} ${id} already exists: choose another id or leave it out to get one.`);
}

/**
 * `insert`, with an id the database refuses as taken (DuplicateIdError) refused as chosenId
 * refuses it: where transactions run at once (PostgreSQL), another writer may take the id between
 * the check and the insert.
 */
async function insertingId(what: string, insert: () => Promise<void>): Promise<void> {
  try {
    await insert();
  } catch (error) {
    if (error instanceof DuplicateIdError) throw idTaken(what, error.id);
    throw error;
  }
}

function existingSubAccount(sa: SubAccount | undefined, id: string): SubAccount {
  if (!sa) throw new PlatformError('not-found', `Sub-account ${String(id)} does not exist: create it first with createSubAccount.`);
  return sa;
}

function userIn(user: User | undefined, userId: string, subAccountId: string, role: string): User {
  if (!user) throw new PlatformError('not-found', `User ${String(userId)} (${role}) does not exist: create the user first.`);
  if (user.subAccountId !== subAccountId) {
    throw new PlatformError('invalid', `User ${userId} (${role}) belongs to sub-account ${user.subAccountId}, not ${subAccountId}: only users of the same sub-account can take part.`);
  }
  return user;
}

function contactIn(contact: Contact | undefined, contactId: string, subAccountId: string): Contact {
  if (!contact) throw new PlatformError('not-found', `Contact ${String(contactId)} does not exist: create the contact first.`);
  if (contact.subAccountId !== subAccountId) {
    throw new PlatformError('invalid', `Contact ${contactId} belongs to sub-account ${contact.subAccountId}, not ${subAccountId}: book contacts of the event's own sub-account.`);
  }
  return contact;
}

/** userIds as an event takes them (at least one, each once), before each is looked for. */
function userIdList(userIds: unknown): string[] {
  if (!Array.isArray(userIds) || userIds.length === 0) throw new PlatformError('invalid', 'An event takes the time of at least one user: give userIds.');
  if (new Set(userIds).size !== userIds.length) throw new PlatformError('invalid', `userIds ${JSON.stringify(userIds)} repeat a user: list each once.`);
  return userIds as string[];
}

export class PlatformService implements PlatformRepository {
  constructor(
    readonly records: PlatformRecords,
    private readonly clock: Clock,
  ) {}

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.records.transaction(fn);
  }

  async currentChangeSeq(): Promise<number> {
    return this.records.currentChangeSeq();
  }

  private async newId(given: string | undefined, prefix: string, kind: RecordKind, what: string): Promise<string> {
    if (given === undefined) return (await this.records.nextIds(prefix, 1))[0]!;
    const id = chosenId(given, isIdText(given) && (await this.records.isIdTaken(kind, given)), what);
    await this.skipPast(prefix, [id]);
    return id;
  }

  /** Chosen ids in the store's own form (`usr_000005`) are never given by the counter (store/ids.ts). */
  private async skipPast(prefix: string, chosen: Iterable<string>): Promise<void> {
    let highest: number | undefined;
    for (const id of chosen) {
      const n = counterOf(prefix, id);
      if (n !== undefined && (highest === undefined || n > highest)) highest = n;
    }
    if (highest !== undefined) await this.records.skipIdsTo(prefix, highest);
  }

  // ------------------------------------------------------------------ sub-accounts

  async createSubAccount(init: { id?: string; name: string }): Promise<SubAccount> {
    return this.transaction(async () => {
      const name = requireName(init.name, 'A sub-account');
      const id = await this.newId(init.id, 'sub', 'sub-account', 'Sub-account');
      await insertingId('Sub-account', () => this.records.insertSubAccount({ id, name }));
      return { id, name };
    });
  }

  async getSubAccount(id: string): Promise<SubAccount | undefined> {
    return this.records.getSubAccount(id);
  }

  async listSubAccounts(): Promise<SubAccount[]> {
    return this.records.listSubAccounts();
  }

  private requireSubAccount(id: string): Promise<SubAccount> {
    return new Lookups(this.records).requireSubAccount(id);
  }

  // ------------------------------------------------------------------ users

  async createUser(init: NewUser): Promise<User> {
    return this.transaction(async () => {
      await this.requireSubAccount(init.subAccountId);
      const name = requireName(init.name, 'A user');
      if (typeof init.email !== 'string' || !init.email.includes('@')) throw new PlatformError('invalid', `User email '${String(init.email)}' is not an email address.`);
      if (!isValidTimeZone(init.timeZone)) {
        throw new PlatformError('invalid', `Unknown time zone '${String(init.timeZone)}': give an IANA zone name such as 'Europe/London' or 'America/New_York'.`);
      }
      const wh = init.workingHours ?? DEFAULT_WORKING_HOURS;
      validateWorkingHours(wh);
      const days = [...wh.days].sort((a, b) => a - b);
      const id = await this.newId(init.id, 'usr', 'user', 'User');
      const user: User = { id, subAccountId: init.subAccountId, name, email: init.email, timeZone: init.timeZone, workingHours: { days, start: wh.start, end: wh.end } };
      await insertingId('User', () => this.records.insertUser(user));
      return user;
    });
  }

  async getUser(id: string): Promise<User | undefined> {
    return this.records.getUser(id);
  }

  async listUsers(subAccountId: string): Promise<User[]> {
    return this.records.listUsers(subAccountId);
  }

  // ------------------------------------------------------------------ contacts

  async createContact(init: { id?: string; subAccountId: string; name: string; email?: string; phone?: string }): Promise<Contact> {
    return this.transaction(async () => {
      await this.requireSubAccount(init.subAccountId);
      const name = requireName(init.name, 'A contact');
      const id = await this.newId(init.id, 'con', 'contact', 'Contact');
      const contact: Contact = { id, subAccountId: init.subAccountId, name };
      if (init.email != null) contact.email = init.email;
      if (init.phone != null) contact.phone = init.phone;
      await insertingId('Contact', () => this.records.insertContact(contact));
      return contact;
    });
  }

  async getContact(id: string): Promise<Contact | undefined> {
    return this.records.getContact(id);
  }

  async listContacts(subAccountId: string): Promise<Contact[]> {
    return this.records.listContacts(subAccountId);
  }

  // ------------------------------------------------------------------ calendars

  async createCalendar(init: NewCalendar): Promise<PlatformCalendar> {
    return this.transaction(async () => {
      await this.requireSubAccount(init.subAccountId);
      const name = requireName(init.name, 'A calendar');
      if (!CALENDAR_TYPES.includes(init.type)) {
        throw new PlatformError('invalid', `Unknown calendar type '${String(init.type)}': use one of ${CALENDAR_TYPES.join(', ')}.`);
      }
      const policy = policyOf(init.type);
      if (!Array.isArray(init.memberIds) || init.memberIds.length === 0) throw new PlatformError('invalid', `A ${policy.name} calendar needs at least one member.`);
      // What the type itself asks (one member for Simple, a capacity only for Class Booking).
      const capacity = policy.validate({ memberIds: init.memberIds, capacity: init.capacity });
      if (new Set(init.memberIds).size !== init.memberIds.length) throw new PlatformError('invalid', `Calendar members ${JSON.stringify(init.memberIds)} repeat a user: list each member once.`);
      for (const userId of init.memberIds) await this.requireUserIn(userId, init.subAccountId, 'a calendar member');
      const slotMinutes = init.slotMinutes ?? DEFAULT_SLOT_MINUTES;
      if (!Number.isInteger(slotMinutes) || slotMinutes <= 0 || slotMinutes > 24 * 60) {
        throw new PlatformError('invalid', `slotMinutes must be a whole number of minutes between 1 and 1440, got ${String(slotMinutes)}.`);
      }
      const icloudSync = policy.syncsWithICloud;
      const id = await this.newId(init.id, 'cal', 'calendar', 'Calendar');
      const calendar: PlatformCalendar = { id, subAccountId: init.subAccountId, name, type: init.type, memberIds: [...init.memberIds], slotMinutes, icloudSync };
      if (capacity !== null) calendar.capacity = capacity;
      await insertingId('Calendar', () => this.records.insertCalendar(calendar));
      return (await this.getCalendar(id))!;
    });
  }

  async getCalendar(id: string): Promise<PlatformCalendar | undefined> {
    return this.records.getCalendar(id);
  }

  async listCalendars(subAccountId: string): Promise<PlatformCalendar[]> {
    return this.records.listCalendars(subAccountId);
  }

  async setICloudSync(calendarId: string, enabled: boolean): Promise<PlatformCalendar> {
    return this.transaction(async () => {
      const cal = await this.getCalendar(calendarId);
      if (!cal) throw new PlatformError('not-found', `Calendar ${String(calendarId)} does not exist.`);
      if (enabled && !policyOf(cal.type).syncsWithICloud) {
        // RULES.md T2
        throw new PlatformError(
          'calendar-type-not-supported',
          `${policyOf(cal.type).name} calendars cannot sync with iCloud: iCloud sync works for Round Robin, Collective, Class Booking and Service calendars. ` +
            `Calendar '${cal.name}' (${cal.id}) keeps its bookings in the platform only.`,
        );
      }
      await this.records.setCalendarICloudSync(calendarId, enabled);
      return { ...cal, icloudSync: enabled };
    });
  }

  private async requireUserIn(userId: string, subAccountId: string, role: string, lookups = new Lookups(this.records)): Promise<User> {
    return userIn(await lookups.user(userId), userId, subAccountId, role);
  }

  private async requireContactIn(contactId: string, subAccountId: string, lookups = new Lookups(this.records)): Promise<Contact> {
    return contactIn(await lookups.contact(contactId), contactId, subAccountId);
  }

  private async validateUserIds(userIds: unknown, subAccountId: string): Promise<string[]> {
    const list = userIdList(userIds);
    for (const u of list) await this.requireUserIn(u, subAccountId, 'an event user');
    return list;
  }

  // ------------------------------------------------------------------ events

  async createEvent(init: NewEvent): Promise<PlatformEvent> {
    return (await this.createEvents([init]))[0]!;
  }

  /**
   * Creates many events in one insert of the records whatever their number (a first sync imports
   * thousands of blocked slots): each is checked as createEvent checks it, reading each record the
   * batch names once; ids and change numbers are taken in order, and all are created or none. The
   * answer is the events as built here, not read back.
   *
   * `countersAfter`: the ids and change numbers are taken only once it resolves, after the checks
   * and their reads (it failing fails the call). A first sync's batch waits there for the batch
   * before it, which holds the counters until it commits: its reads are then off that wait.
   */
  async createEvents(inits: readonly NewEvent[], options: { countersAfter?: Promise<unknown> } = {}): Promise<PlatformEvent[]> {
    if (inits.length === 0) {
      await options.countersAfter; // its failure still fails the call (a batch of events with no slot)
      return [];
    }
    return this.transaction(async () => {
      const lookups = new Lookups(this.records);
      const events: PlatformEvent[] = [];
      for (const init of inits) {
        // Only an event naming a record not read yet waits: a batch of one user's slots, once.
        const loading = lookups.load(init);
        if (loading) await loading;
        events.push(this.checkNewEvent(init, lookups));
      }
      const given = new Set<string>();
      for (const ev of events) {
        if (!ev.id) continue;
        if (given.has(ev.id)) throw new PlatformError('conflict', `Event ${ev.id} is given twice: choose another id or leave it out to get one.`);
        given.add(ev.id);
      }
      await options.countersAfter;
      // The change numbers before the ids: a transaction that changed an event first (a recurring
      // event's slots, then its new occurrences) holds the change-number row and then wants the
      // ids' row; taken the other way round here, two such transactions deadlocked on PostgreSQL.
      const firstSeq = await this.records.reserveChangeSeqs(events.length);
      // Chosen ids are looked up only now: every creator of events waits for the change numbers,
      // so none can take one of these between the look and the insert (two creations of one
      // chosen id at once: the second is refused, as it would be after the first).
      for (const id of given) if (await this.records.isIdTaken('event', id)) throw idTaken('Event', id);
      await this.skipPast('evt', given);
      const fresh = await this.records.nextIds('evt', events.filter((e) => !e.id).length);
      events.forEach((ev, i) => {
        ev.id ||= fresh.shift()!;
        ev.changeSeq = firstSeq + i;
      });
      await this.records.insertEvents(events);
      return events;
    });
  }

  /**
   * What createEvent refuses, checked, from the records `lookups.load(init)` read; the event to
   * insert (id empty when one is to be taken, changeSeq to be set).
   */
  private checkNewEvent(init: NewEvent, lookups: Lookups): PlatformEvent {
    lookups.subAccountNow(init.subAccountId);
    if (init.kind !== 'appointment' && init.kind !== 'blocked') throw new PlatformError('invalid', `Unknown event kind '${String(init.kind)}': use 'appointment' or 'blocked'.`);
    const contactIds = init.contactIds ?? [];
    if (init.kind === 'appointment' && contactIds.length === 0) {
      throw new PlatformError('invalid', 'An appointment needs at least one contact: give contactIds, or create a blocked slot (kind "blocked") for time without a contact.');
    }
    if (init.kind === 'blocked' && contactIds.length > 0) {
      throw new PlatformError('invalid', 'A blocked slot has no contacts (RULES.md I1/I2): drop contactIds, or create an appointment (kind "appointment") instead.');
    }
    if (new Set(contactIds).size !== contactIds.length) throw new PlatformError('invalid', `contactIds ${JSON.stringify(contactIds)} repeat a contact: list each once.`);
    if (init.calendarId !== undefined) {
      if (init.kind === 'blocked') throw new PlatformError('invalid', 'A blocked slot belongs to no booking calendar: drop calendarId.');
      const cal = lookups.calendarNow(init.calendarId);
      if (!cal) throw new PlatformError('not-found', `Calendar ${String(init.calendarId)} does not exist.`);
      if (cal.subAccountId !== init.subAccountId) throw new PlatformError('invalid', `Calendar ${cal.id} belongs to sub-account ${cal.subAccountId}, not ${init.subAccountId}.`);
    }
    const userIds = userIdList(init.userIds);
    for (const u of userIds) userIn(lookups.userNow(u), u, init.subAccountId, 'an event user');
    for (const c of contactIds) contactIn(lookups.contactNow(c), c, init.subAccountId);
    const start = requireInstant(init.start, 'Event start');
    const end = requireInstant(init.end, 'Event end');
    if (end <= start) throw new PlatformError('invalid', `Event end ${iso(end)} must be after its start ${iso(start)}.`);
    const status = init.status ?? 'confirmed';
    if (status !== 'confirmed' && status !== 'cancelled') throw new PlatformError('invalid', `Unknown status '${String(status)}': use 'confirmed' or 'cancelled'.`);
    const origin = init.origin ?? 'platform';
    if (origin !== 'platform' && origin !== 'icloud') throw new PlatformError('invalid', `Unknown origin '${String(origin)}': use 'platform' or 'icloud'.`);
    if (typeof init.title !== 'string') throw new PlatformError('invalid', 'An event needs a title (it may be empty).');
    const id = init.id === undefined ? '' : chosenId(init.id, false, 'Event'); // whether it is taken: createEvents, under the lock
    // The fields in the order a stored event is read back, so the two look alike.
    const ev: PlatformEvent = {
      id,
      subAccountId: init.subAccountId,
      kind: init.kind,
      userIds: [...userIds],
      contactIds: [...contactIds],
      title: init.title,
      start,
      end,
      allDay: Boolean(init.allDay),
      busy: init.busy !== false,
      status,
      deleted: false,
      origin,
      version: 1,
      updatedAt: init.updatedAt ?? this.clock.now(),
      changeSeq: 0,
    };
    if (init.calendarId != null) ev.calendarId = init.calendarId;
    if (init.description != null) ev.description = init.description;
    if (init.location != null) ev.location = init.location;
    return ev;
  }

  /**
   * The event a write is about to change, held until the write commits: two processes changing one
   * event (two workers syncing a collective booking's members) take turns, and the second starts
   * from the first one's result instead of overwriting it with the same next version.
   */
  private async requireEvent(id: string): Promise<PlatformEvent> {
    const e = await this.records.getEventForUpdate(id);
    if (!e) throw new PlatformError('not-found', `Event ${String(id)} does not exist.`);
    return e;
  }

  async updateEvent(id: string, patch: EventPatch): Promise<PlatformEvent> {
    return this.transaction(async () => {
      const cur = await this.requireEvent(id);
      if (cur.deleted) throw new PlatformError('conflict', `Event ${id} was deleted (version ${cur.version}); it cannot be changed: create a new event instead.`);
      const next: PlatformEvent = { ...cur };
      if (patch.title !== undefined) {
        if (typeof patch.title !== 'string') throw new PlatformError('invalid', 'Event title must be a string.');
        next.title = patch.title;
      }
      // EventPatch cannot express "remove the description/location": undefined means "unchanged".
      if (patch.description !== undefined) next.description = patch.description;
      if (patch.location !== undefined) next.location = patch.location;
      if (patch.start !== undefined) next.start = requireInstant(patch.start, 'Event start');
      if (patch.end !== undefined) next.end = requireInstant(patch.end, 'Event end');
      if (next.end <= next.start) throw new PlatformError('invalid', `Event end ${iso(next.end)} must be after its start ${iso(next.start)}.`);
      if (patch.allDay !== undefined) next.allDay = patch.allDay;
      if (patch.busy !== undefined) next.busy = patch.busy;
      if (patch.status !== undefined) {
        if (patch.status !== 'confirmed' && patch.status !== 'cancelled') throw new PlatformError('invalid', `Unknown status '${String(patch.status)}': use 'confirmed' or 'cancelled'.`);
        next.status = patch.status;
      }
      if (patch.userIds !== undefined) next.userIds = [...(await this.validateUserIds(patch.userIds, cur.subAccountId))];
      const changed =
        next.title !== cur.title ||
        next.description !== cur.description ||
        next.location !== cur.location ||
        next.start !== cur.start ||
        next.end !== cur.end ||
        next.allDay !== cur.allDay ||
        next.busy !== cur.busy ||
        next.status !== cur.status ||
        next.userIds.join('\u0000') !== cur.userIds.join('\u0000');
      if (!changed) return cur; // nothing to write: no new version, no change-feed entry
      next.changeSeq = await this.records.reserveChangeSeqs(1);
      next.version = cur.version + 1;
      next.updatedAt = patch.updatedAt ?? this.clock.now();
      await this.records.updateEvent(
        next,
        cur.userIds.filter((u) => !next.userIds.includes(u)),
      );
      return (await this.getEvent(id))!;
    });
  }

  async deleteEvent(id: string, at?: number): Promise<PlatformEvent> {
    return this.transaction(async () => {
      const cur = await this.requireEvent(id);
      if (cur.deleted) return cur; // already a tombstone: deleting again changes nothing
      const changeSeq = await this.records.reserveChangeSeqs(1);
      await this.records.tombstoneEvent(id, { version: cur.version + 1, updatedAt: at ?? this.clock.now(), changeSeq });
      return (await this.getEvent(id))!;
    });
  }

  /**
   * Class booking: adds a contact to an appointment (a new version, like updateEvent). EventPatch
   * has no contactIds, so this is the one way to change an event's contacts.
   */
  async addEventContact(eventId: string, contactId: string, at?: number): Promise<PlatformEvent> {
    return this.transaction(async () => {
      const cur = await this.requireEvent(eventId);
      if (cur.deleted) throw new PlatformError('conflict', `Event ${eventId} was deleted: contacts cannot be added to it.`);
      if (cur.kind !== 'appointment') throw new PlatformError('invalid', `Event ${eventId} is a blocked slot: blocked slots have no contacts.`);
      await this.requireContactIn(contactId, cur.subAccountId);
      if (cur.contactIds.includes(contactId)) throw new PlatformError('conflict', `Contact ${contactId} is already booked on event ${eventId}.`);
      const changeSeq = await this.records.reserveChangeSeqs(1);
      await this.records.addEventContact(eventId, contactId, cur.contactIds.length, { version: cur.version + 1, updatedAt: at ?? this.clock.now(), changeSeq });
      return (await this.getEvent(eventId))!;
    });
  }

  async getEvent(id: string): Promise<PlatformEvent | undefined> {
    return this.records.getEvent(id);
  }

  async listEventsForUser(userId: string, range: { start: number; end: number }): Promise<PlatformEvent[]> {
    return this.records.listEventsForUser(userId, range);
  }

  /**
   * Every event the user has been assigned to (deleted ones included) with changeSeq > afterSeq,
   * in changeSeq order. An event the user was taken off (userIds changed) appears once more, at
   * the change that removed them, with userIds no longer listing them: the sync engine should
   * treat that like a deletion for this user.
   */
  async listChangedEvents(userId: string, afterSeq: number): Promise<PlatformEvent[]> {
    return this.records.listChangedEvents(userId, afterSeq);
  }

  /** listChangedEvents' id, version and changeSeq of each event, in the same order. */
  async listChangedEventRefs(userId: string, afterSeq: number): Promise<ChangedEventRef[]> {
    return this.records.listChangedEventRefs(userId, afterSeq);
  }

  /** See PlatformRecords.holdEventWrites: booking calls it before it reads who is free. */
  async holdEventWrites(): Promise<void> {
    await this.records.holdEventWrites();
  }

  // ------------------------------------------------------------------ round-robin rotation

  async rotationPointer(calendarId: string): Promise<number> {
    return this.records.rotationPointer(calendarId);
  }

  async setRotationPointer(calendarId: string, nextPosition: number): Promise<void> {
    await this.records.setRotationPointer(calendarId, nextPosition);
  }
}
