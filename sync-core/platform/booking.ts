/**
 * Booking in the platform: book / reschedule / cancel appointments and create blocked slots, with
 * the availability rules of RULES.md A1–A3 (a slot that overlaps a busy event is refused; Round
 * Robin gives it to another free member; Collective needs every member free).
 *
 * Slots are `slotMinutes` long, inside the assigned user's working hours, and start a whole number
 * of slots after that user's working-day start (local time in the user's zone).
 */
import { localDateOf, localDayRange } from './availability.js';
import { iso, requireCalendar } from './booking-checks.js';
import { policyOf } from './calendar-types/index.js';
import type { PlatformCalendar, PlatformEvent } from './model.js';
import type { PlatformRepository, StoreTx } from '../store/store.js';
import { PlatformError } from './store.js';

/** What booking needs beyond PlatformStore (PlatformService provides it). */
export interface BookingSupport {
  /**
   * Holds every other event write until the booking's transaction ends: on PostgreSQL two bookings
   * of one free slot at once both found it free and both wrote (A1), and both read the same Round
   * Robin pointer. SQLite runs one transaction at a time anyway.
   */
  holdEventWrites(): void;
  /** Round Robin / Service: position in memberIds of the member to try first (0 if never set). */
  rotationPointer(calendarId: string): number;
  setRotationPointer(calendarId: string, nextPosition: number): void;
  /** Adds a contact to an appointment (class sessions): a new version, updatedAt and changeSeq. */
  addEventContact(eventId: string, contactId: string, at?: number): PlatformEvent;
}

/** Booking reads and writes the platform in one transaction of the store. */
export type BookingStore = Pick<StoreTx, 'transaction' | 'platform'>;
type Platform = PlatformRepository;

export interface BookingRequest {
  calendarId: string;
  start: number;
  contactId: string;
  title?: string;
  description?: string;
  location?: string;
}

export interface BlockTimeRequest {
  subAccountId: string;
  userId: string;
  start: number;
  end: number;
  title: string;
  description?: string;
  location?: string;
  /**
   * Block whole days in the user's time zone: start becomes local midnight of start's date and end
   * the local midnight after the date of the last blocked instant (end - 1 ms).
   */
  allDay?: boolean;
}

/**
 * Books `start` (one slot of the calendar) for a contact (A3); who gets it is the calendar type's
 * rule (calendar-types/: Round Robin rotates, Collective takes every member, Class Booking fills
 * sessions, Simple and Event need their one member free). Refusals: 'slot-unavailable' (busy, full, outside working hours), 'invalid' (not on the slot
 * grid), 'conflict' (contact already in that class session), 'not-found'.
 */
export function book(tx: BookingStore, req: BookingRequest): Promise<PlatformEvent> {
  return tx.transaction(async () => {
    const store = tx.platform;
    await store.holdEventWrites();
    const cal = await requireCalendar(store, req.calendarId);
    const contact = await store.getContact(req.contactId);
    if (!contact) throw new PlatformError('not-found', `Contact ${String(req.contactId)} does not exist: create the contact first.`);
    if (contact.subAccountId !== cal.subAccountId) {
      throw new PlatformError(
        'invalid',
        `Contact ${contact.id} belongs to sub-account ${contact.subAccountId}, calendar ${cal.id} to ${cal.subAccountId}: book contacts of the calendar's sub-account.`,
      );
    }
    if (typeof req.start !== 'number' || !Number.isSafeInteger(req.start)) throw new PlatformError('invalid', `Booking start must be epoch milliseconds, got ${String(req.start)}.`);
    const slot = { start: req.start, end: req.start + cal.slotMinutes * 60_000 };
    const base = {
      subAccountId: cal.subAccountId,
      kind: 'appointment' as const,
      calendarId: cal.id,
      contactIds: [contact.id],
      start: slot.start,
      end: slot.end,
      origin: 'platform' as const,
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.location !== undefined ? { location: req.location } : {}),
    };
    const title = req.title ?? `${cal.name}: ${contact.name}`;

    return policyOf(cal.type).book({ store, cal, slot, base, title, requestedTitle: req.title, contactId: contact.id });
  });
}

async function requireBooking(store: Platform, eventId: string, action: string): Promise<{ ev: PlatformEvent; cal: PlatformCalendar }> {
  const ev = await store.getEvent(eventId);
  if (!ev) throw new PlatformError('not-found', `Event ${String(eventId)} does not exist.`);
  if (ev.deleted) throw new PlatformError('conflict', `Event ${eventId} was deleted: it cannot be ${action}.`);
  if (ev.kind !== 'appointment' || ev.calendarId === undefined) {
    throw new PlatformError('invalid', `Event ${eventId} is not a booking of a platform calendar: change blocked slots with updateEvent/deleteEvent.`);
  }
  return { ev, cal: await requireCalendar(store, ev.calendarId) };
}

/**
 * Moves a booking to `newStart`, keeping its length, with the same checks as `book` (the event
 * itself never counts as busy); the calendar type decides who keeps it (calendar-types/).
 */
export function reschedule(tx: BookingStore, eventId: string, newStart: number): Promise<PlatformEvent> {
  return tx.transaction(async () => {
    const store = tx.platform;
    await store.holdEventWrites();
    const { ev, cal } = await requireBooking(store, eventId, 'rescheduled');
    if (ev.status === 'cancelled') throw new PlatformError('invalid', `Event ${eventId} is cancelled: book a new slot instead of rescheduling it.`);
    if (typeof newStart !== 'number' || !Number.isSafeInteger(newStart)) throw new PlatformError('invalid', `New start must be epoch milliseconds, got ${String(newStart)}.`);
    if (newStart === ev.start) return ev;
    const slot = { start: newStart, end: newStart + (ev.end - ev.start) };
    return policyOf(cal.type).reschedule({ store, ev, cal, slot, ignore: [ev.id] });
  });
}

/** Cancels a booking (status 'cancelled'; it stops blocking time). Cancelling twice changes nothing. */
export function cancel(tx: BookingStore, eventId: string): Promise<PlatformEvent> {
  return tx.transaction(async () => {
    const store = tx.platform;
    const { ev } = await requireBooking(store, eventId, 'cancelled');
    if (ev.status === 'cancelled') return ev;
    return store.updateEvent(ev.id, { status: 'cancelled' });
  });
}

/**
 * Blocks a user's time in the platform: a busy, confirmed 'blocked' event without contacts, origin
 * 'platform'. RULES.md P3: platform-created blocked slots are never written to iCloud — the sync
 * engine enforces that on origin/kind; nothing here writes anywhere but the store.
 */
export function blockTime(tx: BookingStore, req: BlockTimeRequest): Promise<PlatformEvent> {
  return tx.transaction(async () => {
    const store = tx.platform;
    let { start, end } = req;
    if (req.allDay) {
      const user = await store.getUser(req.userId);
      if (!user) throw new PlatformError('not-found', `User ${String(req.userId)} does not exist.`);
      if (!(end > start)) throw new PlatformError('invalid', `Blocked time end ${iso(end)} must be after its start ${iso(start)}.`);
      start = localDayRange(user.timeZone, localDateOf(start, user.timeZone)).start;
      end = localDayRange(user.timeZone, localDateOf(end - 1, user.timeZone)).end;
    }
    return store.createEvent({
      subAccountId: req.subAccountId,
      kind: 'blocked',
      userIds: [req.userId],
      contactIds: [],
      title: req.title,
      start,
      end,
      allDay: req.allDay === true,
      busy: true,
      status: 'confirmed',
      origin: 'platform',
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.location !== undefined ? { location: req.location } : {}),
    });
  });
}
