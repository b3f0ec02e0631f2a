import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../common/clock.js';
import { CHANGED_EVENTS_SQL, EVENTS_FOR_USER_SQL, SqlitePlatformStore, openPlatformDatabase } from './sqlite-platform-store.js';
import { PlatformError } from './store.js';

const T0 = Date.parse('2026-11-21T09:00:00Z');
const H = 3_600_000;
const MON = Date.parse('2026-11-23T00:00:00Z'); // a Monday

function setup() {
  const db = openPlatformDatabase(':memory:');
  const clock = new FixedClock(T0);
  const store = new SqlitePlatformStore(db, clock);
  const sub = store.createSubAccount({ name: 'Acme' });
  const other = store.createSubAccount({ name: 'Other' });
  const alice = store.createUser({ subAccountId: sub.id, name: 'Alice', email: 'alice@example.com', timeZone: 'Europe/London' });
  const bob = store.createUser({ subAccountId: sub.id, name: 'Bob', email: 'bob@example.com', timeZone: 'America/New_York' });
  const stranger = store.createUser({ subAccountId: other.id, name: 'Stranger', email: 's@example.com', timeZone: 'UTC' });
  const john = store.createContact({ subAccountId: sub.id, name: 'John', email: 'john@example.com' });
  const foreign = store.createContact({ subAccountId: other.id, name: 'Foreign' });
  return { db, clock, store, sub, other, alice, bob, stranger, john, foreign };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformError) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error('expected a PlatformError');
}

describe('SqlitePlatformStore: entities', () => {
  it('gives deterministic prefixed ids and round-trips every entity', () => {
    const { store, sub, alice, john } = setup();
    expect(sub.id).toBe('sub_000001');
    expect(alice.id).toBe('usr_000001');
    expect(john.id).toBe('con_000001');
    expect(store.getUser(alice.id)).toEqual({
      id: 'usr_000001',
      subAccountId: sub.id,
      name: 'Alice',
      email: 'alice@example.com',
      timeZone: 'Europe/London',
      workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
    });
    expect(store.getContact(john.id)).toEqual(john);
    expect(store.listSubAccounts().map((s) => s.name)).toEqual(['Acme', 'Other']);
    expect(store.listUsers(sub.id).map((u) => u.name)).toEqual(['Alice', 'Bob']);
    expect(store.listContacts(sub.id).map((c) => c.name)).toEqual(['John']);
    expect(store.createSubAccount({ id: 'sub_custom', name: 'X' }).id).toBe('sub_custom');
    expect(code(() => store.createSubAccount({ id: 'sub_custom', name: 'Y' }))).toMatch(/^conflict:/);
    expect(store.getUser('usr_nope')).toBeUndefined();
  });

  it('validates users: sub-account, time zone, working hours', () => {
    const { store, sub } = setup();
    const base = { subAccountId: sub.id, name: 'U', email: 'u@example.com', timeZone: 'Europe/Paris' };
    expect(code(() => store.createUser({ ...base, subAccountId: 'sub_nope' }))).toMatch(/^not-found: Sub-account sub_nope/);
    expect(code(() => store.createUser({ ...base, timeZone: 'Mars/Olympus' }))).toMatch(/^invalid: Unknown time zone 'Mars\/Olympus'.*IANA/);
    expect(code(() => store.createUser({ ...base, workingHours: { days: [1], start: '17:00', end: '09:00' } }))).toMatch(/^invalid: .*after start/);
    expect(code(() => store.createUser({ ...base, workingHours: { days: [8], start: '09:00', end: '17:00' } }))).toMatch(/^invalid: .*ISO weekday/);
    expect(code(() => store.createUser({ ...base, workingHours: { days: [1], start: '9:00', end: '17:00' } }))).toMatch(/^invalid: .*HH:MM/);
    expect(code(() => store.createUser({ ...base, workingHours: { days: [], start: '09:00', end: '17:00' } }))).toMatch(/^invalid: .*at least one day/);
    const night = store.createUser({ ...base, workingHours: { days: [7, 6], start: '18:00', end: '24:00' } });
    expect(store.getUser(night.id)!.workingHours).toEqual({ days: [6, 7], start: '18:00', end: '24:00' });
  });

  it('creates calendars: T1 types sync, Simple/Event do not; defaults; member rules', () => {
    const { store, sub, alice, bob, stranger } = setup();
    const mk = (type: 'round_robin' | 'collective' | 'class_booking' | 'service' | 'simple' | 'event', memberIds = [alice.id]) =>
      store.createCalendar({ subAccountId: sub.id, name: type, type, memberIds });
    expect(mk('round_robin', [alice.id, bob.id])).toMatchObject({ icloudSync: true, slotMinutes: 30, memberIds: [alice.id, bob.id] });
    expect(mk('collective').icloudSync).toBe(true);
    expect(mk('service').icloudSync).toBe(true);
    const cls = mk('class_booking');
    expect(cls).toMatchObject({ icloudSync: true, capacity: 10 });
    expect(mk('simple').icloudSync).toBe(false);
    expect(mk('event').icloudSync).toBe(false);
    expect(mk('simple').capacity).toBeUndefined();
    // member order is kept (round-robin order)
    expect(store.getCalendar(mk('round_robin', [bob.id, alice.id]).id)!.memberIds).toEqual([bob.id, alice.id]);
    expect(code(() => mk('simple', [alice.id, bob.id]))).toMatch(/^invalid: A Simple calendar belongs to exactly one user/);
    expect(code(() => mk('round_robin', [alice.id, stranger.id]))).toMatch(/^invalid: User usr_000003 .*belongs to sub-account/);
    expect(code(() => mk('round_robin', [alice.id, 'usr_nope']))).toMatch(/^not-found:/);
    expect(code(() => mk('collective', []))).toMatch(/^invalid:/);
    expect(code(() => store.createCalendar({ subAccountId: sub.id, name: 'x', type: 'service', memberIds: [alice.id], capacity: 3 }))).toMatch(/^invalid: capacity applies only/);
    expect(store.createCalendar({ subAccountId: sub.id, name: 'y', type: 'service', memberIds: [alice.id], slotMinutes: 45 }).slotMinutes).toBe(45);
    expect(store.listCalendars(sub.id).length).toBe(9);
  });

  it('T2: refuses iCloud sync for Simple and Event calendars with a clear error; T1 types toggle', () => {
    const { store, sub, alice } = setup();
    const simple = store.createCalendar({ subAccountId: sub.id, name: 'Mine', type: 'simple', memberIds: [alice.id] });
    const event = store.createCalendar({ subAccountId: sub.id, name: 'Webinar', type: 'event', memberIds: [alice.id] });
    const rr = store.createCalendar({ subAccountId: sub.id, name: 'Team', type: 'round_robin', memberIds: [alice.id] });
    let err: unknown;
    try {
      store.setICloudSync(simple.id, true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).code).toBe('calendar-type-not-supported');
    expect((err as PlatformError).message).toContain('Simple calendars cannot sync with iCloud: iCloud sync works for Round Robin, Collective, Class Booking and Service calendars');
    expect(code(() => store.setICloudSync(event.id, true))).toMatch(/^calendar-type-not-supported: Event calendars cannot sync/);
    expect(store.getCalendar(simple.id)!.icloudSync).toBe(false);
    expect(store.setICloudSync(simple.id, false).icloudSync).toBe(false); // turning off is always fine
    expect(store.setICloudSync(rr.id, false).icloudSync).toBe(false);
    expect(store.getCalendar(rr.id)!.icloudSync).toBe(false);
    expect(store.setICloudSync(rr.id, true).icloudSync).toBe(true);
    expect(code(() => store.setICloudSync('cal_nope', false))).toMatch(/^not-found:/);
  });

  it('the schema itself refuses iCloud sync on a Simple calendar', () => {
    const { db, store, sub, alice } = setup();
    const simple = store.createCalendar({ subAccountId: sub.id, name: 'Mine', type: 'simple', memberIds: [alice.id] });
    expect(() => db.prepare('UPDATE platform_calendars SET icloud_sync = 1 WHERE id = ?').run(simple.id)).toThrow(/CHECK constraint/);
  });
});

describe('SqlitePlatformStore: events', () => {
  it('enforces the contact rules: appointments need contacts, blocked slots have none, same sub-account', () => {
    const { store, sub, alice, john, foreign, stranger } = setup();
    const base = { subAccountId: sub.id, userIds: [alice.id], title: 'x', start: MON + 9 * H, end: MON + 10 * H };
    expect(code(() => store.createEvent({ ...base, kind: 'appointment' }))).toMatch(/^invalid: An appointment needs at least one contact/);
    expect(code(() => store.createEvent({ ...base, kind: 'appointment', contactIds: [] }))).toMatch(/^invalid: An appointment needs/);
    expect(code(() => store.createEvent({ ...base, kind: 'blocked', contactIds: [john.id] }))).toMatch(/^invalid: A blocked slot has no contacts/);
    expect(code(() => store.createEvent({ ...base, kind: 'appointment', contactIds: [foreign.id] }))).toMatch(/^invalid: Contact con_000002 belongs to sub-account sub_000002/);
    expect(code(() => store.createEvent({ ...base, kind: 'appointment', contactIds: ['con_nope'] }))).toMatch(/^not-found:/);
    expect(code(() => store.createEvent({ ...base, kind: 'blocked', userIds: [stranger.id] }))).toMatch(/^invalid: User usr_000003/);
    expect(code(() => store.createEvent({ ...base, kind: 'blocked', userIds: ['usr_nope'] }))).toMatch(/^not-found:/);
    expect(code(() => store.createEvent({ ...base, kind: 'blocked', end: base.start }))).toMatch(/^invalid: Event end .* must be after its start/);
    expect(code(() => store.createEvent({ ...base, kind: 'blocked', subAccountId: 'sub_nope' }))).toMatch(/^not-found:/);
    // nothing above was written, not even a change sequence number
    expect(store.currentChangeSeq()).toBe(0);
    const appt = store.createEvent({ ...base, kind: 'appointment', contactIds: [john.id], description: 'd' });
    expect(appt).toMatchObject({ id: 'evt_000001', kind: 'appointment', contactIds: [john.id], userIds: [alice.id], origin: 'platform', status: 'confirmed', busy: true, allDay: false, deleted: false, description: 'd' });
    expect(appt.location).toBeUndefined();
    const blocked = store.createEvent({ ...base, kind: 'blocked', origin: 'icloud', busy: false });
    expect(blocked).toMatchObject({ kind: 'blocked', contactIds: [], origin: 'icloud', busy: false });
  });

  it('every write takes the next changeSeq, bumps version and sets updatedAt; deletes are tombstones', () => {
    const { store, clock, sub, alice, john } = setup();
    const a = store.createEvent({ subAccountId: sub.id, kind: 'appointment', userIds: [alice.id], contactIds: [john.id], title: 'A', start: MON + 9 * H, end: MON + 10 * H });
    expect(a).toMatchObject({ version: 1, changeSeq: 1, updatedAt: T0 });
    clock.advance(60_000);
    const b = store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'B', start: MON, end: MON + H, updatedAt: 42 });
    expect(b).toMatchObject({ version: 1, changeSeq: 2, updatedAt: 42 });
    const a2 = store.updateEvent(a.id, { title: 'A2', location: 'Room 1' });
    expect(a2).toMatchObject({ title: 'A2', location: 'Room 1', version: 2, changeSeq: 3, updatedAt: T0 + 60_000 });
    const a3 = store.updateEvent(a.id, { start: MON + 11 * H, end: MON + 12 * H, updatedAt: 7 });
    expect(a3).toMatchObject({ version: 3, changeSeq: 4, updatedAt: 7 });
    // a patch that changes nothing writes nothing
    expect(store.updateEvent(a.id, { title: 'A2' })).toEqual(a3);
    expect(store.currentChangeSeq()).toBe(4);
    expect(code(() => store.updateEvent(a.id, { end: MON }))).toMatch(/^invalid:/);
    expect(code(() => store.updateEvent('evt_nope', { title: 'x' }))).toMatch(/^not-found:/);
    const del = store.deleteEvent(a.id, 99);
    expect(del).toMatchObject({ deleted: true, version: 4, changeSeq: 5, updatedAt: 99, title: 'A2' });
    expect(store.getEvent(a.id)).toEqual(del); // the tombstone keeps its id
    expect(store.deleteEvent(a.id)).toEqual(del); // deleting again changes nothing
    expect(code(() => store.updateEvent(a.id, { title: 'x' }))).toMatch(/^conflict: Event evt_000001 was deleted/);
    expect(store.currentChangeSeq()).toBe(5);
  });

  it('persists the change counter in the database (a second store continues it)', () => {
    const { db, clock, store, sub, alice } = setup();
    store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'x', start: MON, end: MON + H });
    const again = new SqlitePlatformStore(db, clock);
    expect(again.currentChangeSeq()).toBe(1);
    const e = again.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'y', start: MON, end: MON + H });
    expect(e).toMatchObject({ id: 'evt_000002', changeSeq: 2 });
  });

  it('listChangedEvents: the user own changes after a seq, tombstones included, in changeSeq order', () => {
    const { store, sub, alice, bob, john } = setup();
    const e1 = store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: '1', start: MON, end: MON + H });
    const e2 = store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [bob.id], title: '2', start: MON, end: MON + H });
    const e3 = store.createEvent({ subAccountId: sub.id, kind: 'appointment', userIds: [alice.id, bob.id], contactIds: [john.id], title: '3', start: MON, end: MON + H });
    store.updateEvent(e1.id, { title: '1b' }); // seq 4
    store.deleteEvent(e3.id); // seq 5
    expect(store.listChangedEvents(alice.id, 0).map((e) => [e.id, e.changeSeq, e.deleted])).toEqual([
      [e1.id, 4, false],
      [e3.id, 5, true],
    ]);
    expect(store.listChangedEvents(alice.id, 4).map((e) => e.id)).toEqual([e3.id]);
    expect(store.listChangedEvents(alice.id, 5)).toEqual([]);
    expect(store.listChangedEvents(bob.id, 0).map((e) => e.id)).toEqual([e2.id, e3.id]);
    // the tombstone is gone from the live view
    expect(store.listEventsForUser(alice.id, { start: MON, end: MON + H }).map((e) => e.id)).toEqual([e1.id]);
  });

  it('reassigning an event shows it once more to the user taken off it, without them', () => {
    const { store, sub, alice, bob, john } = setup();
    const e = store.createEvent({ subAccountId: sub.id, kind: 'appointment', userIds: [alice.id], contactIds: [john.id], title: 'x', start: MON, end: MON + H });
    const moved = store.updateEvent(e.id, { userIds: [bob.id] });
    expect(moved.userIds).toEqual([bob.id]);
    const aliceFeed = store.listChangedEvents(alice.id, e.changeSeq);
    expect(aliceFeed.map((x) => [x.id, x.changeSeq, x.userIds])).toEqual([[e.id, moved.changeSeq, [bob.id]]]);
    expect(store.listChangedEvents(bob.id, 0).map((x) => x.id)).toEqual([e.id]);
    expect(store.listEventsForUser(alice.id, { start: MON, end: MON + H })).toEqual([]);
    expect(store.listEventsForUser(bob.id, { start: MON, end: MON + H }).map((x) => x.id)).toEqual([e.id]);
    // later changes no longer reach Alice's feed
    store.updateEvent(e.id, { title: 'y' });
    expect(store.listChangedEvents(alice.id, moved.changeSeq)).toEqual([]);
  });

  it('listEventsForUser: half-open overlap, any status, no tombstones, ordered by start then id', () => {
    const { store, sub, alice } = setup();
    const mk = (title: string, start: number, end: number) => store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title, start, end });
    const before = mk('before', MON + 8 * H, MON + 9 * H); // touches the range start: excluded
    const late = mk('late', MON + 10 * H, MON + 11 * H);
    const early = mk('early', MON + 9 * H, MON + 10 * H);
    const sameStart = mk('same', MON + 9 * H, MON + 9.5 * H);
    const long = mk('long', MON, MON + 24 * H);
    const after = mk('after', MON + 12 * H, MON + 13 * H); // starts at range end: excluded
    const cancelled = store.updateEvent(mk('cancelled', MON + 11 * H, MON + 12 * H).id, { status: 'cancelled' });
    store.deleteEvent(mk('deleted', MON + 10 * H, MON + 11 * H).id);
    const got = store.listEventsForUser(alice.id, { start: MON + 9 * H, end: MON + 12 * H });
    expect(got.map((e) => e.title)).toEqual(['long', 'early', 'same', 'late', 'cancelled']);
    expect(got[1]!.id < got[2]!.id).toBe(true);
    expect(got.map((e) => e.id)).not.toContain(before.id);
    expect(got.map((e) => e.id)).not.toContain(after.id);
    expect([early.id, sameStart.id, late.id, long.id, cancelled.id].every((id) => got.some((e) => e.id === id))).toBe(true);
    // a moved event is found at its new time only
    store.updateEvent(late.id, { start: MON + 20 * H, end: MON + 21 * H });
    expect(store.listEventsForUser(alice.id, { start: MON + 9 * H, end: MON + 12 * H }).map((e) => e.title)).not.toContain('late');
    expect(store.listEventsForUser(alice.id, { start: MON + 20 * H, end: MON + 20.5 * H }).map((e) => e.title)).toEqual(['long', 'late']);
  });

  it('the two per-user event queries are index searches, not table scans', () => {
    const { db, store, sub, alice } = setup();
    for (let i = 0; i < 50; i++) store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: `e${i}`, start: MON + i * H, end: MON + (i + 1) * H });
    db.exec('ANALYZE');
    const plan = (sql: string, ...args: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail);
    const forUser = plan(EVENTS_FOR_USER_SQL, alice.id, MON, MON + H);
    const changed = plan(CHANGED_EVENTS_SQL, alice.id, 10);
    for (const p of [forUser, changed]) {
      expect(p.filter((d) => /^SCAN/.test(d))).toEqual([]);
      expect(p).toContainEqual(expect.stringMatching(/^SEARCH e USING INDEX sqlite_autoindex_platform_events_1 \(id=\?\)/));
    }
    expect(forUser).toContainEqual(expect.stringMatching(/^SEARCH eu USING COVERING INDEX platform_event_users_live_by_end \(user_id=\? AND end_ms>\?\)/));
    expect(changed).toContainEqual(expect.stringMatching(/^SEARCH eu USING (COVERING )?INDEX platform_event_users_by_change \(user_id=\? AND change_seq>\?\)/));
  });
});

describe('SqlitePlatformStore: transactions', () => {
  it('rolls back every write of a failed transaction, and supports nesting', () => {
    const { store, sub, alice } = setup();
    const mk = (title: string) => store.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title, start: MON, end: MON + H });
    expect(() =>
      store.transaction(() => {
        mk('a');
        store.transaction(() => mk('b'));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.listEventsForUser(alice.id, { start: MON, end: MON + H })).toEqual([]);
    expect(store.currentChangeSeq()).toBe(0);

    const result = store.transaction(() => {
      mk('outer');
      try {
        store.transaction(() => {
          mk('inner');
          throw new Error('inner fails');
        });
      } catch {
        /* the inner part is undone, the outer goes on */
      }
      return store.transaction(() => mk('nested ok'));
    });
    expect(result.title).toBe('nested ok');
    expect(store.listEventsForUser(alice.id, { start: MON, end: MON + H }).map((e) => e.title).sort()).toEqual(['nested ok', 'outer']);
    expect(store.currentChangeSeq()).toBe(result.changeSeq);
  });
});
