/** Collective: only slots where every member is free; the booking takes all of them (A3). */
import { PlatformError } from '../store.js';
import { memberSlots } from '../availability.js';
import { checkMember, refuse, type MemberCheck } from '../booking-checks.js';
import { defineCalendarType } from './policy.js';

export const collective = defineCalendarType({
  type: 'collective',
  name: 'Collective',
  syncsWithICloud: true,
  validate(init) {
    if (init.capacity !== undefined) throw new PlatformError('invalid', 'capacity applies only to Class Booking calendars, not Collective: leave it out.');
    return null;
  },
  async freeSlots(store, cal, range) {
    return (await memberSlots(store, cal, range)).filter((s) => s.freeUserIds.length === cal.memberIds.length);
  },
  async book({ store, cal, slot, base, title }) {
    const checks: MemberCheck[] = [];
    for (const u of cal.memberIds) checks.push(await checkMember(store, cal, u, slot, []));
    if (checks.some((c) => c.status !== 'free')) return refuse(store, cal, slot, checks, 'a Collective booking needs every member free');
    return store.createEvent({ ...base, title, userIds: [...cal.memberIds] });
  },
  async reschedule({ store, ev, cal, slot, ignore }) {
    const checks: MemberCheck[] = [];
    for (const u of ev.userIds) checks.push(await checkMember(store, cal, u, slot, ignore));
    if (checks.some((c) => c.status !== 'free')) return refuse(store, cal, slot, checks, 'a Collective booking needs every member free');
    return store.updateEvent(ev.id, { start: slot.start, end: slot.end });
  },
});
