/**
 * The store contract (the pattern of Xandikos' BaseStoreTest): every Store implementation passes
 * the same cases, run by store-contract.test.ts against SQLite and against a real PostgreSQL.
 * Entities round-trip with deterministic ids, validation refuses with precise errors, every write
 * takes the next change sequence, the per-user queries answer exactly, and a transaction is one
 * unit of work for the platform and the sync state together.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FixedClock } from '../../common/clock.js';
import { book, reschedule } from '../platform/booking.js';
import { PlatformError } from '../platform/store.js';
import type { Store } from './store.js';

const H = 3_600_000;
const MON = Date.parse('2026-11-23T00:00:00Z'); // a Monday

export const T0 = Date.parse('2026-11-21T09:00:00Z');

export interface ContractTarget {
  /** The clock the stores are opened with (at T0 for each new store). */
  clock: FixedClock;
  /** A new, empty store. */
  open(): Promise<Store>;
  /** A second store over the same database as the last one opened. */
  reopen(): Promise<Store>;
  /**
   * For a store whose transactions run at once (not one after another): resolves when one of them
   * waits for a lock another holds.
   */
  waitForLockWait?(store: Store): Promise<void>;
}

async function code(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof PlatformError) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error('expected a PlatformError');
}

export function storeContract(name: string, target: ContractTarget): void {
  let current: Store;
  afterEach(async () => {
    await current?.close();
  });
  const reopen = () => target.reopen();

  /**
   * Two transactions at once. `first` runs in a transaction and, where it calls `pause`, stays
   * open (uncommitted) while `second` starts in its own; once `second` waits for a lock (on a store
   * whose transactions run at once: waitForLockWait), `first` goes on and commits. Both results.
   */
  async function heldOpen<A, B>(first: (pause: () => Promise<void>) => Promise<A>, second: () => Promise<B>): Promise<[A, B]> {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let paused!: () => void;
    const reached = new Promise<void>((r) => (paused = r));
    const one = current.transaction(() =>
      first(async () => {
        paused();
        await gate;
      }),
    );
    await Promise.race([reached, one]); // a first that fails before its pause fails the case
    const two = second();
    await target.waitForLockWait?.(current);
    release();
    return Promise.all([one, two]);
  }

  async function setup() {
    target.clock.set(T0);
    current = await target.open();
    const store = current.platform;
    const sub = await store.createSubAccount({ name: 'Acme' });
    const other = await store.createSubAccount({ name: 'Other' });
    const alice = await store.createUser({ subAccountId: sub.id, name: 'Alice', email: 'alice@example.com', timeZone: 'Europe/London' });
    const bob = await store.createUser({ subAccountId: sub.id, name: 'Bob', email: 'bob@example.com', timeZone: 'America/New_York' });
    const stranger = await store.createUser({ subAccountId: other.id, name: 'Stranger', email: 's@example.com', timeZone: 'UTC' });
    const john = await store.createContact({ subAccountId: sub.id, name: 'John', email: 'john@example.com' });
    const foreign = await store.createContact({ subAccountId: other.id, name: 'Foreign' });
    return { store, sub, other, alice, bob, stranger, john, foreign };
  }

  describe(`${name}: entities`, () => {
    it("an id chosen in the store's own form is never given again: the ids given skip past it", async () => {
      const { store, sub } = await setup(); // usr_000001-3 and evt_ none yet
      const user = (id?: string) => store.createUser({ ...(id ? { id } : {}), subAccountId: sub.id, name: 'U', email: 'u@example.com', timeZone: 'UTC' });
      await user('usr_000005');
      await user('usr_2'); // not the store's form (six digits at least): nothing to skip
      expect((await user()).id).toBe('usr_000006');
      const slot = { subAccountId: sub.id, kind: 'blocked' as const, userIds: ['usr_000001'], title: 't', start: MON, end: MON + H };
      // In one batch too: the ids given skip past the chosen one before they are taken.
      const [given, chosen] = await store.createEvents([slot, { ...slot, id: 'evt_000002' }]);
      expect([given!.id, chosen!.id]).toEqual(['evt_000003', 'evt_000002']);
      expect((await store.createEvent(slot)).id).toBe('evt_000004');
    });

    it('gives deterministic prefixed ids and round-trips every entity', async () => {
      const { store, sub, alice, john } = await setup();
      expect(sub.id).toBe('sub_000001');
      expect(alice.id).toBe('usr_000001');
      expect(john.id).toBe('con_000001');
      expect(await store.getUser(alice.id)).toEqual({
        id: 'usr_000001',
        subAccountId: sub.id,
        name: 'Alice',
        email: 'alice@example.com',
        timeZone: 'Europe/London',
        workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
      });
      expect(await store.getContact(john.id)).toEqual(john);
      expect((await store.listSubAccounts()).map((s) => s.name)).toEqual(['Acme', 'Other']);
      expect((await store.listUsers(sub.id)).map((u) => u.name)).toEqual(['Alice', 'Bob']);
      expect((await store.listContacts(sub.id)).map((c) => c.name)).toEqual(['John']);
      expect((await store.createSubAccount({ id: 'sub_custom', name: 'X' })).id).toBe('sub_custom');
      expect(await code(() => store.createSubAccount({ id: 'sub_custom', name: 'Y' }))).toMatch(/^conflict:/);
      expect(await store.getUser('usr_nope')).toBeUndefined();
    });

    it('validates users: sub-account, time zone, working hours', async () => {
      const { store, sub } = await setup();
      const base = { subAccountId: sub.id, name: 'U', email: 'u@example.com', timeZone: 'Europe/Paris' };
      expect(await code(() => store.createUser({ ...base, subAccountId: 'sub_nope' }))).toMatch(/^not-found: Sub-account sub_nope/);
      expect(await code(() => store.createUser({ ...base, timeZone: 'Mars/Olympus' }))).toMatch(/^invalid: Unknown time zone 'Mars\/Olympus'.*IANA/);
      expect(await code(() => store.createUser({ ...base, workingHours: { days: [1], start: '17:00', end: '09:00' } }))).toMatch(/^invalid: .*after start/);
      expect(await code(() => store.createUser({ ...base, workingHours: { days: [8], start: '09:00', end: '17:00' } }))).toMatch(/^invalid: .*ISO weekday/);
      expect(await code(() => store.createUser({ ...base, workingHours: { days: [1], start: '9:00', end: '17:00' } }))).toMatch(/^invalid: .*HH:MM/);
      expect(await code(() => store.createUser({ ...base, workingHours: { days: [], start: '09:00', end: '17:00' } }))).toMatch(/^invalid: .*at least one day/);
      const night = await store.createUser({ ...base, workingHours: { days: [7, 6], start: '18:00', end: '24:00' } });
      expect((await store.getUser(night.id))!.workingHours).toEqual({ days: [6, 7], start: '18:00', end: '24:00' });
    });

    it('creates calendars: T1 types sync, Simple/Event do not; defaults; member rules', async () => {
      const { store, sub, alice, bob, stranger } = await setup();
      const mk = async (type: 'round_robin' | 'collective' | 'class_booking' | 'service' | 'simple' | 'event', memberIds = [alice.id]) =>
        await store.createCalendar({ subAccountId: sub.id, name: type, type, memberIds });
      expect(await mk('round_robin', [alice.id, bob.id])).toMatchObject({ icloudSync: true, slotMinutes: 30, memberIds: [alice.id, bob.id] });
      expect((await mk('collective')).icloudSync).toBe(true);
      expect((await mk('service')).icloudSync).toBe(true);
      const cls = await mk('class_booking');
      expect(cls).toMatchObject({ icloudSync: true, capacity: 10 });
      expect((await mk('simple')).icloudSync).toBe(false);
      expect((await mk('event')).icloudSync).toBe(false);
      expect((await mk('simple')).capacity).toBeUndefined();
      // member order is kept (round-robin order)
      expect((await store.getCalendar((await mk('round_robin', [bob.id, alice.id])).id))!.memberIds).toEqual([bob.id, alice.id]);
      expect(await code(() => mk('simple', [alice.id, bob.id]))).toMatch(/^invalid: A Simple calendar belongs to exactly one user/);
      expect(await code(() => mk('round_robin', [alice.id, stranger.id]))).toMatch(/^invalid: User usr_000003 .*belongs to sub-account/);
      expect(await code(() => mk('round_robin', [alice.id, 'usr_nope']))).toMatch(/^not-found:/);
      expect(await code(() => mk('collective', []))).toMatch(/^invalid:/);
      expect(await code(() => store.createCalendar({ subAccountId: sub.id, name: 'x', type: 'service', memberIds: [alice.id], capacity: 3 }))).toMatch(/^invalid: capacity applies only/);
      expect((await store.createCalendar({ subAccountId: sub.id, name: 'y', type: 'service', memberIds: [alice.id], slotMinutes: 45 })).slotMinutes).toBe(45);
      expect((await store.listCalendars(sub.id)).length).toBe(9);
    });

    it('T2: refuses iCloud sync for Simple and Event calendars with a clear error; T1 types toggle', async () => {
      const { store, sub, alice } = await setup();
      const simple = await store.createCalendar({ subAccountId: sub.id, name: 'Mine', type: 'simple', memberIds: [alice.id] });
      const event = await store.createCalendar({ subAccountId: sub.id, name: 'Webinar', type: 'event', memberIds: [alice.id] });
      const rr = await store.createCalendar({ subAccountId: sub.id, name: 'Team', type: 'round_robin', memberIds: [alice.id] });
      let err: unknown;
      try {
        await store.setICloudSync(simple.id, true);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PlatformError);
      expect((err as PlatformError).code).toBe('calendar-type-not-supported');
      expect((err as PlatformError).message).toContain('Simple calendars cannot sync with iCloud: iCloud sync works for Round Robin, Collective, Class Booking and Service calendars');
      expect(await code(() => store.setICloudSync(event.id, true))).toMatch(/^calendar-type-not-supported: Event calendars cannot sync/);
      expect((await store.getCalendar(simple.id))!.icloudSync).toBe(false);
      expect((await store.setICloudSync(simple.id, false)).icloudSync).toBe(false); // turning off is always fine
      expect((await store.setICloudSync(rr.id, false)).icloudSync).toBe(false);
      expect((await store.getCalendar(rr.id))!.icloudSync).toBe(false);
      expect((await store.setICloudSync(rr.id, true)).icloudSync).toBe(true);
      expect(await code(() => store.setICloudSync('cal_nope', false))).toMatch(/^not-found:/);
    });
  });

  describe(`${name}: events`, () => {
    it('enforces the contact rules: appointments need contacts, blocked slots have none, same sub-account', async () => {
      const { store, sub, alice, john, foreign, stranger } = await setup();
      const base = { subAccountId: sub.id, userIds: [alice.id], title: 'x', start: MON + 9 * H, end: MON + 10 * H };
      expect(await code(() => store.createEvent({ ...base, kind: 'appointment' }))).toMatch(/^invalid: An appointment needs at least one contact/);
      expect(await code(() => store.createEvent({ ...base, kind: 'appointment', contactIds: [] }))).toMatch(/^invalid: An appointment needs/);
      expect(await code(() => store.createEvent({ ...base, kind: 'blocked', contactIds: [john.id] }))).toMatch(/^invalid: A blocked slot has no contacts/);
      expect(await code(() => store.createEvent({ ...base, kind: 'appointment', contactIds: [foreign.id] }))).toMatch(/^invalid: Contact con_000002 belongs to sub-account sub_000002/);
      expect(await code(() => store.createEvent({ ...base, kind: 'appointment', contactIds: ['con_nope'] }))).toMatch(/^not-found:/);
      expect(await code(() => store.createEvent({ ...base, kind: 'blocked', userIds: [stranger.id] }))).toMatch(/^invalid: User usr_000003/);
      expect(await code(() => store.createEvent({ ...base, kind: 'blocked', userIds: ['usr_nope'] }))).toMatch(/^not-found:/);
      expect(await code(() => store.createEvent({ ...base, kind: 'blocked', end: base.start }))).toMatch(/^invalid: Event end .* must be after its start/);
      expect(await code(() => store.createEvent({ ...base, kind: 'blocked', subAccountId: 'sub_nope' }))).toMatch(/^not-found:/);
      expect(await code(() => store.createEvent({ ...base, kind: 'blocked', id: ' ' }))).toMatch(/^invalid: Event id must be a non-empty string/);
      expect(await code(() => store.createEvent({ ...base, kind: 'blocked', calendarId: 'cal_nope' }))).toMatch(/^invalid: A blocked slot belongs to no booking calendar/);
      expect(await code(() => store.createEvent({ ...base, kind: 'appointment', contactIds: [john.id], calendarId: 'cal_nope' }))).toMatch(/^not-found: Calendar cal_nope does not exist/);
      // The first thing wrong is the one named, in the order createEvent checks, whatever was read.
      expect(
        await code(() =>
          store.createEvents([
            { ...base, kind: 'blocked' },
            { ...base, kind: 'appointment', contactIds: ['con_nope'], userIds: ['usr_nope'] },
          ]),
        ),
      ).toMatch(/^not-found: User usr_nope/);
      // nothing above was written, not even a change sequence number
      expect(await store.currentChangeSeq()).toBe(0);
      const appt = await store.createEvent({ ...base, kind: 'appointment', contactIds: [john.id], description: 'd' });
      expect(appt).toMatchObject({
        id: 'evt_000001',
        kind: 'appointment',
        contactIds: [john.id],
        userIds: [alice.id],
        origin: 'platform',
        status: 'confirmed',
        busy: true,
        allDay: false,
        deleted: false,
        description: 'd',
      });
      expect(appt.location).toBeUndefined();
      const blocked = await store.createEvent({ ...base, kind: 'blocked', origin: 'icloud', busy: false });
      expect(blocked).toMatchObject({ kind: 'blocked', contactIds: [], origin: 'icloud', busy: false });
    });

    it('every write takes the next changeSeq, bumps version and sets updatedAt; deletes are tombstones', async () => {
      const { store, sub, alice, john } = await setup();
      const clock = target.clock;
      const a = await store.createEvent({ subAccountId: sub.id, kind: 'appointment', userIds: [alice.id], contactIds: [john.id], title: 'A', start: MON + 9 * H, end: MON + 10 * H });
      expect(a).toMatchObject({ version: 1, changeSeq: 1, updatedAt: T0 });
      clock.advance(60_000);
      const b = await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'B', start: MON, end: MON + H, updatedAt: 42 });
      expect(b).toMatchObject({ version: 1, changeSeq: 2, updatedAt: 42 });
      const a2 = await store.updateEvent(a.id, { title: 'A2', location: 'Room 1' });
      expect(a2).toMatchObject({ title: 'A2', location: 'Room 1', version: 2, changeSeq: 3, updatedAt: T0 + 60_000 });
      const a3 = await store.updateEvent(a.id, { start: MON + 11 * H, end: MON + 12 * H, updatedAt: 7 });
      expect(a3).toMatchObject({ version: 3, changeSeq: 4, updatedAt: 7 });
      // a patch that changes nothing writes nothing
      expect(await store.updateEvent(a.id, { title: 'A2' })).toEqual(a3);
      expect(await store.currentChangeSeq()).toBe(4);
      expect(await code(() => store.updateEvent(a.id, { end: MON }))).toMatch(/^invalid:/);
      expect(await code(() => store.updateEvent('evt_nope', { title: 'x' }))).toMatch(/^not-found:/);
      const del = await store.deleteEvent(a.id, 99);
      expect(del).toMatchObject({ deleted: true, version: 4, changeSeq: 5, updatedAt: 99, title: 'A2' });
      expect(await store.getEvent(a.id)).toEqual(del); // the tombstone keeps its id
      expect(await store.deleteEvent(a.id)).toEqual(del); // deleting again changes nothing
      expect(await code(() => store.updateEvent(a.id, { title: 'x' }))).toMatch(/^conflict: Event evt_000001 was deleted/);
      expect(await store.currentChangeSeq()).toBe(5);
    });

    it('createEvents: many at once, as many createEvent calls would make them, or none when one is refused', async () => {
      const { store, sub, alice, bob, john, stranger } = await setup();
      const first = await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'before', start: MON, end: MON + H });
      const many = await store.createEvents([
        { subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'one', description: 'd', start: MON + H, end: MON + 2 * H, origin: 'icloud' },
        { subAccountId: sub.id, kind: 'appointment', userIds: [alice.id, bob.id], contactIds: [john.id], title: 'two', location: 'Room', start: MON + 2 * H, end: MON + 3 * H },
        { id: 'evt_given', subAccountId: sub.id, kind: 'blocked', userIds: [bob.id], title: 'three', start: MON, end: MON + H, allDay: true, busy: false },
      ]);
      expect(many.map((e) => [e.id, e.changeSeq, e.version])).toEqual([
        ['evt_000002', 2, 1],
        ['evt_000003', 3, 1],
        ['evt_given', 4, 1],
      ]);
      // What it answers is what the store holds.
      for (const e of many) expect(await store.getEvent(e.id)).toEqual(e);
      expect(many[1]).toMatchObject({ userIds: [alice.id, bob.id], contactIds: [john.id], location: 'Room' });
      expect((await store.listChangedEvents(bob.id, first.changeSeq)).map((e) => e.title)).toEqual(['two', 'three']);
      // One refused: none created, no change number taken, no id used up.
      const refused = await code(() =>
        store.createEvents([
          { subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'ok', start: MON, end: MON + H },
          { subAccountId: sub.id, kind: 'blocked', userIds: [stranger.id], title: 'foreign user', start: MON, end: MON + H },
        ]),
      );
      expect(refused).toMatch(/^invalid: User usr_000003 \(an event user\) belongs to sub-account sub_000002/);
      expect(
        await code(() => store.createEvents([0, 1].map(() => ({ id: 'evt_twice', subAccountId: sub.id, kind: 'blocked' as const, userIds: [alice.id], title: 'x', start: MON, end: MON + H })))),
      ).toMatch(/^conflict: Event evt_twice is given twice/);
      expect(await code(() => store.createEvents([{ id: 'evt_given', subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'x', start: MON, end: MON + H }]))).toMatch(
        /^conflict: Event evt_given already exists/,
      );
      expect(await store.currentChangeSeq()).toBe(4);
      expect(await store.createEvents([])).toEqual([]);
      expect((await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'after', start: MON, end: MON + H })).id).toBe('evt_000004');
    });

    it('stores a lone UTF-16 surrogate in a title as U+FFFD, as each driver encodes text, whichever way the rows travel', async () => {
      const { store, sub, alice } = await setup();
      const broken = 'Lunch \ud83c with \udf55';
      const one = await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: broken, start: MON, end: MON + H });
      const [many] = await store.createEvents([{ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: broken, start: MON, end: MON + H }]);
      for (const e of [one, many!]) expect((await store.getEvent(e.id))!.title).toBe('Lunch \ufffd with \ufffd');
    });

    it("two writes to one event at once take turns: the second starts from the first one's result", async () => {
      const { store, sub, alice } = await setup();
      const e = await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'x', start: MON, end: MON + H });
      const [a, b] = await heldOpen(
        async (pause) => {
          const result = await store.updateEvent(e.id, { title: 'a' });
          await pause();
          return result;
        },
        () => store.updateEvent(e.id, { location: 'Room' }),
      );
      expect(a.version).toBe(2);
      expect(b).toMatchObject({ version: 3, title: 'a', location: 'Room' });
      expect(await store.getEvent(e.id)).toEqual(b);
    });

    it('a change then a creation in one transaction, and a creation meanwhile, both complete (the counters are taken in one order)', async () => {
      // A recurring event's new occurrences: the run changes the slots it has (a change number),
      // then creates the missing ones (ids), while another worker's first sync creates events.
      const { store, sub, alice } = await setup();
      const slot = { subAccountId: sub.id, kind: 'blocked' as const, userIds: [alice.id], start: MON, end: MON + H };
      const e = await store.createEvent({ ...slot, title: 'x' });
      const [created, imported] = await heldOpen(
        async (pause) => {
          await store.updateEvent(e.id, { title: 'changed' });
          await pause();
          return store.createEvent({ ...slot, title: 'new occurrence', start: MON + 2 * H, end: MON + 3 * H });
        },
        () =>
          store.createEvents([
            { ...slot, title: 'import 1' },
            { ...slot, title: 'import 2' },
          ]),
      );
      expect(created).toMatchObject({ id: 'evt_000002', changeSeq: 3 });
      expect(imported.map((i) => [i.id, i.changeSeq])).toEqual([
        ['evt_000003', 4],
        ['evt_000004', 5],
      ]);
    });

    it("a write that waited for another starts from all of its result, the event's users included", async () => {
      const { store, sub, alice, bob } = await setup();
      const e = await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id, bob.id], title: 'x', start: MON, end: MON + H });
      const [, renamed] = await heldOpen(
        async (pause) => {
          await store.updateEvent(e.id, { userIds: [alice.id] }); // Bob taken off
          await pause();
        },
        () => store.updateEvent(e.id, { title: 'renamed' }),
      );
      expect(renamed).toMatchObject({ title: 'renamed', userIds: [alice.id], version: 3 });
      expect((await store.listChangedEvents(bob.id, 0)).map((x) => [x.id, x.userIds])).toEqual([[e.id, [alice.id]]]);
    });

    it('two bookings of one free slot at once: the second sees the first and is refused (A1)', async () => {
      const { store, sub, alice, john } = await setup();
      const cal = await store.createCalendar({ subAccountId: sub.id, name: 'Mine', type: 'simple', memberIds: [alice.id] });
      const request = { calendarId: cal.id, start: MON + 9 * H, contactId: john.id };
      const [first, second] = await heldOpen(
        async (pause) => {
          const event = await book(current, request);
          await pause();
          return event;
        },
        () => code(() => book(current, request)),
      );
      expect(first.userIds).toEqual([alice.id]);
      expect(second).toMatch(/^slot-unavailable: /);
      expect(await store.listEventsForUser(alice.id, { start: MON, end: MON + 24 * H })).toHaveLength(1);
    });

    it('two creations with one chosen id at once: the second is refused as a conflict, as one after the other would be', async () => {
      const { store, sub, alice } = await setup();
      const slot = { id: 'mine', subAccountId: sub.id, kind: 'blocked' as const, userIds: [alice.id], start: MON, end: MON + H };
      const [first, second] = await heldOpen(
        async (pause) => {
          const event = await store.createEvent({ ...slot, title: 'first' });
          await pause();
          return event;
        },
        () => code(() => store.createEvent({ ...slot, title: 'second' })),
      );
      expect(first.id).toBe('mine');
      expect(second).toBe('conflict: Event mine already exists: choose another id or leave it out to get one.');
      const [, user] = await heldOpen(
        async (pause) => {
          await store.createUser({ id: 'usr_mine', subAccountId: sub.id, name: 'Mine', email: 'm@example.com', timeZone: 'UTC' });
          await pause();
        },
        () => code(() => store.createUser({ id: 'usr_mine', subAccountId: sub.id, name: 'Other', email: 'o@example.com', timeZone: 'UTC' })),
      );
      expect(user).toBe('conflict: User usr_mine already exists: choose another id or leave it out to get one.');
      expect((await store.getEvent('mine'))!.title).toBe('first');
      expect((await store.getUser('usr_mine'))!.name).toBe('Mine');
    });

    it('a chosen id refused as taken inside a transaction leaves the transaction usable: the rest of it commits', async () => {
      const { store, sub } = await setup();
      const chosen = { id: 'usr_ours', subAccountId: sub.id, email: 'ours@example.com', timeZone: 'UTC' };
      const [, second] = await heldOpen(
        async (pause) => {
          await store.createUser({ ...chosen, name: 'First' });
          await pause();
        },
        () =>
          current.transaction(async () => {
            const refused = await code(() => store.createUser({ ...chosen, name: 'Second' }));
            const fallback = await store.createUser({ subAccountId: sub.id, name: 'Second', email: 'second@example.com', timeZone: 'UTC' });
            return { refused, fallback };
          }),
      );
      expect(second.refused).toBe('conflict: User usr_ours already exists: choose another id or leave it out to get one.');
      expect((await store.getUser('usr_ours'))!.name).toBe('First');
      expect((await store.getUser(second.fallback.id))!.name).toBe('Second');
    });

    it('two bookings moved into one free slot at once: the second sees the first and is refused (A1)', async () => {
      const { store, sub, alice, john } = await setup();
      const cal = await store.createCalendar({ subAccountId: sub.id, name: 'Mine', type: 'simple', memberIds: [alice.id] });
      const nine = await book(current, { calendarId: cal.id, start: MON + 9 * H, contactId: john.id });
      const ten = await book(current, { calendarId: cal.id, start: MON + 10 * H, contactId: john.id });
      const [moved, refused] = await heldOpen(
        async (pause) => {
          const event = await reschedule(current, nine.id, MON + 11 * H);
          await pause();
          return event;
        },
        () => code(() => reschedule(current, ten.id, MON + 11 * H)),
      );
      expect(moved.start).toBe(MON + 11 * H);
      expect(refused).toMatch(/^slot-unavailable: /);
      expect((await store.getEvent(ten.id))!.start).toBe(MON + 10 * H);
    });

    it('holdConnectionWrites: a second connect waits until the first has committed', async () => {
      await setup();
      const order: string[] = [];
      await heldOpen(
        async (pause) => {
          await current.state.holdConnectionWrites();
          await pause();
          order.push('first commits');
        },
        () =>
          current.transaction(async () => {
            await current.state.holdConnectionWrites();
            order.push('second holds');
          }),
      );
      expect(order).toEqual(['first commits', 'second holds']);
    });

    it('two changes in one transaction, and a change of the second event meanwhile, both complete', async () => {
      // Two events changed in one transaction (a product moving a series, a collective booking's
      // members), while another worker changes the second one.
      const { store, sub, alice } = await setup();
      const slot = { subAccountId: sub.id, kind: 'blocked' as const, userIds: [alice.id], start: MON, end: MON + H };
      const a = await store.createEvent({ ...slot, title: 'a' });
      const b = await store.createEvent({ ...slot, title: 'b' });
      const [moved, located] = await heldOpen(
        async (pause) => {
          await store.updateEvent(a.id, { title: 'a moved' });
          await pause();
          return store.updateEvent(b.id, { title: 'b moved' });
        },
        () => store.updateEvent(b.id, { location: 'Room' }),
      );
      expect(moved).toMatchObject({ title: 'b moved', version: 2, changeSeq: 4 });
      expect(located).toMatchObject({ title: 'b moved', location: 'Room', version: 3, changeSeq: 5 });
    });

    it('persists the change counter in the database (a second store continues it)', async () => {
      const { store, sub, alice } = await setup();
      await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'x', start: MON, end: MON + H });
      const again = await reopen();
      expect(await again.platform.currentChangeSeq()).toBe(1);
      const e = await again.platform.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'y', start: MON, end: MON + H });
      expect(e).toMatchObject({ id: 'evt_000002', changeSeq: 2 });
      await again.close();
    });

    it('listChangedEvents: the user own changes after a seq, tombstones included, in changeSeq order', async () => {
      const { store, sub, alice, bob, john } = await setup();
      const e1 = await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: '1', start: MON, end: MON + H });
      const e2 = await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [bob.id], title: '2', start: MON, end: MON + H });
      const e3 = await store.createEvent({ subAccountId: sub.id, kind: 'appointment', userIds: [alice.id, bob.id], contactIds: [john.id], title: '3', start: MON, end: MON + H });
      await store.updateEvent(e1.id, { title: '1b' }); // seq 4
      await store.deleteEvent(e3.id); // seq 5
      expect((await store.listChangedEvents(alice.id, 0)).map((e) => [e.id, e.changeSeq, e.deleted])).toEqual([
        [e1.id, 4, false],
        [e3.id, 5, true],
      ]);
      expect((await store.listChangedEvents(alice.id, 4)).map((e) => e.id)).toEqual([e3.id]);
      expect(await store.listChangedEvents(alice.id, 5)).toEqual([]);
      expect((await store.listChangedEvents(bob.id, 0)).map((e) => e.id)).toEqual([e2.id, e3.id]);
      // listChangedEventRefs: the same rows, each its id, version and change number
      for (const [user, after] of [
        [alice.id, 0],
        [alice.id, 4],
        [alice.id, 5],
        [bob.id, 0],
        [bob.id, 3],
      ] as const) {
        const full = (await store.listChangedEvents(user, after)).map(({ id, version, changeSeq }) => ({ id, version, changeSeq }));
        expect(await store.listChangedEventRefs(user, after)).toEqual(full);
      }
      // the tombstone is gone from the live view
      expect((await store.listEventsForUser(alice.id, { start: MON, end: MON + H })).map((e) => e.id)).toEqual([e1.id]);
    });

    it('reassigning an event shows it once more to the user taken off it, without them', async () => {
      const { store, sub, alice, bob, john } = await setup();
      const e = await store.createEvent({ subAccountId: sub.id, kind: 'appointment', userIds: [alice.id], contactIds: [john.id], title: 'x', start: MON, end: MON + H });
      const moved = await store.updateEvent(e.id, { userIds: [bob.id] });
      expect(moved.userIds).toEqual([bob.id]);
      const aliceFeed = await store.listChangedEvents(alice.id, e.changeSeq);
      expect(aliceFeed.map((x) => [x.id, x.changeSeq, x.userIds])).toEqual([[e.id, moved.changeSeq, [bob.id]]]);
      expect(await store.listChangedEventRefs(alice.id, e.changeSeq)).toEqual([{ id: e.id, version: moved.version, changeSeq: moved.changeSeq }]);
      expect((await store.listChangedEvents(bob.id, 0)).map((x) => x.id)).toEqual([e.id]);
      expect(await store.listEventsForUser(alice.id, { start: MON, end: MON + H })).toEqual([]);
      expect((await store.listEventsForUser(bob.id, { start: MON, end: MON + H })).map((x) => x.id)).toEqual([e.id]);
      // later changes no longer reach Alice's feed
      await store.updateEvent(e.id, { title: 'y' });
      expect(await store.listChangedEvents(alice.id, moved.changeSeq)).toEqual([]);
    });

    it('listEventsForUser: half-open overlap, any status, no tombstones, ordered by start then id', async () => {
      const { store, sub, alice } = await setup();
      const mk = async (title: string, start: number, end: number) => await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title, start, end });
      const before = await mk('before', MON + 8 * H, MON + 9 * H); // touches the range start: excluded
      const late = await mk('late', MON + 10 * H, MON + 11 * H);
      const early = await mk('early', MON + 9 * H, MON + 10 * H);
      const sameStart = await mk('same', MON + 9 * H, MON + 9.5 * H);
      const long = await mk('long', MON, MON + 24 * H);
      const after = await mk('after', MON + 12 * H, MON + 13 * H); // starts at range end: excluded
      const cancelled = await store.updateEvent((await mk('cancelled', MON + 11 * H, MON + 12 * H)).id, { status: 'cancelled' });
      await store.deleteEvent((await mk('deleted', MON + 10 * H, MON + 11 * H)).id);
      const got = await store.listEventsForUser(alice.id, { start: MON + 9 * H, end: MON + 12 * H });
      expect(got.map((e) => e.title)).toEqual(['long', 'early', 'same', 'late', 'cancelled']);
      expect(got[1]!.id < got[2]!.id).toBe(true);
      expect(got.map((e) => e.id)).not.toContain(before.id);
      expect(got.map((e) => e.id)).not.toContain(after.id);
      expect([early.id, sameStart.id, late.id, long.id, cancelled.id].every((id) => got.some((e) => e.id === id))).toBe(true);
      // a moved event is found at its new time only
      await store.updateEvent(late.id, { start: MON + 20 * H, end: MON + 21 * H });
      expect((await store.listEventsForUser(alice.id, { start: MON + 9 * H, end: MON + 12 * H })).map((e) => e.title)).not.toContain('late');
      expect((await store.listEventsForUser(alice.id, { start: MON + 20 * H, end: MON + 20.5 * H })).map((e) => e.title)).toEqual(['long', 'late']);
    });
  });

  describe(`${name}: transactions`, () => {
    it('one unit of work: every write of a failed transaction is undone, a nested call joins the outer one', async () => {
      const { store, sub, alice } = await setup();
      const mk = async (title: string) => await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title, start: MON, end: MON + H });
      await expect(
        current.transaction(async () => {
          await mk('a');
          await current.transaction(() => mk('b'));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.listEventsForUser(alice.id, { start: MON, end: MON + H })).toEqual([]);
      expect(await store.currentChangeSeq()).toBe(0);
      const result = await current.transaction(async () => {
        await mk('outer');
        return current.transaction(() => mk('nested'));
      });
      expect(result.title).toBe('nested');
      expect((await store.listEventsForUser(alice.id, { start: MON, end: MON + H })).map((e) => e.title).sort()).toEqual(['nested', 'outer']);
      expect(await store.currentChangeSeq()).toBe(result.changeSeq);
    });

    it('a bulk save is all or none: one row the schema refuses keeps the whole batch out', async () => {
      const { sub, alice } = await setup();
      const state = current.state;
      await state.insertConnection(connectionOf(sub.id, alice.id, 'icl_1'));
      const row = (i: number, uid = `u${i}`) => ({
        connectionId: 'icl_1',
        href: `/cal/${i}.ics`,
        calendarUrl: '/cal/',
        uid,
        etag: `"${i}"`,
        data: `DATA ${i}`,
        contentHash: `h${i}`,
        origin: 'icloud' as const,
        gone: false,
        followed: true,
      });
      // The last row follows a UID the first already follows (one followed copy per UID).
      const batch = [...Array.from({ length: 500 }, (_, i) => row(i)), row(500, 'u0')];
      await expect(state.saveObjects(batch)).rejects.toThrow();
      expect(
        await state.objectsByHref(
          'icl_1',
          batch.map((r) => r.href),
        ),
      ).toEqual(new Map());
      await state.saveObjects(batch.slice(0, 500));
      expect(
        (
          await state.objectsByHref(
            'icl_1',
            batch.map((r) => r.href),
          )
        ).size,
      ).toBe(500);
    });

    it('sync state in bulk: rows by href, known UIDs, many rows and links saved at once', async () => {
      const { sub, alice } = await setup();
      const state = current.state;
      await state.insertConnection(connectionOf(sub.id, alice.id, 'icl_1'));
      const row = (i: number, followed = true) => ({
        connectionId: 'icl_1',
        href: `/cal/${i}.ics`,
        calendarUrl: '/cal/',
        uid: `u${i}`,
        etag: `"${i}"`,
        data: `DATA ${i}`,
        contentHash: `h${i}`,
        origin: 'icloud' as const,
        gone: false,
        followed,
        windowDue: i === 0 ? 5 : undefined,
      });
      const rows = Array.from({ length: 1203 }, (_, i) => row(i, i % 2 === 0));
      await state.saveObjects(rows);
      await state.saveObjects([{ ...row(1, false), etag: '"new"' }]);
      const hrefs = ['/cal/0.ics', '/cal/1.ics', '/cal/1202.ics', '/cal/nope.ics', ...rows.slice(3, 900).map((r) => r.href)];
      const found = await state.objectsByHref('icl_1', hrefs);
      expect(found.size).toBe(900);
      expect(found.get('/cal/0.ics')).toEqual(await state.getObject('icl_1', '/cal/0.ics'));
      expect(found.get('/cal/0.ics')).toMatchObject({ windowDue: 5, followed: true });
      expect(found.get('/cal/1.ics')).toMatchObject({ etag: '"new"', followed: false });
      expect(found.has('/cal/nope.ics')).toBe(false);
      expect(await state.objectsByHref('icl_other', hrefs)).toEqual(new Map());
      await state.saveLinks(Array.from({ length: 700 }, (_, i) => ({ connectionId: 'icl_1', uid: `linked${i}`, recurrenceKey: '', eventId: `evt_${i}`, syncedVersion: 1, suppressed: false })));
      // followed copies and UIDs with links are known; a copy seen elsewhere only is not.
      expect([...(await state.knownUids('icl_1', ['u0', 'u1', 'u2', 'linked699', 'unknown']))].sort()).toEqual(['linked699', 'u0', 'u2']);
      expect(await state.linksOf('icl_1', 'linked5')).toEqual([{ connectionId: 'icl_1', uid: 'linked5', recurrenceKey: '', eventId: 'evt_5', syncedVersion: 1, suppressed: false }]);
    });

    it('keeps platform changes and sync bookkeeping together (D3)', async () => {
      const { store, sub, alice } = await setup();
      await current.state.insertConnection(connectionOf(sub.id, alice.id, 'icl_1'));
      await expect(
        current.transaction(async () => {
          await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'slot', start: MON, end: MON + H });
          await current.state.finishRun('icl_1', { startedAt: 1, finishedAt: 2, report: { outcome: 'ok' }, history: true });
          throw new Error('killed before commit');
        }),
      ).rejects.toThrow('killed before commit');
      expect(await store.listEventsForUser(alice.id, { start: MON, end: MON + H })).toEqual([]);
      expect(await current.state.lastRun('icl_1')).toBeUndefined();
      expect(await current.state.runHistory('icl_1')).toEqual([]);
    });

    it('startRuns: the user, the plan and the change-feed probe, as the separate reads answer them', async () => {
      const { store, sub, alice, bob, john } = await setup();
      const state = current.state;
      await state.insertConnection(connectionOf(sub.id, alice.id, 'icl_1'));
      await state.saveRemoteCalendars('icl_1', [remoteCalendar(1, 'home'), remoteCalendar(1, 'work')]);
      const separate = async (cursor: number) => ({
        user: await store.getUser(alice.id),
        plan: await state.planRun('icl_1', T0 + 1000),
        platformChanges: (await store.listChangedEvents(alice.id, cursor)).length > 0,
      });
      const start = async (cursor: number) => (await current.startRuns([{ id: 'icl_1', userId: alice.id, changeCursor: cursor }], T0 + 1000))[0]!;
      // Nothing changed for Alice yet; Bob's event is not hers.
      await store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [bob.id], title: 'b', start: MON, end: MON + H });
      expect(await start(0)).toEqual(await separate(0));
      expect((await start(0)).platformChanges).toBe(false);
      expect((await start(0)).user).toMatchObject({ id: alice.id, timeZone: 'Europe/London', workingHours: { days: [1, 2, 3, 4, 5] } });
      // Her appointment (seq 2), then a pending push: the probe answers for cursors before it only.
      const e = await store.createEvent({ subAccountId: sub.id, kind: 'appointment', userIds: [alice.id], contactIds: [john.id], title: 'a', start: MON, end: MON + H });
      await state.addPending('icl_1', e.id, 'PUT failed');
      for (const cursor of [0, e.changeSeq - 1, e.changeSeq]) expect(await start(cursor), `cursor ${cursor}`).toEqual(await separate(cursor));
      expect((await start(e.changeSeq - 1)).platformChanges).toBe(true);
      expect((await start(e.changeSeq)).platformChanges).toBe(false);
      expect((await start(0)).plan).toMatchObject({ pendingPushes: true, calendars: [{ displayName: 'home' }, { displayName: 'work' }] });
      // A tombstone is a change too.
      await store.deleteEvent(e.id);
      expect((await start(e.changeSeq)).platformChanges).toBe(true);
      // Unknown connection or user: no user, an empty plan.
      expect(await current.startRuns([{ id: 'icl_none', userId: alice.id, changeCursor: 0 }], T0)).toEqual([
        {
          user: undefined,
          plan: { calendars: [], pendingPushes: false, objectsDue: false, holdsNothing: true },
          platformChanges: false,
        },
      ]);
      expect((await current.startRuns([{ id: 'icl_1', userId: 'usr_none', changeCursor: 0 }], T0))[0]!.user).toBeUndefined();
      expect(await current.startRuns([], T0)).toEqual([]);
    });

    it('startRuns: a batch in one call, each connection answered as alone, in the order given', async () => {
      const { store, sub, alice, bob, john } = await setup();
      const state = current.state;
      await state.insertConnection(connectionOf(sub.id, alice.id, 'icl_1'));
      await state.insertConnection(connectionOf(sub.id, bob.id, 'icl_2'));
      await state.saveRemoteCalendars('icl_1', [remoteCalendar(1, 'home'), remoteCalendar(1, 'work')]);
      await state.saveRemoteCalendars('icl_2', [remoteCalendar(2, 'a'), remoteCalendar(2, 'b'), remoteCalendar(2, 'c')]);
      const e = await store.createEvent({ subAccountId: sub.id, kind: 'appointment', userIds: [alice.id], contactIds: [john.id], title: 'a', start: MON, end: MON + H });
      await state.addPending('icl_1', e.id, 'PUT failed');
      await state.saveObjects([
        {
          connectionId: 'icl_2',
          href: 'http://127.0.0.1/2/b/x.ics',
          calendarUrl: 'http://127.0.0.1/2/b/',
          uid: 'x',
          etag: '"1"',
          data: '',
          contentHash: 'h',
          followed: true,
          unconfirmed: true,
          gone: false,
          origin: 'icloud',
        },
      ]);
      const batch = [
        { id: 'icl_2', userId: bob.id, changeCursor: 0 },
        { id: 'icl_none', userId: alice.id, changeCursor: 0 },
        { id: 'icl_1', userId: alice.id, changeCursor: e.changeSeq },
        { id: 'icl_1b', userId: alice.id, changeCursor: 0 },
      ];
      const alone = [];
      for (const c of batch) alone.push((await current.startRuns([c], T0 + 1000))[0]);
      const together = await current.startRuns(batch, T0 + 1000);
      expect(together).toEqual(alone);
      expect(together.map((s) => [s.user?.id, s.plan.calendars.length, s.plan.pendingPushes, s.plan.holdsNothing, s.platformChanges])).toEqual([
        [bob.id, 3, false, false, false],
        [undefined, 0, false, true, false], // no such connection
        [alice.id, 2, true, true, false],
        [undefined, 0, false, true, false],
      ]);
      expect(together[0]!.plan.calendars.map((c) => [c.displayName, c.holdsFollowed, c.holdsUnconfirmed])).toEqual([
        ['a', false, false],
        ['b', true, true],
        ['c', false, false],
      ]);
      await expect(current.startRuns([batch[0]!, batch[0]!], T0)).rejects.toThrow(/twice/);
    });

    /** Three connections, icl_1 and icl_2 leased by w1 and icl_3 by w2, until `until`. */
    async function leasedConnections(until: number) {
      const { sub, alice, bob, stranger } = await setup();
      const state = current.state;
      for (const [id, user] of [
        ['icl_1', alice],
        ['icl_2', bob],
        ['icl_3', stranger],
      ] as const)
        await state.insertConnection(connectionOf(sub.id, user.id, id));
      expect((await state.leaseDueConnections('w1', T0, until, 2)).map((c) => c.id)).toEqual(['icl_1', 'icl_2']);
      expect((await state.leaseDueConnections('w2', T0, until, 10)).map((c) => c.id)).toEqual(['icl_3']);
      return state;
    }

    it('renewLeases: extends the leases the worker holds, not those another worker holds', async () => {
      const state = await leasedConnections(T0 + 1000);
      // icl_3 is w2's: w1 naming it changes nothing, and it is not among those w1 still holds.
      expect((await state.renewLeases('w1', ['icl_1', 'icl_2', 'icl_3'], T0 + 5000)).sort()).toEqual(['icl_1', 'icl_2']);
      expect(await state.renewLeases('w1', [], T0 + 9000)).toEqual([]);
      // After the first leases ran out: w2's is free, w1's were renewed until T0 + 5000.
      expect((await state.leaseDueConnections('w3', T0 + 1000, T0 + 60_000, 10)).map((c) => c.id)).toEqual(['icl_3']);
      expect((await state.leaseDueConnections('w3', T0 + 5000, T0 + 60_000, 10)).map((c) => c.id)).toEqual(['icl_1', 'icl_2']);
    });

    it('finishRuns: a batch in one call, each run recorded as alone, each lease given back only by its holder', async () => {
      const state = await leasedConnections(T0 + 60_000);
      await state.updateConnection('icl_3', { consecutiveFailures: 2 });
      await state.finishRuns([
        {
          connectionId: 'icl_2',
          startedAt: 10,
          finishedAt: 12,
          report: { n: 2, text: 'quotes " and \\ and é' },
          consecutiveFailures: 0,
          lastSyncAt: 12,
          history: true,
          release: { worker: 'w1', nextPollAt: T0 + 2000 },
        },
        { connectionId: 'icl_1', startedAt: 10, finishedAt: 11, report: { n: 1 }, consecutiveFailures: 0, lastSyncAt: 11, history: false, release: { worker: 'w1', nextPollAt: T0 + 1000 } },
        // w1 never held icl_3: its run is recorded, the lease stays w2's.
        { connectionId: 'icl_3', startedAt: 10, finishedAt: 13, report: { n: 3 }, history: true, release: { worker: 'w1', nextPollAt: T0 + 3000 } },
      ]);
      expect(await state.lastRun('icl_1')).toEqual({ startedAt: 10, finishedAt: 11, report: { n: 1 } });
      expect(await state.lastRun('icl_2')).toEqual({ startedAt: 10, finishedAt: 12, report: { n: 2, text: 'quotes " and \\ and é' } });
      expect(await state.runHistory('icl_1')).toEqual([]);
      expect(await state.runHistory('icl_2')).toEqual([{ startedAt: 10, finishedAt: 12, report: { n: 2, text: 'quotes " and \\ and é' } }]);
      expect(await state.runHistory('icl_3')).toEqual([{ startedAt: 10, finishedAt: 13, report: { n: 3 } }]);
      expect(await state.getConnection('icl_1')).toMatchObject({ nextPollAt: T0 + 1000, lastSyncAt: 11, consecutiveFailures: 0 });
      expect(await state.getConnection('icl_2')).toMatchObject({ nextPollAt: T0 + 2000, lastSyncAt: 12, consecutiveFailures: 0 });
      // Counters left as they were where the run gave none; w2 still holds icl_3.
      const third = (await state.getConnection('icl_3'))!;
      expect(third).toMatchObject({ consecutiveFailures: 2 });
      expect(third.lastSyncAt).toBeUndefined();
      expect(third.nextPollAt).not.toBe(T0 + 3000);
      // Given back: due again when the runs said, not before; icl_3 is w2's until its lease runs out.
      expect(await state.leaseDueConnections('w1', T0 + 999, T0 + 60_000, 10)).toEqual([]);
      expect((await state.leaseDueConnections('w1', T0 + 2000, T0 + 60_000, 10)).map((c) => c.id)).toEqual(['icl_1', 'icl_2']);
      await state.finishRuns([]);
      await expect(
        state.finishRuns([
          { connectionId: 'icl_1', startedAt: 1, finishedAt: 1, report: {}, history: false },
          { connectionId: 'icl_1', startedAt: 2, finishedAt: 2, report: {}, history: false },
        ]),
      ).rejects.toThrow(/twice/);
    });

    it('finishRun: one statement records the last run, its counters, the history and the lease given back', async () => {
      const { sub, alice, bob } = await setup();
      const state = current.state;
      const LATER = T0 + 86_400_000;
      await state.insertConnection(connectionOf(sub.id, alice.id, 'icl_1'));
      await state.insertConnection(connectionOf(sub.id, bob.id, 'icl_2'));
      const leased = await state.leaseDueConnections('w1', T0, T0 + 60_000, 10);
      expect(leased.map((c) => c.id)).toEqual(['icl_1', 'icl_2']);
      // A quiet run: the last run and the counters change, the history does not; the lease is given back.
      await state.finishRun('icl_1', { startedAt: 10, finishedAt: 11, report: { n: 1 }, consecutiveFailures: 0, lastSyncAt: 11, history: false }, { worker: 'w1', nextPollAt: LATER });
      expect(await state.lastRun('icl_1')).toEqual({ startedAt: 10, finishedAt: 11, report: { n: 1 } });
      expect(await state.runHistory('icl_1')).toEqual([]);
      expect(await state.getConnection('icl_1')).toMatchObject({ nextPollAt: LATER, lastSyncAt: 11, consecutiveFailures: 0 });
      // A run that did something is kept; a failure leaves lastSyncAt as it was.
      await state.finishRun('icl_1', { startedAt: 20, finishedAt: 21, report: { n: 2 }, consecutiveFailures: 3, history: true });
      expect(await state.runHistory('icl_1')).toEqual([{ startedAt: 20, finishedAt: 21, report: { n: 2 } }]);
      expect(await state.getConnection('icl_1')).toMatchObject({ nextPollAt: LATER, lastSyncAt: 11, consecutiveFailures: 3 });
      // A lease another worker took over (this one's ran out) is not given back by the late worker.
      expect((await state.leaseDueConnections('w2', T0 + 120_000, T0 + 180_000, 10)).map((c) => c.id)).toEqual(['icl_2']);
      await state.finishRun('icl_2', { startedAt: 30, finishedAt: 31, report: { n: 3 }, history: false }, { worker: 'w1', nextPollAt: 999 });
      expect((await state.getConnection('icl_2'))!.nextPollAt).not.toBe(999);
      expect(await state.leaseDueConnections('w3', T0 + 120_000, T0 + 180_000, 10)).toEqual([]); // still w2's
      await state.finishRun('icl_2', { startedAt: 40, finishedAt: 41, report: { n: 4 }, history: false }, { worker: 'w2', nextPollAt: 999 });
      expect(await state.getConnection('icl_2')).toMatchObject({ nextPollAt: 999 });
      expect(await state.lastRun('icl_2')).toEqual({ startedAt: 40, finishedAt: 41, report: { n: 4 } });
    });
  });
}

/** A writable event calendar of connection number `n`, named `name`. */
function remoteCalendar(n: number, name: string) {
  return { url: `http://127.0.0.1/${n}/${name}/`, displayName: name, components: ['VEVENT'], access: 'writable' as const, kind: 'calendar', shared: false };
}

function connectionOf(subAccountId: string, userId: string, id: string) {
  return {
    id,
    subAccountId,
    userId,
    appleId: `${id}@icloud.com`,
    appPassword: 'x',
    serverUrl: 'http://127.0.0.1',
    principalUrl: '/p/',
    homeUrl: '/h/',
    status: 'active' as const,
    changeCursor: 0,
    createdAt: T0,
  };
}
