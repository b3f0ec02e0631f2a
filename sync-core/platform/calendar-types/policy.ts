/**
 * A calendar type as one policy object (issue 13): its name, whether its bookings sync with iCloud
 * (RULES.md T1/T2), what it asks of a new calendar, which slots it offers and how it books and
 * reschedules. Adding a type is one file here and one line in index.ts; the type list, the
 * database constraint and the scenario schema follow from the registry.
 */
import type { PlatformRepository } from '../../store/store.js';
import type { CalendarSlot, Interval, PlatformReader } from '../availability.js';
import type { NewEvent } from '../store.js';
import type { PlatformCalendar, PlatformEvent, TimeRange } from '../model.js';

export interface BookingContext {
  store: PlatformRepository;
  cal: PlatformCalendar;
  slot: Interval;
  /** The appointment without its title and members. */
  base: Omit<NewEvent, 'title' | 'userIds'>;
  /** `Calendar: Contact`, unless the request named one. */
  title: string;
  requestedTitle?: string;
  contactId: string;
}

export interface RescheduleContext {
  store: PlatformRepository;
  ev: PlatformEvent;
  cal: PlatformCalendar;
  slot: Interval;
  /** The booking itself never counts as busy. */
  ignore: string[];
}

export interface CalendarTypePolicy<T extends string = string> {
  readonly type: T;
  /** As users read it: `Round Robin`. */
  readonly name: string;
  /** T1: bookings of this type are written to iCloud. */
  readonly syncsWithICloud: boolean;
  /** Checks what the type asks of a new calendar; answers its class capacity (null: none). */
  validate(init: { memberIds: string[]; capacity?: number }): number | null;
  /** The bookable slots in the range, sorted by start. */
  freeSlots(store: PlatformReader, cal: PlatformCalendar, range: TimeRange): Promise<CalendarSlot[]>;
  book(ctx: BookingContext): Promise<PlatformEvent>;
  reschedule(ctx: RescheduleContext): Promise<PlatformEvent>;
}

export function defineCalendarType<const T extends string>(policy: CalendarTypePolicy<T>): CalendarTypePolicy<T> {
  return policy;
}
