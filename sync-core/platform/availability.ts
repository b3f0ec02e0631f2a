/**
 * Availability over the platform store (RULES.md A1–A4): which time is busy, which bookable slots are
 * free. Working hours are in each user's own IANA zone, so 09:00 local stays 09:00 local across
 * daylight-saving changes (the instant moves, the wall-clock time does not).
 *
 * All functions read the store only; none writes.
 */
import { epochToWallClock, ianaZone, wallClockToEpoch, type Zone } from '../../icalendar/index.js';
import type { PlatformCalendar, PlatformEvent, TimeRange, User } from './model.js';
import type { PlatformRepository } from '../store/store.js';
import { PlatformError } from './store.js';
import { policyOf } from './calendar-types/index.js';

/** What availability reads: nothing here writes. */
export type PlatformReader = Pick<PlatformRepository, 'getUser' | 'getCalendar' | 'listEventsForUser'>;

const MINUTE_MS = 60_000;

export interface Interval {
  start: number;
  end: number;
}

export interface BusyInterval extends Interval {
  eventId: string;
}

/** A bookable slot of a platform calendar. */
export interface CalendarSlot extends Interval {
  /** Members free for this slot, in the calendar's member order (for a collective calendar: all). */
  freeUserIds: string[];
  /** Class booking: the existing session at this slot that still has room. */
  sessionId?: string;
  /** Class booking: how many more contacts the slot takes. */
  spotsLeft?: number;
}

/** A1/A2: an event blocks time only if it is live, confirmed and BUSY (opaque). Kind does not matter. */
export function blocksTime(e: PlatformEvent): boolean {
  return !e.deleted && e.status === 'confirmed' && e.busy;
}

function overlaps(a: Interval, b: Interval): boolean {
  return a.start < b.end && a.end > b.start;
}

/**
 * The user's busy time in the range: one interval per blocking event (A1/A2), **not merged** (each
 * keeps its eventId, so callers can say what is in the way) and **not clipped** to the range
 * (the event's own start/end), ordered by start then event id. `ignoreEventIds` leaves events out
 * (rescheduling an event must not collide with itself).
 */
export async function busyIntervals(store: PlatformReader, userId: string, range: TimeRange, options: { ignoreEventIds?: readonly string[] } = {}): Promise<BusyInterval[]> {
  const ignore = new Set(options.ignoreEventIds ?? []);
  return (await store.listEventsForUser(userId, range)).filter((e) => blocksTime(e) && !ignore.has(e.id)).map((e) => ({ start: e.start, end: e.end, eventId: e.id }));
}

/** The user's zone; PlatformError 'invalid' if the stored name is not a zone we can compute with. */
export function userZone(user: User): Zone {
  const zone = ianaZone(user.timeZone);
  if (!zone) throw new PlatformError('invalid', `User ${user.id} has an unknown time zone '${user.timeZone}': set an IANA zone such as 'Europe/London'.`);
  return zone;
}

function hm(value: string): { hour: number; minute: number } {
  const [h, m] = value.split(':').map(Number) as [number, number];
  return { hour: h, minute: m };
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The local calendar date (`YYYY-MM-DD`) of an instant in an IANA zone. */
export function localDateOf(epochMs: number, timeZone: string): string {
  const zone = ianaZone(timeZone);
  if (!zone) throw new PlatformError('invalid', `Unknown time zone '${timeZone}'.`);
  const w = epochToWallClock(epochMs, zone);
  return isoDate(w.year, w.month, w.day);
}

/** The instants of local midnight at the start of `date` and of the next day, in an IANA zone. */
export function localDayRange(timeZone: string, date: string): Interval {
  const zone = ianaZone(timeZone);
  if (!zone) throw new PlatformError('invalid', `Unknown time zone '${timeZone}'.`);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new PlatformError('invalid', `Date '${date}' is not a calendar date: use YYYY-MM-DD.`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const next = new Date(Date.UTC(y, mo - 1, d + 1));
  return {
    start: wallClockToEpoch({ year: y, month: mo, day: d, hour: 0, minute: 0, second: 0 }, zone),
    end: wallClockToEpoch({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0, minute: 0, second: 0 }, zone),
  };
}

export interface WorkingWindow extends Interval {
  /** Local date of the working day. */
  date: string;
}

/**
 * The user's working windows (one per working day, start and end converted from local wall-clock
 * time in the user's zone) that overlap the range, in order. A working day that contains a DST
 * change is an hour shorter or longer in real time; its start stays at the local start time.
 */
export function workingWindows(user: User, range: TimeRange): WorkingWindow[] {
  if (range.end <= range.start) return [];
  const zone = userZone(user);
  const { days, start, end } = user.workingHours;
  const ws = hm(start);
  const we = hm(end); // '24:00' rolls over to the next day's midnight in wallClockToEpoch
  const first = epochToWallClock(range.start, zone);
  const last = epochToWallClock(range.end, zone);
  const out: WorkingWindow[] = [];
  // From the day before the first local date to the last one: windows are within one local day.
  for (let i = -1; ; i++) {
    const d = new Date(Date.UTC(first.year, first.month - 1, first.day + i));
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    if (isoDate(year, month, day) > isoDate(last.year, last.month, last.day)) break;
    const isoWeekday = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
    if (!days.includes(isoWeekday)) continue;
    const w = {
      date: isoDate(year, month, day),
      start: wallClockToEpoch({ year, month, day, hour: ws.hour, minute: ws.minute, second: 0 }, zone),
      end: wallClockToEpoch({ year, month, day, hour: we.hour, minute: we.minute, second: 0 }, zone),
    };
    if (w.end > w.start && overlaps(w, range)) out.push(w);
  }
  return out;
}

function slotMsOf(slotMinutes: number): number {
  if (!Number.isInteger(slotMinutes) || slotMinutes <= 0) throw new PlatformError('invalid', `slotMinutes must be a positive whole number, got ${String(slotMinutes)}.`);
  return slotMinutes * MINUTE_MS;
}

/**
 * The slot grid of the user's working hours inside the range, busy or not: slots of `slotMinutes`
 * starting at each working-day start (local time), each wholly inside its working window and
 * inside the range.
 */
export function workingSlots(user: User, range: TimeRange, slotMinutes: number): Interval[] {
  const slotMs = slotMsOf(slotMinutes);
  const out: Interval[] = [];
  for (const w of workingWindows(user, range)) {
    for (let s = w.start; s + slotMs <= w.end; s += slotMs) {
      if (s >= range.start && s + slotMs <= range.end) out.push({ start: s, end: s + slotMs });
    }
  }
  return out;
}

export type SlotFit = 'ok' | 'outside-working-hours' | 'misaligned';

/**
 * Whether [start,end) is a bookable slot for the user: inside one working window and starting a
 * whole number of slots after that window's start.
 */
export function slotFit(user: User, slot: Interval, slotMinutes: number): SlotFit {
  const slotMs = slotMsOf(slotMinutes);
  for (const w of workingWindows(user, slot)) {
    if (w.start <= slot.start && slot.end <= w.end) return (slot.start - w.start) % slotMs === 0 ? 'ok' : 'misaligned';
  }
  return 'outside-working-hours';
}

/** Sorted, disjoint union of intervals. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

/** Slots (sorted, disjoint) that overlap none of the busy intervals. */
export function withoutBusy(slots: Interval[], busy: readonly Interval[]): Interval[] {
  const merged = mergeIntervals(busy);
  const out: Interval[] = [];
  let j = 0;
  for (const s of slots) {
    while (j < merged.length && merged[j]!.end <= s.start) j++;
    const b = merged[j];
    if (!b || b.start >= s.end) out.push(s);
  }
  return out;
}

export async function requireUser(store: PlatformReader, userId: string): Promise<User> {
  const user = await store.getUser(userId);
  if (!user) throw new PlatformError('not-found', `User ${String(userId)} does not exist.`);
  return user;
}

/**
 * The user's free slots in the range: the working-hours grid (`workingSlots`) minus every slot that
 * overlaps a busy interval (A1–A3).
 */
export async function freeSlots(store: PlatformReader, userId: string, range: TimeRange, slotMinutes: number, options: { ignoreEventIds?: readonly string[] } = {}): Promise<Interval[]> {
  const user = await requireUser(store, userId);
  const slots = workingSlots(user, range, slotMinutes);
  if (slots.length === 0) return [];
  const busy = await busyIntervals(store, userId, { start: slots[0]!.start, end: slots[slots.length - 1]!.end }, options);
  return withoutBusy(slots, busy);
}

/** True if nothing blocks the user's time in the interval (A1–A3). */
export async function isUserFree(store: PlatformReader, userId: string, slot: Interval, options: { ignoreEventIds?: readonly string[] } = {}): Promise<boolean> {
  return (await busyIntervals(store, userId, slot, options)).length === 0;
}

/** Class booking: the live, confirmed sessions of the calendar on the host at exactly this slot. */
export async function classSessionsAt(store: PlatformReader, calendar: PlatformCalendar, slot: Interval): Promise<PlatformEvent[]> {
  const host = calendar.memberIds[0]!;
  return (await store.listEventsForUser(host, slot)).filter(
    (e) => e.calendarId === calendar.id && e.kind === 'appointment' && e.status === 'confirmed' && !e.deleted && e.start === slot.start && e.end === slot.end,
  );
}

export function slotKey(s: Interval): string {
  return `${s.start}/${s.end}`;
}

/**
 * Round Robin / Service / Collective: each member's free slots, merged by slot, with the members
 * free for it in member order (the calendar type decides which of them it offers).
 */
export async function memberSlots(store: PlatformReader, cal: PlatformCalendar, range: TimeRange): Promise<CalendarSlot[]> {
  const byKey = new Map<string, CalendarSlot>();
  for (const member of cal.memberIds) {
    for (const s of await freeSlots(store, member, range, cal.slotMinutes)) {
      const k = slotKey(s);
      const slot = byKey.get(k) ?? { start: s.start, end: s.end, freeUserIds: [] };
      slot.freeUserIds.push(member);
      byKey.set(k, slot);
    }
  }
  return [...byKey.values()].sort((a, b) => a.start - b.start || a.end - b.end);
}

/** The bookable slots of a platform calendar in the range, sorted by start: its type's rule (calendar-types/). */
export async function calendarFreeSlots(store: PlatformReader, calendarId: string, range: TimeRange): Promise<CalendarSlot[]> {
  const cal = await store.getCalendar(calendarId);
  if (!cal) throw new PlatformError('not-found', `Calendar ${String(calendarId)} does not exist.`);
  return policyOf(cal.type).freeSlots(store, cal, range);
}
