/**
 * Round Robin and Service: a slot is offered while one member is free; the next free member in
 * rotation gets the booking and the pointer moves past them, so assignment is fair and
 * deterministic. A reschedule keeps the assigned member if they are free, otherwise the next free
 * one in rotation takes it (the pointer does not move).
 */
import { PlatformError } from '../store.js';
import { memberSlots } from '../availability.js';
import { checkMember, nextFree, refuse, type MemberCheck } from '../booking-checks.js';
import { defineCalendarType } from './policy.js';

export function rotationType<const T extends string>(type: T, name: string) {
  return defineCalendarType({
    type,
    name,
    syncsWithICloud: true,
    validate(init) {
      if (init.capacity !== undefined) throw new PlatformError('invalid', `capacity applies only to Class Booking calendars, not ${name}: leave it out.`);
      return null;
    },
    freeSlots: (store, cal, range) => memberSlots(store, cal, range),
    async book({ store, cal, slot, base, title }) {
      const checks = new Map<string, MemberCheck>();
      for (const u of cal.memberIds) checks.set(u, await checkMember(store, cal, u, slot, []));
      const pos = nextFree(cal, await store.rotationPointer(cal.id), checks);
      if (pos === undefined) return refuse(store, cal, slot, [...checks.values()], 'no member is free');
      await store.setRotationPointer(cal.id, (pos + 1) % cal.memberIds.length);
      return store.createEvent({ ...base, title, userIds: [cal.memberIds[pos]!] });
    },
    async reschedule({ store, ev, cal, slot, ignore }) {
      const checks = new Map<string, MemberCheck>();
      for (const u of cal.memberIds) checks.set(u, await checkMember(store, cal, u, slot, ignore));
      for (const u of ev.userIds) if (!checks.has(u)) checks.set(u, await checkMember(store, cal, u, slot, ignore));
      if (ev.userIds.every((u) => checks.get(u)!.status === 'free')) return store.updateEvent(ev.id, { start: slot.start, end: slot.end });
      const pos = nextFree(cal, await store.rotationPointer(cal.id), checks);
      if (pos === undefined) return refuse(store, cal, slot, [...checks.values()], 'no member is free');
      return store.updateEvent(ev.id, { start: slot.start, end: slot.end, userIds: [cal.memberIds[pos]!] });
    },
  });
}
