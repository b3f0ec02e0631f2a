import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../common/clock.js';
import { busyIntervals, calendarFreeSlots, freeSlots, localDateOf, localDayRange, mergeIntervals, slotFit, workingSlots } from './availability.js';
import { blockTime } from './booking.js';
import type { WorkingHours } from './model.js';
import { SqliteStore } from '../store/sqlite-store.js';

const H = 3_600_000;
const M = 60_000;
const MON = Date.parse('2026-11-23T00:00:00Z'); // Monday; London is on GMT (UTC+0) in November
const at = (s: string) => Date.parse(s);
const isoList = (xs: { start: number }[]) => xs.map((x) => new Date(x.start).toISOString().slice(0, 16));

/** The async store the code under test reads and writes (the same database as `store`). */
let A: SqliteStore;

async function setup() {
  A = new SqliteStore(':memory:', new FixedClock(Date.parse('2026-11-21T09:00:00Z')));
  const store = A.platform;
  const sub = await store.createSubAccount({ name: 'Acme' });
  const user = async (name: string, timeZone: string, workingHours?: WorkingHours) =>
    await store.createUser({ subAccountId: sub.id, name, email: `${name.toLowerCase()}@example.com`, timeZone, ...(workingHours ? { workingHours } : {}) });
  const john = await store.createContact({ subAccountId: sub.id, name: 'John' });
  const jane = await store.createContact({ subAccountId: sub.id, name: 'Jane' });
  const blocked = async (userId: string, start: number, end: number, extra: { busy?: boolean; allDay?: boolean; origin?: 'icloud' | 'platform' } = {}) =>
    await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [userId], title: 'x', start, end, origin: 'icloud', ...extra });
  return { store, sub, user, john, jane, blocked };
}

describe('busyIntervals (A1/A2)', () => {
  it('only live, confirmed, BUSY events block; FREE, cancelled and deleted ones do not', async () => {
    const { store, sub, user, john, blocked } = await setup();
    const alice = await user('Alice', 'Europe/London');
    const busy = await blocked(alice.id, MON + 9 * H, MON + 10 * H);
    await blocked(alice.id, MON + 10 * H, MON + 11 * H, { busy: false }); // FREE iCloud event: fetched, does not block
    const appt = await store.createEvent({ subAccountId: sub.id, kind: 'appointment', userIds: [alice.id], contactIds: [john.id], title: 'a', start: MON + 11 * H, end: MON + 12 * H });
    const cancelled = await store.createEvent({
      subAccountId: sub.id,
      kind: 'appointment',
      userIds: [alice.id],
      contactIds: [john.id],
      title: 'c',
      start: MON + 12 * H,
      end: MON + 13 * H,
      status: 'cancelled',
    });
    await store.deleteEvent((await blocked(alice.id, MON + 13 * H, MON + 14 * H)).id);
    const overlapping = await blocked(alice.id, MON + 9.5 * H, MON + 10.5 * H);
    const range = { start: MON, end: MON + 24 * H };
    expect((await store.listEventsForUser(alice.id, range)).length).toBe(5); // FREE and cancelled are still there
    expect(await busyIntervals(A.platform, alice.id, range)).toEqual([
      { start: MON + 9 * H, end: MON + 10 * H, eventId: busy.id },
      { start: MON + 9.5 * H, end: MON + 10.5 * H, eventId: overlapping.id }, // not merged
      { start: MON + 11 * H, end: MON + 12 * H, eventId: appt.id },
    ]);
    expect((await busyIntervals(A.platform, alice.id, range, { ignoreEventIds: [busy.id] })).map((b) => b.eventId)).toEqual([overlapping.id, appt.id]);
    expect(cancelled.status).toBe('cancelled');
    expect(mergeIntervals(await busyIntervals(A.platform, alice.id, range))).toEqual([
      { start: MON + 9 * H, end: MON + 10.5 * H },
      { start: MON + 11 * H, end: MON + 12 * H },
    ]);
  });
});

describe('freeSlots', () => {
  it('offers working-hours slots minus busy time; FREE and cancelled events leave the slots open', async () => {
    const { store, sub, user, john, blocked } = await setup();
    const alice = await user('Alice', 'Europe/London');
    const day = { start: MON, end: MON + 24 * H };
    expect((await freeSlots(A.platform, alice.id, day, 30)).length).toBe(16); // 09:00–17:00
    await blocked(alice.id, MON + 10.25 * H, MON + 10.75 * H); // 10:15–10:45 blocks 10:00 and 10:30
    await blocked(alice.id, MON + 12 * H, MON + 13 * H, { busy: false });
    await store.createEvent({ subAccountId: sub.id, kind: 'appointment', userIds: [alice.id], contactIds: [john.id], title: 'c', start: MON + 14 * H, end: MON + 15 * H, status: 'cancelled' });
    const slots = await freeSlots(A.platform, alice.id, day, 30);
    expect(isoList(slots)).not.toContain('2026-11-23T10:00');
    expect(isoList(slots)).not.toContain('2026-11-23T10:30');
    expect(isoList(slots)).toContain('2026-11-23T09:30');
    expect(isoList(slots)).toContain('2026-11-23T11:00');
    expect(isoList(slots)).toContain('2026-11-23T12:00'); // FREE event
    expect(isoList(slots)).toContain('2026-11-23T14:00'); // cancelled appointment
    expect(slots.length).toBe(14);
    // the weekend has no working hours; a range edge cuts slots
    expect(await freeSlots(A.platform, alice.id, { start: MON - 2 * 24 * H, end: MON }, 30)).toEqual([]);
    expect(isoList(await freeSlots(A.platform, alice.id, { start: MON + 16.25 * H, end: MON + 24 * H }, 30))).toEqual(['2026-11-23T16:30']);
  });

  it('keeps 09:00 local across the Europe/London DST change at the end of March', async () => {
    const { user } = await setup();
    const alice = await user('Alice', 'Europe/London');
    const slots = await freeSlots(A.platform, alice.id, { start: at('2026-03-27T00:00:00Z'), end: at('2026-03-31T00:00:00Z') }, 60);
    const firsts = isoList(slots).filter((s, i, all) => i === 0 || s.slice(0, 10) !== all[i - 1]!.slice(0, 10));
    // Friday 27 March 09:00 GMT = 09:00Z; Monday 30 March 09:00 BST = 08:00Z
    expect(firsts).toEqual(['2026-03-27T09:00', '2026-03-30T08:00']);
    expect(slots.length).toBe(16);
    expect(isoList(slots).at(-1)).toBe('2026-03-30T15:00'); // 16:00 BST, last slot before 17:00
  });

  it('keeps 09:00 local across the America/New_York DST change, and a DST day is an hour short', async () => {
    const { user } = await setup();
    const bob = await user('Bob', 'America/New_York');
    const slots = await freeSlots(A.platform, bob.id, { start: at('2026-03-06T00:00:00Z'), end: at('2026-03-10T00:00:00Z') }, 60);
    const firsts = isoList(slots).filter((s, i, all) => i === 0 || s.slice(0, 10) !== all[i - 1]!.slice(0, 10));
    // Friday 6 March 09:00 EST = 14:00Z; Monday 9 March 09:00 EDT = 13:00Z
    expect(firsts).toEqual(['2026-03-06T14:00', '2026-03-09T13:00']);
    expect(slots.length).toBe(16);

    const night = await user('Night', 'America/New_York', { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '06:00' });
    const spring = await freeSlots(A.platform, night.id, localDayRange('America/New_York', '2026-03-08'), 60);
    // 00:00 EST (05:00Z) to 06:00 EDT (10:00Z): five real hours
    expect(isoList(spring)).toEqual(['2026-03-08T05:00', '2026-03-08T06:00', '2026-03-08T07:00', '2026-03-08T08:00', '2026-03-08T09:00']);
    const autumn = await freeSlots(A.platform, night.id, localDayRange('America/New_York', '2026-11-01'), 60);
    // 00:00 EDT (04:00Z) to 06:00 EST (11:00Z): seven real hours
    expect(autumn.length).toBe(7);
    expect(isoList(autumn)[0]).toBe('2026-11-01T04:00');
  });

  it('uses the user own date in Pacific/Kiritimati (UTC+14), not the UTC date', async () => {
    const { user } = await setup();
    const kiri = await user('Kiri', 'Pacific/Kiritimati');
    // A UTC Sunday holds the start of the local Monday: 09:00 +14 = Sunday 19:00Z
    const sunday = await freeSlots(A.platform, kiri.id, { start: at('2026-11-22T00:00:00Z'), end: at('2026-11-23T00:00:00Z') }, 30);
    expect(sunday.length).toBe(10);
    expect(isoList(sunday)[0]).toBe('2026-11-22T19:00');
    expect(localDateOf(sunday[0]!.start, 'Pacific/Kiritimati')).toBe('2026-11-23');
    // A UTC Friday holds only the end of the local Friday (local Saturday is off)
    const friday = await freeSlots(A.platform, kiri.id, { start: at('2026-11-27T00:00:00Z'), end: at('2026-11-28T00:00:00Z') }, 30);
    expect(isoList(friday)).toEqual(['2026-11-27T00:00', '2026-11-27T00:30', '2026-11-27T01:00', '2026-11-27T01:30', '2026-11-27T02:00', '2026-11-27T02:30']);
  });

  it('an all-day blocked slot blocks the whole local day in the user zone, and only that day', async () => {
    const { sub, user, blocked } = await setup();
    const bob = await user('Bob', 'America/New_York');
    const ev = await blockTime(A, { subAccountId: sub.id, userId: bob.id, start: MON + 12 * H, end: MON + 13 * H, title: 'Holiday', allDay: true });
    expect(ev).toMatchObject({ kind: 'blocked', allDay: true, origin: 'platform', contactIds: [], busy: true });
    expect([new Date(ev.start).toISOString(), new Date(ev.end).toISOString()]).toEqual(['2026-11-23T05:00:00.000Z', '2026-11-24T05:00:00.000Z']);
    const week = { start: MON, end: MON + 3 * 24 * H };
    const days = new Set((await freeSlots(A.platform, bob.id, week, 60)).map((s) => localDateOf(s.start, 'America/New_York')));
    expect([...days]).toEqual(['2026-11-24', '2026-11-25']);
    // an all-day FREE (transparent) event from iCloud, Apple's default, blocks nothing (A4)
    const alice = await user('Alice', 'Europe/London');
    const d = localDayRange('Europe/London', '2026-11-23');
    await blocked(alice.id, d.start, d.end, { allDay: true, busy: false });
    expect((await freeSlots(A.platform, alice.id, d, 60)).length).toBe(8);
    await blocked(alice.id, d.start, d.end, { allDay: true });
    expect(await freeSlots(A.platform, alice.id, d, 60)).toEqual([]);
  });

  it('slotFit tells outside-working-hours from misaligned', async () => {
    const { user } = await setup();
    const alice = await user('Alice', 'Europe/London');
    expect(slotFit(alice, { start: MON + 9 * H, end: MON + 9.5 * H }, 30)).toBe('ok');
    expect(slotFit(alice, { start: MON + 9 * H + 10 * M, end: MON + 9 * H + 40 * M }, 30)).toBe('misaligned');
    expect(slotFit(alice, { start: MON + 16.75 * H, end: MON + 17.25 * H }, 30)).toBe('outside-working-hours');
    expect(slotFit(alice, { start: MON + 18 * H, end: MON + 18.5 * H }, 30)).toBe('outside-working-hours');
    expect(slotFit(alice, { start: MON - 24 * H + 10 * H, end: MON - 24 * H + 10.5 * H }, 30)).toBe('outside-working-hours'); // Sunday
    expect(workingSlots(alice, { start: MON, end: MON + 24 * H }, 45).length).toBe(10); // 8h / 45min, the last partial slot dropped
  });
});

describe('calendarFreeSlots', () => {
  it('Round Robin offers a slot while any member is free; Collective only when all are', async () => {
    const { store, sub, user, blocked } = await setup();
    const alice = await user('Alice', 'Europe/London');
    const carol = await user('Carol', 'Europe/London');
    await blocked(alice.id, MON + 9 * H, MON + 10 * H);
    await blocked(carol.id, MON + 16 * H, MON + 17 * H);
    const rr = await store.createCalendar({ subAccountId: sub.id, name: 'RR', type: 'round_robin', memberIds: [alice.id, carol.id] });
    const col = await store.createCalendar({ subAccountId: sub.id, name: 'Col', type: 'collective', memberIds: [alice.id, carol.id] });
    const day = { start: MON, end: MON + 24 * H };
    const rrSlots = await calendarFreeSlots(A.platform, rr.id, day);
    expect(rrSlots.length).toBe(16);
    expect(rrSlots[0]).toEqual({ start: MON + 9 * H, end: MON + 9.5 * H, freeUserIds: [carol.id] });
    expect(rrSlots[2]).toEqual({ start: MON + 10 * H, end: MON + 10.5 * H, freeUserIds: [alice.id, carol.id] });
    expect(rrSlots.at(-1)!.freeUserIds).toEqual([alice.id]);
    const colSlots = await calendarFreeSlots(A.platform, col.id, day);
    expect(colSlots.length).toBe(12);
    expect(isoList(colSlots)[0]).toBe('2026-11-23T10:00');
    expect(colSlots.every((s) => s.freeUserIds.length === 2)).toBe(true);
  });

  it('members in different zones: each member own working hours count', async () => {
    const { store, sub, user } = await setup();
    const alice = await user('Alice', 'Europe/London'); // 09:00–17:00Z
    const bob = await user('Bob', 'America/New_York'); // 14:00–22:00Z in November
    const rr = await store.createCalendar({ subAccountId: sub.id, name: 'RR', type: 'service', memberIds: [alice.id, bob.id], slotMinutes: 60 });
    const col = await store.createCalendar({ subAccountId: sub.id, name: 'Col', type: 'collective', memberIds: [alice.id, bob.id], slotMinutes: 60 });
    const day = { start: MON, end: MON + 24 * H };
    expect((await calendarFreeSlots(A.platform, rr.id, day)).length).toBe(13);
    expect(isoList(await calendarFreeSlots(A.platform, col.id, day))).toEqual(['2026-11-23T14:00', '2026-11-23T15:00', '2026-11-23T16:00']);
  });

  it('Class Booking offers the host free slots and sessions with room left; Simple offers its owner free slots', async () => {
    const { store, sub, user, john, jane, blocked } = await setup();
    const host = await user('Host', 'Europe/London');
    const cls = await store.createCalendar({ subAccountId: sub.id, name: 'Yoga', type: 'class_booking', memberIds: [host.id], capacity: 2, slotMinutes: 60 });
    const session = await store.createEvent({
      subAccountId: sub.id,
      kind: 'appointment',
      calendarId: cls.id,
      userIds: [host.id],
      contactIds: [john.id],
      title: 'Yoga',
      start: MON + 9 * H,
      end: MON + 10 * H,
    });
    await store.createEvent({
      subAccountId: sub.id,
      kind: 'appointment',
      calendarId: cls.id,
      userIds: [host.id],
      contactIds: [john.id, jane.id],
      title: 'Yoga',
      start: MON + 10 * H,
      end: MON + 11 * H,
    });
    await blocked(host.id, MON + 11 * H, MON + 12 * H);
    const slots = await calendarFreeSlots(A.platform, cls.id, { start: MON, end: MON + 24 * H });
    expect(slots[0]).toEqual({ start: MON + 9 * H, end: MON + 10 * H, freeUserIds: [host.id], sessionId: session.id, spotsLeft: 1 });
    expect(slots[1]).toEqual({ start: MON + 12 * H, end: MON + 13 * H, freeUserIds: [host.id], spotsLeft: 2 }); // 10:00 full, 11:00 busy
    expect(slots.length).toBe(6);
    // a session with room is not offered when something else blocks the host at that time
    await blocked(host.id, MON + 9.5 * H, MON + 9.75 * H);
    expect((await calendarFreeSlots(A.platform, cls.id, { start: MON, end: MON + 24 * H }))[0]!.start).toBe(MON + 12 * H);

    const simple = await store.createCalendar({ subAccountId: sub.id, name: 'Mine', type: 'simple', memberIds: [host.id], slotMinutes: 60 });
    expect(isoList(await calendarFreeSlots(A.platform, simple.id, { start: MON, end: MON + 24 * H }))).toEqual([
      '2026-11-23T12:00',
      '2026-11-23T13:00',
      '2026-11-23T14:00',
      '2026-11-23T15:00',
      '2026-11-23T16:00',
    ]);
  });
});
