/**
 * PlatformService above a store that is not SQL: an in-memory PlatformRecords that records every
 * write it receives. It shows that the rules live in the service (a refused input never reaches a
 * write, with the exact PlatformError) and that a store only has to implement PlatformRecords
 * (createEvents arrives as one batch insert, ids and change numbers already assigned).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { idOf } from '../store/ids.js';
import { FixedClock } from '../../common/clock.js';
import type { Contact, PlatformCalendar, PlatformEvent, SubAccount, User } from './model.js';
import { PlatformService } from './platform-service.js';
import type { EventStamp, PlatformRecords, RecordKind } from './records.js';
import { PlatformError } from './store.js';

const H = 3_600_000;
const MON = Date.parse('2026-11-23T09:00:00Z'); // a Monday
const T0 = Date.parse('2026-11-21T09:00:00Z');

type Write = { op: string; args: unknown[] };

const copy = <T>(value: T): T => structuredClone(value);

/** Persistence in Maps; every call that would change a store is logged in `writes`. */
class MemoryRecords implements PlatformRecords {
  readonly writes: Write[] = [];
  private readonly counters = new Map<string, number>();
  private changeSeq = 0;
  private readonly subAccounts = new Map<string, SubAccount>();
  private readonly users = new Map<string, User>();
  private readonly contacts = new Map<string, Contact>();
  private readonly calendars = new Map<string, PlatformCalendar>();
  private readonly events = new Map<string, PlatformEvent>();
  /** Per event and user ever on it: the last change that user sees. */
  private readonly userChanges = new Map<string, Map<string, number>>();
  private readonly rotation = new Map<string, number>();

  private write(op: string, ...args: unknown[]): void {
    this.writes.push({ op, args: copy(args) });
  }

  private tableOf(kind: RecordKind): Map<string, unknown> {
    return { 'sub-account': this.subAccounts, user: this.users, contact: this.contacts, calendar: this.calendars, event: this.events }[kind];
  }

  private sorted<T extends { id: string }>(values: Iterable<T>): T[] {
    return [...values].sort((a, b) => (a.id < b.id ? -1 : 1)).map(copy);
  }

  // No rollback needed here: the tests check that a refused call writes nothing at all.
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async nextIds(prefix: string, count: number): Promise<string[]> {
    if (count === 0) return [];
    this.write('nextIds', prefix, count);
    const first = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, first + count - 1);
    return Array.from({ length: count }, (_, i) => idOf(prefix, first + i));
  }

  async isIdTaken(kind: RecordKind, id: string): Promise<boolean> {
    return this.tableOf(kind).has(id);
  }

  async skipIdsTo(prefix: string, n: number): Promise<void> {
    this.write('skipIdsTo', prefix, n);
    this.counters.set(prefix, Math.max(this.counters.get(prefix) ?? 0, n));
  }

  async reserveChangeSeqs(count: number): Promise<number> {
    this.write('reserveChangeSeqs', count);
    this.changeSeq += count;
    return this.changeSeq - count + 1;
  }

  async currentChangeSeq(): Promise<number> {
    return this.changeSeq;
  }

  async holdEventWrites(): Promise<void> {
    // One caller at a time in memory: nothing to hold.
  }

  async insertSubAccount(sa: SubAccount): Promise<void> {
    this.write('insertSubAccount', sa);
    this.subAccounts.set(sa.id, copy(sa));
  }
  async getSubAccount(id: string) {
    return copy(this.subAccounts.get(id));
  }
  async listSubAccounts() {
    return this.sorted(this.subAccounts.values());
  }

  async insertUser(user: User): Promise<void> {
    this.write('insertUser', user);
    this.users.set(user.id, copy(user));
  }
  async getUser(id: string) {
    return copy(this.users.get(id));
  }
  async listUsers(subAccountId: string) {
    return this.sorted([...this.users.values()].filter((u) => u.subAccountId === subAccountId));
  }

  async insertContact(contact: Contact): Promise<void> {
    this.write('insertContact', contact);
    this.contacts.set(contact.id, copy(contact));
  }
  async getContact(id: string) {
    return copy(this.contacts.get(id));
  }
  async listContacts(subAccountId: string) {
    return this.sorted([...this.contacts.values()].filter((c) => c.subAccountId === subAccountId));
  }

  async insertCalendar(calendar: PlatformCalendar): Promise<void> {
    this.write('insertCalendar', calendar);
    this.calendars.set(calendar.id, copy(calendar));
  }
  async getCalendar(id: string) {
    return copy(this.calendars.get(id));
  }
  async listCalendars(subAccountId: string) {
    return this.sorted([...this.calendars.values()].filter((c) => c.subAccountId === subAccountId));
  }
  async setCalendarICloudSync(calendarId: string, enabled: boolean): Promise<void> {
    this.write('setCalendarICloudSync', calendarId, enabled);
    this.calendars.get(calendarId)!.icloudSync = enabled;
  }

  private seen(ev: PlatformEvent, users: readonly string[]): void {
    const changes = this.userChanges.get(ev.id) ?? new Map<string, number>();
    for (const u of users) changes.set(u, ev.changeSeq);
    this.userChanges.set(ev.id, changes);
  }

  async insertEvents(events: readonly PlatformEvent[]): Promise<void> {
    this.write('insertEvents', events);
    for (const ev of events) {
      this.events.set(ev.id, copy(ev));
      this.seen(ev, ev.userIds);
    }
  }
  async updateEvent(ev: PlatformEvent, removedUserIds: readonly string[]): Promise<void> {
    this.write('updateEvent', ev, removedUserIds);
    this.events.set(ev.id, copy(ev));
    this.seen(ev, [...ev.userIds, ...removedUserIds]);
  }
  async tombstoneEvent(eventId: string, stamp: EventStamp): Promise<void> {
    this.write('tombstoneEvent', eventId, stamp);
    const ev = this.events.get(eventId)!;
    Object.assign(ev, stamp, { deleted: true });
    this.seen(ev, ev.userIds);
  }
  async addEventContact(eventId: string, contactId: string, position: number, stamp: EventStamp): Promise<void> {
    this.write('addEventContact', eventId, contactId, position, stamp);
    const ev = this.events.get(eventId)!;
    ev.contactIds.splice(position, 0, contactId);
    Object.assign(ev, stamp);
    this.seen(ev, ev.userIds);
  }
  async getEvent(id: string) {
    return copy(this.events.get(id));
  }
  getEventForUpdate(id: string) {
    return this.getEvent(id);
  }
  async listEventsForUser(userId: string, range: { start: number; end: number }) {
    return [...this.events.values()]
      .filter((e) => !e.deleted && e.userIds.includes(userId) && e.end > range.start && e.start < range.end)
      .sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1))
      .map(copy);
  }
  async listChangedEvents(userId: string, afterSeq: number) {
    const changed: { seq: number; ev: PlatformEvent }[] = [];
    for (const [id, changes] of this.userChanges) {
      const seq = changes.get(userId);
      if (seq !== undefined && seq > afterSeq) changed.push({ seq, ev: this.events.get(id)! });
    }
    return changed.sort((a, b) => a.seq - b.seq).map((c) => copy(c.ev));
  }
  async listChangedEventRefs(userId: string, afterSeq: number) {
    return (await this.listChangedEvents(userId, afterSeq)).map(({ id, version, changeSeq }) => ({ id, version, changeSeq }));
  }

  async rotationPointer(calendarId: string) {
    return this.rotation.get(calendarId) ?? 0;
  }
  async setRotationPointer(calendarId: string, nextPosition: number): Promise<void> {
    this.write('setRotationPointer', calendarId, nextPosition);
    this.rotation.set(calendarId, nextPosition);
  }
}

async function refusal(fn: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof PlatformError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a PlatformError');
}

describe('PlatformService over PlatformRecords that are not SQL', () => {
  let records: MemoryRecords;
  let platform: PlatformService;
  let setup: Awaited<ReturnType<typeof populate>>;

  async function populate() {
    const sub = await platform.createSubAccount({ name: 'Acme' });
    const other = await platform.createSubAccount({ name: 'Other' });
    const alice = await platform.createUser({ subAccountId: sub.id, name: 'Alice', email: 'alice@example.com', timeZone: 'Europe/London' });
    const stranger = await platform.createUser({ subAccountId: other.id, name: 'Stranger', email: 's@example.com', timeZone: 'UTC' });
    const john = await platform.createContact({ subAccountId: sub.id, name: 'John' });
    const simple = await platform.createCalendar({ subAccountId: sub.id, name: 'Mine', type: 'simple', memberIds: [alice.id] });
    return { sub, other, alice, stranger, john, simple };
  }

  beforeEach(async () => {
    records = new MemoryRecords();
    platform = new PlatformService(records, new FixedClock(T0));
    setup = await populate();
    records.writes.length = 0;
  });

  it('gives the same deterministic ids as the SQL store', () => {
    expect([setup.sub.id, setup.other.id, setup.alice.id, setup.stranger.id, setup.john.id, setup.simple.id]).toEqual([
      'sub_000001',
      'sub_000002',
      'usr_000001',
      'usr_000002',
      'con_000001',
      'cal_000001',
    ]);
    expect(setup.simple).toEqual({ id: 'cal_000001', subAccountId: 'sub_000001', name: 'Mine', type: 'simple', memberIds: ['usr_000001'], slotMinutes: 30, icloudSync: false });
  });

  describe('a refused input never reaches a write', () => {
    it('an appointment without contacts', async () => {
      const { sub, alice } = setup;
      expect(await refusal(() => platform.createEvent({ subAccountId: sub.id, kind: 'appointment', userIds: [alice.id], title: 'x', start: MON, end: MON + H }))).toEqual({
        code: 'invalid',
        message: 'An appointment needs at least one contact: give contactIds, or create a blocked slot (kind "blocked") for time without a contact.',
      });
      expect(records.writes).toEqual([]);
    });

    it('a user of another sub-account, even after valid events in the same batch', async () => {
      const { sub, alice, stranger } = setup;
      const ok = { subAccountId: sub.id, kind: 'blocked' as const, userIds: [alice.id], title: 'ok', start: MON, end: MON + H };
      expect(await refusal(() => platform.createEvents([ok, { ...ok, userIds: [stranger.id] }]))).toEqual({
        code: 'invalid',
        message: `User ${stranger.id} (an event user) belongs to sub-account ${stranger.subAccountId}, not ${sub.id}: only users of the same sub-account can take part.`,
      });
      expect(records.writes).toEqual([]);
    });

    it('a bad time zone', async () => {
      expect(await refusal(() => platform.createUser({ subAccountId: setup.sub.id, name: 'Zed', email: 'z@example.com', timeZone: 'Mars/Olympus' }))).toEqual({
        code: 'invalid',
        message: "Unknown time zone 'Mars/Olympus': give an IANA zone name such as 'Europe/London' or 'America/New_York'.",
      });
      expect(records.writes).toEqual([]);
    });

    it('iCloud sync turned on for a Simple calendar (T2)', async () => {
      const { simple } = setup;
      expect(await refusal(() => platform.setICloudSync(simple.id, true))).toEqual({
        code: 'calendar-type-not-supported',
        message:
          'Simple calendars cannot sync with iCloud: iCloud sync works for Round Robin, Collective, Class Booking and Service calendars. ' +
          `Calendar 'Mine' (${simple.id}) keeps its bookings in the platform only.`,
      });
      expect(records.writes).toEqual([]);
    });

    it('an update that changes nothing writes nothing', async () => {
      const { sub, alice } = setup;
      const ev = await platform.createEvent({ subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'x', start: MON, end: MON + H });
      records.writes.length = 0;
      expect(await platform.updateEvent(ev.id, { title: 'x', userIds: [alice.id] })).toEqual(ev);
      expect(records.writes).toEqual([]);
    });
  });

  it('createEvents with countersAfter: checks first, takes ids and change numbers once it resolves, nothing when it fails', async () => {
    const { sub, alice, stranger } = setup;
    const ok = { subAccountId: sub.id, kind: 'blocked' as const, userIds: [alice.id], title: 'ok', start: MON, end: MON + H };
    // Refused by its checks while what it waits for never comes: the checks are done first.
    expect(await refusal(() => platform.createEvents([{ ...ok, userIds: [stranger.id] }], { countersAfter: new Promise(() => undefined) }))).toMatchObject({ code: 'invalid' });
    let release!: () => void;
    const creating = platform.createEvents([ok], { countersAfter: new Promise<void>((resolve) => (release = resolve)) });
    await new Promise((resolve) => setImmediate(resolve));
    expect(records.writes).toEqual([]); // no id, no change number yet
    release();
    expect((await creating).map((e) => [e.id, e.changeSeq])).toEqual([['evt_000001', 1]]);
    // Change numbers before ids: the order every event write takes its locks in (no deadlock).
    expect(records.writes.map((w) => w.op)).toEqual(['reserveChangeSeqs', 'nextIds', 'insertEvents']);
    records.writes.length = 0;
    await expect(platform.createEvents([ok], { countersAfter: Promise.reject(new Error('the batch before failed')) })).rejects.toThrow('the batch before failed');
    await expect(platform.createEvents([], { countersAfter: Promise.reject(new Error('the batch before failed')) })).rejects.toThrow('the batch before failed');
    expect(records.writes).toEqual([]);
  });

  it('an accepted createEvents reaches the records as one batch insert, returned as built', async () => {
    const { sub, alice, john, simple } = setup;
    const created = await platform.createEvents([
      { subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'a', start: MON, end: MON + H },
      { subAccountId: sub.id, kind: 'appointment', calendarId: simple.id, userIds: [alice.id], contactIds: [john.id], title: 'b', start: MON + H, end: MON + 2 * H },
      { id: 'mine', subAccountId: sub.id, kind: 'blocked', userIds: [alice.id], title: 'c', start: MON + 2 * H, end: MON + 3 * H, busy: false, origin: 'icloud' },
    ]);
    expect(records.writes).toEqual([
      { op: 'reserveChangeSeqs', args: [3] },
      { op: 'nextIds', args: ['evt', 2] },
      { op: 'insertEvents', args: [created] },
    ]);
    expect(created.map((e) => [e.id, e.changeSeq, e.version])).toEqual([
      ['evt_000001', 1, 1],
      ['evt_000002', 2, 1],
      ['mine', 3, 1],
    ]);
    expect(created[1]).toEqual({
      id: 'evt_000002',
      subAccountId: sub.id,
      kind: 'appointment',
      calendarId: simple.id,
      userIds: [alice.id],
      contactIds: [john.id],
      title: 'b',
      start: MON + H,
      end: MON + 2 * H,
      allDay: false,
      busy: true,
      status: 'confirmed',
      deleted: false,
      origin: 'platform',
      version: 1,
      updatedAt: T0,
      changeSeq: 2,
    });
    expect(await platform.listEventsForUser(alice.id, { start: MON, end: MON + 3 * H })).toEqual(created);
  });

  it('updates, tombstones and contact additions reach the records with the next version and change number', async () => {
    const { sub, other, alice, stranger, john, simple } = setup;
    const bob = await platform.createUser({ subAccountId: sub.id, name: 'Bob', email: 'bob@example.com', timeZone: 'UTC' });
    const mary = await platform.createContact({ subAccountId: sub.id, name: 'Mary', email: 'mary@example.com' });
    const ev = await platform.createEvent({
      subAccountId: sub.id,
      kind: 'appointment',
      calendarId: simple.id,
      userIds: [alice.id, bob.id],
      contactIds: [john.id],
      title: 'x',
      start: MON,
      end: MON + H,
    });
    records.writes.length = 0;

    const moved = await platform.updateEvent(ev.id, { start: MON + H, end: MON + 2 * H, userIds: [alice.id], updatedAt: T0 + 1 });
    expect(records.writes).toEqual([
      { op: 'reserveChangeSeqs', args: [1] },
      { op: 'updateEvent', args: [moved, [bob.id]] },
    ]);
    expect(moved).toMatchObject({ version: 2, changeSeq: 2, updatedAt: T0 + 1, userIds: [alice.id] });
    expect((await platform.listChangedEvents(bob.id, 1)).map((e) => [e.id, e.userIds])).toEqual([[ev.id, [alice.id]]]);

    records.writes.length = 0;
    const foreign = await platform.createContact({ subAccountId: other.id, name: 'Foreign' });
    records.writes.length = 0;
    expect((await refusal(() => platform.addEventContact(ev.id, foreign.id))).code).toBe('invalid');
    expect((await refusal(() => platform.updateEvent(ev.id, { userIds: [stranger.id] }))).code).toBe('invalid');
    expect(records.writes).toEqual([]);

    const booked = await platform.addEventContact(ev.id, mary.id, T0 + 2);
    expect(booked).toMatchObject({ version: 3, changeSeq: 3, updatedAt: T0 + 2, contactIds: [john.id, mary.id] });
    const gone = await platform.deleteEvent(ev.id, T0 + 3);
    expect(gone).toMatchObject({ deleted: true, version: 4, changeSeq: 4, updatedAt: T0 + 3 });
    expect(await platform.deleteEvent(ev.id)).toEqual(gone);
    expect(records.writes.map((w) => w.op)).toEqual(['reserveChangeSeqs', 'addEventContact', 'reserveChangeSeqs', 'tombstoneEvent']);
    expect(await refusal(() => platform.updateEvent(ev.id, { title: 'y' }))).toEqual({
      code: 'conflict',
      message: `Event ${ev.id} was deleted (version 4); it cannot be changed: create a new event instead.`,
    });
    expect(await platform.currentChangeSeq()).toBe(4);
  });
});
