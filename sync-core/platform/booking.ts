/**
 * Booking in the platform: book / reschedule / cancel appointments and create blocked slots, with
 * the availability rules of RULES.md A1–A3 (a slot that overlaps a busy event is refused; Round
 * Robin gives it to another free member; Collective needs every member free).
 *
 * Slots are `slotMinutes` long, inside the assigned user's working hours, and start a whole number
 * of slots after that user's working-day start (local time in the user's zone).
 */
import { busyIntervals, classSessionsAt, localDateOf, localDayRange, slotFit, type Interval, type SlotFit } from './availability.js';
import type { PlatformCalendar, PlatformEvent } from './model.js';
import type { PlatformRepository, StoreTx } from '../store/store.js';
import { PlatformError } from './store.js';

/** What booking needs beyond PlatformStore (SqlitePlatformStore provides it). */
export interface BookingSupport {
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

type MemberCheck = { userId: string; status: 'free' | 'busy' | Exclude<SlotFit, 'ok'>; busyEventIds: string[] };

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

async function requireCalendar(store: Platform, calendarId: string): Promise<PlatformCalendar> {
  const cal = await store.getCalendar(calendarId);
  if (!cal) throw new PlatformError('not-found', `Calendar ${String(calendarId)} does not exist.`);
  return cal;
}

async function checkMember(store: Platform, cal: PlatformCalendar, userId: string, slot: Interval, ignoreEventIds: readonly string[]): Promise<MemberCheck> {
  const user = await store.getUser(userId);
  if (!user) throw new PlatformError('not-found', `User ${userId} (member of calendar ${cal.id}) does not exist.`);
  const fit = slotFit(user, slot, cal.slotMinutes);
  if (fit !== 'ok') return { userId, status: fit, busyEventIds: [] };
  const busy = await busyIntervals(store, userId, slot, { ignoreEventIds });
  return busy.length === 0 ? { userId, status: 'free', busyEventIds: [] } : { userId, status: 'busy', busyEventIds: busy.map((b) => b.eventId) };
}

async function describe(c: MemberCheck, store: Platform): Promise<string> {
  const user = (await store.getUser(c.userId))!;
  const who = `${user.name} (${user.id})`;
  const hours = `${user.workingHours.start}–${user.workingHours.end} ${user.timeZone}`;
  switch (c.status) {
    case 'busy':
      return `${who} is busy (${c.busyEventIds.join(', ')})`;
    case 'outside-working-hours':
      return `the slot is outside ${who}'s working hours (${hours}, ISO days ${user.workingHours.days.join(',')})`;
    case 'misaligned':
      return `the slot does not start on ${who}'s slot grid (every slot starts a whole number of slots after ${user.workingHours.start} ${user.timeZone})`;
    case 'free':
      return `${who} is free`;
  }
}

/** Refuses the slot: 'invalid' if the only problem is the slot grid, otherwise 'slot-unavailable' (A3). */
async function refuse(store: Platform, cal: PlatformCalendar, slot: Interval, checks: MemberCheck[], what: string): Promise<never> {
  const problems = checks.filter((c) => c.status !== 'free');
  const code = problems.every((c) => c.status === 'misaligned') ? 'invalid' : 'slot-unavailable';
  const reasons: string[] = [];
  for (const c of problems) reasons.push(await describe(c, store));
  throw new PlatformError(
    code,
    `Cannot book ${iso(slot.start)}–${iso(slot.end)} in calendar '${cal.name}' (${cal.id}): ${what}; ${reasons.join('; ')}. ` + `Pick one of the slots calendarFreeSlots offers.`,
  );
}

/** Round Robin / Service: the first free member from `pointer` on, in member order. */
function nextFree(cal: PlatformCalendar, pointer: number, checks: Map<string, MemberCheck>): number | undefined {
  const n = cal.memberIds.length;
  for (let i = 0; i < n; i++) {
    const pos = (((pointer + i) % n) + n) % n;
    if (checks.get(cal.memberIds[pos]!)!.status === 'free') return pos;
  }
  return undefined;
}

/**
 * Books `start` (one slot of the calendar) for a contact (A3):
 *  - Round Robin / Service: the next free member in rotation gets it; the rotation pointer moves
 *    past them, so assignment is deterministic and fair. A busy member is skipped.
 *  - Collective: every member must be free; the appointment takes all of them.
 *  - Class Booking: joins the host's session at that start if it has room (a new version of that
 *    event), or opens a session for the host.
 *  - Simple / Event: the single member / host must be free.
 * Refusals: 'slot-unavailable' (busy, full, outside working hours), 'invalid' (not on the slot
 * grid), 'conflict' (contact already in that class session), 'not-found'.
 */
export function book(tx: BookingStore, req: BookingRequest): Promise<PlatformEvent> {
  return tx.transaction(async () => {
    const store = tx.platform;
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

    switch (cal.type) {
      case 'round_robin':
      case 'service': {
        const checks = new Map<string, MemberCheck>();
        for (const u of cal.memberIds) checks.set(u, await checkMember(store, cal, u, slot, []));
        const pos = nextFree(cal, await store.rotationPointer(cal.id), checks);
        if (pos === undefined) return refuse(store, cal, slot, [...checks.values()], 'no member is free');
        await store.setRotationPointer(cal.id, (pos + 1) % cal.memberIds.length);
        return store.createEvent({ ...base, title, userIds: [cal.memberIds[pos]!] });
      }
      case 'collective': {
        const checks: MemberCheck[] = [];
        for (const u of cal.memberIds) checks.push(await checkMember(store, cal, u, slot, []));
        if (checks.some((c) => c.status !== 'free')) return refuse(store, cal, slot, checks, 'a Collective booking needs every member free');
        return store.createEvent({ ...base, title, userIds: [...cal.memberIds] });
      }
      case 'class_booking': {
        const host = cal.memberIds[0]!;
        const capacity = cal.capacity ?? 1;
        const session = (await classSessionsAt(store, cal, slot))[0];
        const check = await checkMember(store, cal, host, slot, session ? [session.id] : []);
        if (check.status !== 'free') return refuse(store, cal, slot, [check], 'the host is not available');
        if (!session) return store.createEvent({ ...base, title: req.title ?? cal.name, userIds: [host] });
        if (session.contactIds.includes(contact.id)) throw new PlatformError('conflict', `Contact ${contact.id} is already booked in the session ${session.id} at ${iso(slot.start)}.`);
        if (session.contactIds.length >= capacity) {
          throw new PlatformError('slot-unavailable', `The session at ${iso(slot.start)} in calendar '${cal.name}' (${cal.id}) is full (${session.contactIds.length}/${capacity}): pick another slot.`);
        }
        return store.addEventContact(session.id, contact.id);
      }
      case 'simple':
      case 'event': {
        const host = cal.memberIds[0]!;
        const check = await checkMember(store, cal, host, slot, []);
        if (check.status !== 'free') return refuse(store, cal, slot, [check], 'the calendar owner is not available');
        return store.createEvent({ ...base, title, userIds: [host] });
      }
    }
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
 * itself never counts as busy). Round Robin / Service keep the assigned member if they are free,
 * otherwise the next free member in rotation takes it (the pointer does not move). Collective needs
 * every assigned member free; Class Booking moves the whole session (the host must be free, so it
 * never merges into another session).
 */
export function reschedule(tx: BookingStore, eventId: string, newStart: number): Promise<PlatformEvent> {
  return tx.transaction(async () => {
    const store = tx.platform;
    const { ev, cal } = await requireBooking(store, eventId, 'rescheduled');
    if (ev.status === 'cancelled') throw new PlatformError('invalid', `Event ${eventId} is cancelled: book a new slot instead of rescheduling it.`);
    if (typeof newStart !== 'number' || !Number.isSafeInteger(newStart)) throw new PlatformError('invalid', `New start must be epoch milliseconds, got ${String(newStart)}.`);
    if (newStart === ev.start) return ev;
    const slot = { start: newStart, end: newStart + (ev.end - ev.start) };
    const ignore = [ev.id];
    if (cal.type === 'round_robin' || cal.type === 'service') {
      const checks = new Map<string, MemberCheck>();
      for (const u of cal.memberIds) checks.set(u, await checkMember(store, cal, u, slot, ignore));
      for (const u of ev.userIds) if (!checks.has(u)) checks.set(u, await checkMember(store, cal, u, slot, ignore));
      if (ev.userIds.every((u) => checks.get(u)!.status === 'free')) return store.updateEvent(ev.id, { start: slot.start, end: slot.end });
      const pos = nextFree(cal, await store.rotationPointer(cal.id), checks);
      if (pos === undefined) return refuse(store, cal, slot, [...checks.values()], 'no member is free');
      return store.updateEvent(ev.id, { start: slot.start, end: slot.end, userIds: [cal.memberIds[pos]!] });
    }
    const checks: MemberCheck[] = [];
    for (const u of ev.userIds) checks.push(await checkMember(store, cal, u, slot, ignore));
    if (checks.some((c) => c.status !== 'free')) return refuse(store, cal, slot, checks, cal.type === 'collective' ? 'a Collective booking needs every member free' : 'the host is not available');
    return store.updateEvent(ev.id, { start: slot.start, end: slot.end });
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
