/**
 * Class Booking: the host (first member) runs sessions of `capacity` contacts. A slot is offered
 * while the host is free, or while the session already there has room (and nothing else blocks the
 * host); a booking joins that session or opens one. A reschedule moves the whole session (the host
 * must be free, so it never merges into another).
 */
import { PlatformError } from '../store.js';
import { blocksTime, classSessionsAt, requireUser, slotKey, withoutBusy, workingSlots, type CalendarSlot, type Interval } from '../availability.js';
import { checkMember, iso, refuse, type MemberCheck } from '../booking-checks.js';
import type { PlatformEvent } from '../model.js';
import { defineCalendarType } from './policy.js';

export const DEFAULT_CLASS_CAPACITY = 10;

export const classBooking = defineCalendarType({
  type: 'class_booking',
  name: 'Class Booking',
  syncsWithICloud: true,
  validate(init) {
    const capacity = init.capacity ?? DEFAULT_CLASS_CAPACITY;
    if (!Number.isInteger(capacity) || capacity <= 0) throw new PlatformError('invalid', `Class capacity must be a positive whole number of contacts, got ${String(capacity)}.`);
    return capacity;
  },
  async freeSlots(store, cal, range) {
    const host = cal.memberIds[0]!;
    const capacity = cal.capacity ?? 1;
    const grid = workingSlots(await requireUser(store, host), range, cal.slotMinutes);
    if (grid.length === 0) return [];
    const gridKeys = new Set(grid.map(slotKey));
    const sessions = new Map<string, PlatformEvent>();
    const blockers: Interval[] = [];
    for (const e of await store.listEventsForUser(host, { start: grid[0]!.start, end: grid[grid.length - 1]!.end })) {
      if (!blocksTime(e)) continue;
      const k = slotKey(e);
      if (e.calendarId === cal.id && e.kind === 'appointment' && gridKeys.has(k) && !sessions.has(k)) sessions.set(k, e);
      else blockers.push(e);
    }
    const out: CalendarSlot[] = [];
    for (const s of withoutBusy(grid, blockers)) {
      const session = sessions.get(slotKey(s));
      if (!session) out.push({ ...s, freeUserIds: [host], spotsLeft: capacity });
      else if (session.contactIds.length < capacity) out.push({ ...s, freeUserIds: [host], sessionId: session.id, spotsLeft: capacity - session.contactIds.length });
    }
    return out;
  },
  async book({ store, cal, slot, base, requestedTitle, contactId }) {
    const host = cal.memberIds[0]!;
    const capacity = cal.capacity ?? 1;
    const session = (await classSessionsAt(store, cal, slot))[0];
    const check = await checkMember(store, cal, host, slot, session ? [session.id] : []);
    if (check.status !== 'free') return refuse(store, cal, slot, [check], 'the host is not available');
    if (!session) return store.createEvent({ ...base, title: requestedTitle ?? cal.name, userIds: [host] });
    if (session.contactIds.includes(contactId)) throw new PlatformError('conflict', `Contact ${contactId} is already booked in the session ${session.id} at ${iso(slot.start)}.`);
    if (session.contactIds.length >= capacity) {
      throw new PlatformError('slot-unavailable', `The session at ${iso(slot.start)} in calendar '${cal.name}' (${cal.id}) is full (${session.contactIds.length}/${capacity}): pick another slot.`);
    }
    return store.addEventContact(session.id, contactId);
  },
  async reschedule({ store, ev, cal, slot, ignore }) {
    const checks: MemberCheck[] = [];
    for (const u of ev.userIds) checks.push(await checkMember(store, cal, u, slot, ignore));
    if (checks.some((c) => c.status !== 'free')) return refuse(store, cal, slot, checks, 'the host is not available');
    return store.updateEvent(ev.id, { start: slot.start, end: slot.end });
  },
});
