/**
 * Simple and Event calendars: one user (the owner, or the event's host) must be free. Their
 * bookings stay in the platform (T2).
 */
import { PlatformError } from '../store.js';
import { freeSlots } from '../availability.js';
import { checkMember, refuse, type MemberCheck } from '../booking-checks.js';
import { defineCalendarType } from './policy.js';

export function singleHostType<const T extends string>(type: T, name: string, exactlyOneMember: boolean) {
  return defineCalendarType({
    type,
    name,
    syncsWithICloud: false,
    validate(init) {
      if (exactlyOneMember && init.memberIds.length !== 1) {
        throw new PlatformError('invalid', `A ${name} calendar belongs to exactly one user, got ${init.memberIds.length} members: use a Round Robin, Collective or Service calendar for a team.`);
      }
      if (init.capacity !== undefined) throw new PlatformError('invalid', `capacity applies only to Class Booking calendars, not ${name}: leave it out.`);
      return null;
    },
    async freeSlots(store, cal, range) {
      const host = cal.memberIds[0]!;
      return (await freeSlots(store, host, range, cal.slotMinutes)).map((s) => ({ ...s, freeUserIds: [host] }));
    },
    async book({ store, cal, slot, base, title }) {
      const host = cal.memberIds[0]!;
      const check = await checkMember(store, cal, host, slot, []);
      if (check.status !== 'free') return refuse(store, cal, slot, [check], 'the calendar owner is not available');
      return store.createEvent({ ...base, title, userIds: [host] });
    },
    async reschedule({ store, ev, cal, slot, ignore }) {
      const checks: MemberCheck[] = [];
      for (const u of ev.userIds) checks.push(await checkMember(store, cal, u, slot, ignore));
      if (checks.some((c) => c.status !== 'free')) return refuse(store, cal, slot, checks, 'the host is not available');
      return store.updateEvent(ev.id, { start: slot.start, end: slot.end });
    },
  });
}
