import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../common/clock.js';
import { calendarFreeSlots } from './availability.js';
import { blockTime, book, cancel, reschedule } from './booking.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { PlatformError } from './store.js';

const H = 3_600_000;
const M = 60_000;
const T0 = Date.parse('2026-11-21T09:00:00Z');
const MON = Date.parse('2026-11-23T00:00:00Z'); // Monday; London on GMT

/** The async store the code under test reads and writes (the same database as `store`). */
let A: SqliteStore;

async function setup() {
  const clock = new FixedClock(T0);
  A = new SqliteStore(':memory:', clock);
  const db = A.db;
  const store = A.platform;
  const sub = await store.createSubAccount({ name: 'Acme' });
  const user = async (name: string, timeZone = 'Europe/London') => await store.createUser({ subAccountId: sub.id, name, email: `${name.toLowerCase()}@example.com`, timeZone });
  const alice = await user('Alice');
  const bob = await user('Bob');
  const carol = await user('Carol');
  const contacts = [];
  for (const name of ['John', 'Jane', 'Joe', 'Jill']) contacts.push(await store.createContact({ subAccountId: sub.id, name }));
  const icloudBusy = async (userId: string, start: number, end: number, busy = true) =>
    await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [userId], title: 'Pick John from school', start, end, origin: 'icloud', busy });
  return { db, clock, store, sub, alice, bob, carol, contacts, icloudBusy };
}

async function err(fn: () => Promise<unknown>): Promise<PlatformError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof PlatformError) return e;
    throw e;
  }
  throw new Error('expected a PlatformError');
}

describe('book: Round Robin / Service', () => {
  it('assigns members in rotation, persists the pointer, and skips a busy member (A3)', async () => {
    const { store, sub, alice, bob, carol, contacts, icloudBusy } = await setup();
    const [john] = contacts;
    const rr = await store.createCalendar({ subAccountId: sub.id, name: 'Sales', type: 'round_robin', memberIds: [alice.id, bob.id, carol.id] });
    const e1 = await book(A, { calendarId: rr.id, start: MON + 9 * H, contactId: john!.id });
    expect(e1).toMatchObject({ kind: 'appointment', calendarId: rr.id, userIds: [alice.id], contactIds: [john!.id], origin: 'platform', version: 1, title: 'Sales: John', end: MON + 9.5 * H });
    expect((await book(A, { calendarId: rr.id, start: MON + 10 * H, contactId: john!.id })).userIds).toEqual([bob.id]);
    // Carol is next, but an iCloud event makes her busy at 11:00: the slot goes to the next free member
    await icloudBusy(carol.id, MON + 11 * H, MON + 12 * H);
    expect((await book(A, { calendarId: rr.id, start: MON + 11 * H, contactId: john!.id })).userIds).toEqual([alice.id]);
    // the pointer moved past Alice, and it lives in the database, not in memory
    expect(await store.rotationPointer(rr.id)).toBe(1);
    const again = A;
    expect((await book(again, { calendarId: rr.id, start: MON + 13 * H, contactId: john!.id })).userIds).toEqual([bob.id]);
    expect((await book(again, { calendarId: rr.id, start: MON + 13 * H, contactId: john!.id })).userIds).toEqual([carol.id]);
    expect((await book(again, { calendarId: rr.id, start: MON + 13 * H, contactId: john!.id })).userIds).toEqual([alice.id]);
    // everyone is taken at 13:00 now
    const e = await err(async () => book(again, { calendarId: rr.id, start: MON + 13 * H, contactId: john!.id }));
    expect(e.code).toBe('slot-unavailable');
    expect(e.message).toMatch(/no member is free; Alice \(usr_000001\) is busy \(evt_\d+\); Bob .* is busy/);
    expect((await calendarFreeSlots(again.platform, rr.id, { start: MON + 13 * H, end: MON + 14 * H })).map((s) => s.start)).toEqual([MON + 13.5 * H]);
  });

  it('a FREE iCloud event does not take a member out of the rotation (A2)', async () => {
    const { store, sub, alice, bob, contacts, icloudBusy } = await setup();
    const svc = await store.createCalendar({ subAccountId: sub.id, name: 'Svc', type: 'service', memberIds: [alice.id, bob.id] });
    await icloudBusy(alice.id, MON + 9 * H, MON + 10 * H, false);
    expect((await book(A, { calendarId: svc.id, start: MON + 9 * H, contactId: contacts[0]!.id })).userIds).toEqual([alice.id]);
  });
});

describe('book: Collective, Simple, Class Booking', () => {
  it('Collective needs every member free and takes them all', async () => {
    const { store, sub, alice, bob, contacts, icloudBusy } = await setup();
    const col = await store.createCalendar({ subAccountId: sub.id, name: 'Panel', type: 'collective', memberIds: [alice.id, bob.id] });
    await icloudBusy(bob.id, MON + 9.25 * H, MON + 9.5 * H);
    const e = await err(async () => await book(A, { calendarId: col.id, start: MON + 9 * H, contactId: contacts[0]!.id }));
    expect(e.code).toBe('slot-unavailable');
    expect(e.message).toMatch(/every member free; Bob \(usr_000002\) is busy/);
    expect(e.message).not.toMatch(/Alice/);
    expect(await store.listEventsForUser(alice.id, { start: MON, end: MON + 24 * H })).toEqual([]);
    const ok = await book(A, { calendarId: col.id, start: MON + 9.5 * H, contactId: contacts[0]!.id, location: 'Room 2' });
    expect(ok).toMatchObject({ userIds: [alice.id, bob.id], location: 'Room 2' });
    expect((await store.listEventsForUser(bob.id, { start: MON + 9.5 * H, end: MON + 10 * H })).map((x) => x.id)).toEqual([ok.id]);
  });

  it('refuses a slot overlapping a busy event (A3), outside working hours, or off the slot grid', async () => {
    const { store, sub, alice, contacts, icloudBusy } = await setup();
    const simple = await store.createCalendar({ subAccountId: sub.id, name: 'Mine', type: 'simple', memberIds: [alice.id] });
    const john = contacts[0]!.id;
    await icloudBusy(alice.id, MON + 9 * H, MON + 9.25 * H);
    expect(await err(async () => await book(A, { calendarId: simple.id, start: MON + 9 * H, contactId: john }))).toMatchObject({
      code: 'slot-unavailable',
      message: expect.stringMatching(/Alice \(usr_000001\) is busy/),
    });
    const evening = await err(async () => await book(A, { calendarId: simple.id, start: MON + 17 * H, contactId: john }));
    expect(evening.code).toBe('slot-unavailable');
    expect(evening.message).toMatch(/outside Alice \(usr_000001\)'s working hours \(09:00–17:00 Europe\/London/);
    expect((await err(async () => await book(A, { calendarId: simple.id, start: MON + 16.75 * H, contactId: john }))).code).toBe('slot-unavailable'); // would end 17:15
    expect((await err(async () => await book(A, { calendarId: simple.id, start: MON - 14 * H, contactId: john }))).code).toBe('slot-unavailable'); // Sunday 10:00
    const grid = await err(async () => await book(A, { calendarId: simple.id, start: MON + 10 * H + 10 * M, contactId: john }));
    expect(grid.code).toBe('invalid');
    expect(grid.message).toMatch(/slot grid/);
    expect((await err(async () => await book(A, { calendarId: 'cal_nope', start: MON + 10 * H, contactId: john }))).code).toBe('not-found');
    expect((await err(async () => await book(A, { calendarId: simple.id, start: MON + 10 * H, contactId: 'con_nope' }))).code).toBe('not-found');
    expect(await store.currentChangeSeq()).toBe(1); // only the iCloud event was written
    expect((await book(A, { calendarId: simple.id, start: MON + 9.5 * H, contactId: john })).userIds).toEqual([alice.id]);
  });

  it('Class Booking fills one session up to capacity, then refuses', async () => {
    const { store, sub, alice, contacts } = await setup();
    const cls = await store.createCalendar({ subAccountId: sub.id, name: 'Yoga', type: 'class_booking', memberIds: [alice.id], capacity: 2, slotMinutes: 60 });
    const [john, jane, joe] = contacts;
    const s1 = await book(A, { calendarId: cls.id, start: MON + 9 * H, contactId: john!.id });
    expect(s1).toMatchObject({ title: 'Yoga', userIds: [alice.id], contactIds: [john!.id], version: 1 });
    const s2 = await book(A, { calendarId: cls.id, start: MON + 9 * H, contactId: jane!.id });
    expect(s2).toMatchObject({ id: s1.id, contactIds: [john!.id, jane!.id], version: 2 });
    expect(s2.changeSeq).toBeGreaterThan(s1.changeSeq);
    const full = await err(async () => await book(A, { calendarId: cls.id, start: MON + 9 * H, contactId: joe!.id }));
    expect(full.code).toBe('slot-unavailable');
    expect(full.message).toMatch(/is full \(2\/2\)/);
    expect((await store.getEvent(s1.id))!.contactIds.length).toBe(2);
    // another slot opens another session
    const other = await book(A, { calendarId: cls.id, start: MON + 10 * H, contactId: john!.id });
    expect(other.id).not.toBe(s1.id);
    // the same contact twice in one session is a conflict
    expect((await err(async () => await book(A, { calendarId: cls.id, start: MON + 10 * H, contactId: john!.id }))).code).toBe('conflict');
    // every session lives on the host's time
    expect((await store.listEventsForUser(alice.id, { start: MON, end: MON + 24 * H })).map((e) => e.contactIds.length)).toEqual([2, 1]);
  });
});

describe('reschedule and cancel', () => {
  it('reschedule moves a booking, ignoring its own time, and refuses a busy slot', async () => {
    const { store, clock, sub, alice, contacts, icloudBusy } = await setup();
    const simple = await store.createCalendar({ subAccountId: sub.id, name: 'Mine', type: 'simple', memberIds: [alice.id] });
    // a one-hour booking on a 30-minute grid: moving it by 30 minutes overlaps its old self
    const ev = await store.createEvent({
      subAccountId: sub.id,
      kind: 'appointment',
      calendarId: simple.id,
      userIds: [alice.id],
      contactIds: [contacts[0]!.id],
      title: 'Long',
      start: MON + 9 * H,
      end: MON + 10 * H,
    });
    clock.advance(M);
    const moved = await reschedule(A, ev.id, MON + 9.5 * H);
    expect(moved).toMatchObject({ id: ev.id, start: MON + 9.5 * H, end: MON + 10.5 * H, version: 2, updatedAt: T0 + M });
    await icloudBusy(alice.id, MON + 14 * H, MON + 14.5 * H);
    const busy = await err(async () => await reschedule(A, ev.id, MON + 13.5 * H));
    expect(busy.code).toBe('slot-unavailable');
    expect((await store.getEvent(ev.id))!.start).toBe(MON + 9.5 * H);
    expect((await err(async () => await reschedule(A, ev.id, MON + 16.5 * H))).code).toBe('slot-unavailable'); // would end 17:30
    expect(await reschedule(A, ev.id, MON + 9.5 * H)).toEqual(moved); // same time: nothing written
  });

  it('Round Robin reschedule keeps the member when free, otherwise hands the booking to a free one', async () => {
    const { store, sub, alice, bob, contacts, icloudBusy } = await setup();
    const rr = await store.createCalendar({ subAccountId: sub.id, name: 'RR', type: 'round_robin', memberIds: [alice.id, bob.id] });
    const ev = await book(A, { calendarId: rr.id, start: MON + 9 * H, contactId: contacts[0]!.id });
    expect(ev.userIds).toEqual([alice.id]);
    expect((await reschedule(A, ev.id, MON + 10 * H)).userIds).toEqual([alice.id]);
    await icloudBusy(alice.id, MON + 11 * H, MON + 12 * H);
    const handed = await reschedule(A, ev.id, MON + 11 * H);
    expect(handed.userIds).toEqual([bob.id]);
    // Alice hears about it through her change feed
    expect((await store.listChangedEvents(alice.id, 0)).at(-1)).toMatchObject({ id: ev.id, userIds: [bob.id] });
  });

  it('cancel frees the slot; cancelled and deleted bookings cannot be moved', async () => {
    const { store, sub, alice, contacts } = await setup();
    const simple = await store.createCalendar({ subAccountId: sub.id, name: 'Mine', type: 'simple', memberIds: [alice.id] });
    const ev = await book(A, { calendarId: simple.id, start: MON + 9 * H, contactId: contacts[0]!.id });
    expect((await err(async () => await book(A, { calendarId: simple.id, start: MON + 9 * H, contactId: contacts[1]!.id }))).code).toBe('slot-unavailable');
    const c = await cancel(A, ev.id);
    expect(c).toMatchObject({ status: 'cancelled', version: 2, deleted: false });
    expect(await cancel(A, ev.id)).toEqual(c);
    expect((await book(A, { calendarId: simple.id, start: MON + 9 * H, contactId: contacts[1]!.id })).status).toBe('confirmed');
    expect((await err(async () => await reschedule(A, ev.id, MON + 10 * H))).code).toBe('invalid');
    await store.deleteEvent(ev.id);
    expect((await err(async () => await cancel(A, ev.id))).code).toBe('conflict');
    expect((await err(async () => await reschedule(A, 'evt_nope', MON))).code).toBe('not-found');
  });
});

describe('blockTime', () => {
  it('creates a platform blocked slot without contacts that blocks booking (P3: origin platform)', async () => {
    const { store, sub, alice, contacts } = await setup();
    const b = await blockTime(A, { subAccountId: sub.id, userId: alice.id, start: MON + 12 * H, end: MON + 13 * H, title: 'Lunch' });
    expect(b).toMatchObject({ kind: 'blocked', origin: 'platform', contactIds: [], busy: true, status: 'confirmed', allDay: false, title: 'Lunch' });
    expect(b.calendarId).toBeUndefined();
    const simple = await store.createCalendar({ subAccountId: sub.id, name: 'Mine', type: 'simple', memberIds: [alice.id] });
    expect((await err(async () => await book(A, { calendarId: simple.id, start: MON + 12.5 * H, contactId: contacts[0]!.id }))).code).toBe('slot-unavailable');
    expect((await err(async () => await reschedule(A, b.id, MON))).code).toBe('invalid'); // blocked slots move with updateEvent
  });
});
