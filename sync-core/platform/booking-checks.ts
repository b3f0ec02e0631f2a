/**
 * What every calendar type checks before it books (booking.ts, calendar-types/): whether a member
 * is free for a slot (working hours, slot grid, busy events: A1–A3), how a refusal reads, and the
 * Round Robin rotation.
 */
import type { PlatformRepository } from '../store/store.js';
import { busyIntervals, slotFit, type Interval, type SlotFit } from './availability.js';
import type { PlatformCalendar } from './model.js';
import { PlatformError } from './store.js';

type Platform = PlatformRepository;

export type MemberCheck = { userId: string; status: 'free' | 'busy' | Exclude<SlotFit, 'ok'>; busyEventIds: string[] };

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export async function requireCalendar(store: Platform, calendarId: string): Promise<PlatformCalendar> {
  const cal = await store.getCalendar(calendarId);
  if (!cal) throw new PlatformError('not-found', `Calendar ${String(calendarId)} does not exist.`);
  return cal;
}

export async function checkMember(store: Platform, cal: PlatformCalendar, userId: string, slot: Interval, ignoreEventIds: readonly string[]): Promise<MemberCheck> {
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
export async function refuse(store: Platform, cal: PlatformCalendar, slot: Interval, checks: MemberCheck[], what: string): Promise<never> {
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
export function nextFree(cal: PlatformCalendar, pointer: number, checks: Map<string, MemberCheck>): number | undefined {
  const n = cal.memberIds.length;
  for (let i = 0; i < n; i++) {
    const pos = (((pointer + i) % n) + n) % n;
    if (checks.get(cal.memberIds[pos]!)!.status === 'free') return pos;
  }
  return undefined;
}
