/**
 * The scheduling platform's model: sub-accounts, users, contacts, calendars of every type,
 * appointments (with contacts) and blocked slots (without). All times are epoch milliseconds (UTC);
 * each user has an IANA time zone for working hours and all-day dates.
 */

/** RULES.md T1/T2: the calendar types and which take part in iCloud sync, from their policies. */
export { CALENDAR_TYPES, ICLOUD_SYNC_TYPES, type CalendarType } from './calendar-types/index.js';
import type { CalendarType } from './calendar-types/index.js';

export interface SubAccount {
  id: string;
  name: string;
}

/** Weekly working hours in the user's own time zone. */
export interface WorkingHours {
  /** ISO weekdays: 1 = Monday … 7 = Sunday. */
  days: number[];
  /** `HH:MM`, local. */
  start: string;
  /** `HH:MM`, local, after start. */
  end: string;
}

export interface User {
  id: string;
  subAccountId: string;
  name: string;
  email: string;
  /** IANA zone, e.g. `Europe/London`. */
  timeZone: string;
  workingHours: WorkingHours;
}

export interface Contact {
  id: string;
  subAccountId: string;
  name: string;
  email?: string;
  phone?: string;
}

export interface PlatformCalendar {
  id: string;
  subAccountId: string;
  name: string;
  type: CalendarType;
  /** Team members in round-robin order; a simple calendar has one. */
  memberIds: string[];
  /** Length of a bookable slot. */
  slotMinutes: number;
  /** Class booking: how many contacts one session takes. */
  capacity?: number;
  /** Whether bookings of this calendar sync with iCloud (only ever true for T1 types). */
  icloudSync: boolean;
}

export type EventKind = 'appointment' | 'blocked';
export type EventOrigin = 'platform' | 'icloud';

export interface PlatformEvent {
  id: string;
  subAccountId: string;
  /** An appointment has contacts; a blocked slot never does (RULES.md vocabulary, I1, I2). */
  kind: EventKind;
  /** The booking calendar of an appointment; blocked slots have none. */
  calendarId?: string;
  /** The users whose time this takes: one, or every member for a collective booking. */
  userIds: string[];
  contactIds: string[];
  title: string;
  description?: string;
  location?: string;
  start: number;
  end: number;
  allDay: boolean;
  /** False for an iCloud FREE (TRANSP:TRANSPARENT) event: fetched, but it leaves time open (A2). */
  busy: boolean;
  status: 'confirmed' | 'cancelled';
  /** Deleted in the platform (kept as a tombstone so the deletion can be pushed, P4). */
  deleted: boolean;
  origin: EventOrigin;
  /** Increases on every change. */
  version: number;
  /** Platform modification time (D1 compares it with the iCloud side's LAST-MODIFIED). */
  updatedAt: number;
  /** Global, strictly increasing change counter: the change feed the sync engine reads. */
  changeSeq: number;
}

export interface TimeRange {
  start: number;
  end: number;
}
