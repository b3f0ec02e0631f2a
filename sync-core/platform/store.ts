/**
 * The platform side as the sync engine sees it: the operations, their validation errors, and the
 * records they take. The stores (store/store.ts) offer these operations asynchronously through
 * PlatformService (platform-service.ts), which holds every rule above a store's PlatformRecords
 * (records.ts); the SQL records (sql-platform-records.ts) serve SQLite and PostgreSQL, in the same
 * database as the sync state, so one transaction can cover both.
 */
import type { CalendarType, Contact, EventKind, EventOrigin, PlatformCalendar, PlatformEvent, SubAccount, User, WorkingHours } from './model.js';

/** A platform operation refused by a rule; `code` is stable for programs, `message` says what to do. */
export class PlatformError extends Error {
  constructor(
    readonly code:
      | 'not-found'
      | 'invalid'
      | 'slot-unavailable' // A3: the slot overlaps a busy event, or no member is free
      | 'calendar-type-not-supported' // T2
      | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

export interface NewUser {
  id?: string;
  subAccountId: string;
  name: string;
  email: string;
  timeZone: string;
  /** Default: Monday–Friday 09:00–17:00. */
  workingHours?: WorkingHours;
}

export interface NewCalendar {
  id?: string;
  subAccountId: string;
  name: string;
  type: CalendarType;
  memberIds: string[];
  slotMinutes?: number;
  capacity?: number;
}

export interface NewEvent {
  id?: string;
  subAccountId: string;
  kind: EventKind;
  calendarId?: string;
  userIds: string[];
  contactIds?: string[];
  title: string;
  description?: string;
  location?: string;
  start: number;
  end: number;
  allDay?: boolean;
  busy?: boolean;
  status?: 'confirmed' | 'cancelled';
  origin?: EventOrigin;
  /** Set the modification time explicitly (scenario replays); defaults to the store's clock. */
  updatedAt?: number;
}

export type EventPatch = Partial<Pick<PlatformEvent, 'title' | 'description' | 'location' | 'start' | 'end' | 'allDay' | 'busy' | 'status' | 'userIds'>> & {
  updatedAt?: number;
};

/** Which change of which event listChangedEventRefs answers. */
export type ChangedEventRef = Pick<PlatformEvent, 'id' | 'version' | 'changeSeq'>;

export interface PlatformStore {
  /** Runs `fn` atomically: all of its writes happen, or none. Nested calls join the outer one. */
  transaction<T>(fn: () => T): T;

  createSubAccount(init: { id?: string; name: string }): SubAccount;
  getSubAccount(id: string): SubAccount | undefined;
  listSubAccounts(): SubAccount[];

  createUser(init: NewUser): User;
  getUser(id: string): User | undefined;
  listUsers(subAccountId: string): User[];

  createContact(init: { id?: string; subAccountId: string; name: string; email?: string; phone?: string }): Contact;
  getContact(id: string): Contact | undefined;
  listContacts(subAccountId: string): Contact[];

  createCalendar(init: NewCalendar): PlatformCalendar;
  getCalendar(id: string): PlatformCalendar | undefined;
  listCalendars(subAccountId: string): PlatformCalendar[];
  /** Turns iCloud sync on or off for a calendar; on for a Simple or Event calendar → PlatformError (T2). */
  setICloudSync(calendarId: string, enabled: boolean): PlatformCalendar;

  /** Creates an event (version 1). Appointments need ≥1 contact; blocked slots must have none. */
  createEvent(init: NewEvent): PlatformEvent;
  /**
   * Creates many events at once, each checked as createEvent checks it: all of them, or none. With
   * `countersAfter`, their ids and change numbers are taken only once it resolves, after the checks.
   */
  createEvents(inits: readonly NewEvent[], options?: { countersAfter?: Promise<unknown> }): PlatformEvent[];
  /** Changes an event, bumping version, updatedAt and changeSeq. */
  updateEvent(id: string, patch: EventPatch): PlatformEvent;
  /** Marks an event deleted (a tombstone that keeps its id, bumping version and changeSeq). */
  deleteEvent(id: string, at?: number): PlatformEvent;
  getEvent(id: string): PlatformEvent | undefined;
  /** Live (not deleted) events of a user overlapping the range, any kind. */
  listEventsForUser(userId: string, range: { start: number; end: number }): PlatformEvent[];
  /** Every event of the user (deleted ones included) with changeSeq > afterSeq, ordered by changeSeq. */
  listChangedEvents(userId: string, afterSeq: number): PlatformEvent[];
  /**
   * listChangedEvents without the events: each one's id, version and changeSeq, in the same order.
   * What a sync run reads to find what to push, where most changes may be its own (a first sync
   * writes thousands); it reads in full only the events it pushes.
   */
  listChangedEventRefs(userId: string, afterSeq: number): ChangedEventRef[];
  /** The highest changeSeq issued so far. */
  currentChangeSeq(): number;
}
