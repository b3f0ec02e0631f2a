/**
 * Where the platform model is kept, and nothing more: the persistence a store implements so that
 * PlatformService (platform-service.ts) can hold every rule once. Nothing here validates: each
 * write receives records the service has already checked (ids given, change numbers taken,
 * memberships verified), so an implementation only stores and reads them back. SqlPlatformRecords
 * (sql-platform-records.ts) serves SQLite and PostgreSQL; a store that is not SQL implements this
 * interface and gets every rule and error message for free.
 */
import type { Contact, PlatformCalendar, PlatformEvent, SubAccount, User } from './model.js';
import type { ChangedEventRef } from './store.js';

/** The kinds of record an id names; ids are unique within a kind. */
export type RecordKind = 'sub-account' | 'user' | 'contact' | 'calendar' | 'event';

/** What every write to an existing event sets: the next version, its modification time and its change number. */
export interface EventStamp {
  version: number;
  updatedAt: number;
  changeSeq: number;
}

/**
 * An insert found its record's id taken. The service looks first, but where transactions run at
 * once (PostgreSQL) another writer may take the id in between; the service refuses it as it
 * refuses an id it found taken.
 */
export class DuplicateIdError extends Error {
  constructor(
    readonly kind: RecordKind,
    readonly id: string,
  ) {
    super(`a ${kind} with id ${id} exists already`);
    this.name = 'DuplicateIdError';
  }
}

export interface PlatformRecords {
  /**
   * Runs `fn` atomically: every call made while it runs (in its async context) belongs to it, and a
   * `transaction` inside it joins it. The service checks and writes inside one, so a refused write
   * leaves nothing behind and a multi-step write (ids, change numbers, rows) lands whole.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;

  // ---------------------------------------------------------------- ids and change numbers

  /**
   * `count` new consecutive ids with the prefix (`evt_000001`, `evt_000002`): deterministic per
   * store, so the same scenario gives the same ids, and never handed out twice, even across
   * restarts and workers. Taken inside the service's transaction: a refused batch takes none.
   */
  nextIds(prefix: string, count: number): Promise<string[]>;
  /**
   * After this, nextIds(prefix) gives only ids above the `n`th: a caller chose `prefix_n` in the
   * store's own form (store/ids.ts), and the counter must never give it.
   */
  skipIdsTo(prefix: string, n: number): Promise<void>;
  /** Whether a record of this kind already has the id (a caller-chosen id must be new). */
  isIdTaken(kind: RecordKind, id: string): Promise<boolean>;
  /**
   * Reserves `count` (≥ 1) consecutive change numbers of the global change feed and answers the
   * first. Every write to an event takes one, so the sync engine can read changes in order.
   */
  reserveChangeSeqs(count: number): Promise<number>;
  /**
   * Holds every other write to an event until the surrounding transaction ends (called inside one,
   * before its first read): a booking reads who is free, then writes, and no write may come in
   * between. Taking the change numbers' lock does it, since every event write takes it too. A store
   * whose transactions already run one at a time does nothing.
   */
  holdEventWrites(): Promise<void>;
  /** The highest change number reserved so far (0 before any). */
  currentChangeSeq(): Promise<number>;

  // ---------------------------------------------------------------- sub-accounts, users, contacts
  // (each insert here and insertCalendar throw DuplicateIdError when the record's id is taken)

  insertSubAccount(subAccount: SubAccount): Promise<void>;
  getSubAccount(id: string): Promise<SubAccount | undefined>;
  /** Ordered by id. */
  listSubAccounts(): Promise<SubAccount[]>;

  /** The user as given; its working days are already sorted. */
  insertUser(user: User): Promise<void>;
  getUser(id: string): Promise<User | undefined>;
  /** The sub-account's users, ordered by id. */
  listUsers(subAccountId: string): Promise<User[]>;

  insertContact(contact: Contact): Promise<void>;
  getContact(id: string): Promise<Contact | undefined>;
  /** The sub-account's contacts, ordered by id. */
  listContacts(subAccountId: string): Promise<Contact[]>;

  // ---------------------------------------------------------------- calendars

  /** The calendar with its members, kept in the order given (round-robin order). */
  insertCalendar(calendar: PlatformCalendar): Promise<void>;
  getCalendar(id: string): Promise<PlatformCalendar | undefined>;
  /** The sub-account's calendars, ordered by id. */
  listCalendars(subAccountId: string): Promise<PlatformCalendar[]>;
  setCalendarICloudSync(calendarId: string, enabled: boolean): Promise<void>;

  // ---------------------------------------------------------------- events

  /**
   * Stores new events, already checked and complete (ids, change numbers, version 1), in as few
   * round trips as the store can: a first sync imports thousands of blocked slots in one call.
   */
  insertEvents(events: readonly PlatformEvent[]): Promise<void>;
  /**
   * Replaces an event's fields with `event` (its new full state, version and change number
   * included). `removedUserIds` were on the event and are no longer: each must still see this
   * change once in listChangedEvents (without them in userIds), which the sync engine reads as a
   * deletion for that user.
   */
  updateEvent(event: PlatformEvent, removedUserIds: readonly string[]): Promise<void>;
  /** Marks the event deleted (a tombstone that keeps its id and shows in the change feed). */
  tombstoneEvent(eventId: string, stamp: EventStamp): Promise<void>;
  /** Appends a contact to the event's contacts (at `position`, after the others) and stamps the event. */
  addEventContact(eventId: string, contactId: string, position: number, stamp: EventStamp): Promise<void>;
  getEvent(id: string): Promise<PlatformEvent | undefined>;
  /**
   * The event, locked until the surrounding transaction ends (called inside one): a concurrent
   * writer of the same event waits, then reads what this one wrote. A store whose transactions
   * already run one at a time may answer as getEvent does.
   */
  getEventForUpdate(id: string): Promise<PlatformEvent | undefined>;
  /** Live (not deleted) events the user is on that overlap the range, ordered by start then id. */
  listEventsForUser(userId: string, range: { start: number; end: number }): Promise<PlatformEvent[]>;
  /**
   * Every event the user is or was on (deleted ones included) whose latest change for that user is
   * after `afterSeq`, in change order; an event the user was taken off appears at that change.
   */
  listChangedEvents(userId: string, afterSeq: number): Promise<PlatformEvent[]>;
  /** listChangedEvents' id, version and changeSeq of each event, in the same order. */
  listChangedEventRefs(userId: string, afterSeq: number): Promise<ChangedEventRef[]>;

  // ---------------------------------------------------------------- round-robin rotation

  /** Round Robin / Service: the member position to try first (0 if never set). */
  rotationPointer(calendarId: string): Promise<number>;
  setRotationPointer(calendarId: string, nextPosition: number): Promise<void>;
}
