/**
 * The platform model over SQL, written once for SQLite and PostgreSQL (db/sql.ts; schemas in
 * migrations.ts and postgres-migrations.ts). Every write to an event takes the next global
 * changeSeq, bumps the event's version and sets updatedAt; deletions are tombstones.
 */
import { arrayColumn, chunked, jsonArray, nextId, nextIds, placeholders, type Dialect, type SqlDb } from '../db/sql.js';
import type { Clock } from '../../common/clock.js';
import { policyOf } from './calendar-types/index.js';
import { CALENDAR_TYPES, type CalendarType, type Contact, type PlatformCalendar, type PlatformEvent, type SubAccount, type User, type WorkingHours } from './model.js';
import { PlatformError, type EventPatch, type NewCalendar, type NewEvent, type NewUser } from './store.js';

export const DEFAULT_WORKING_HOURS: WorkingHours = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };
export const DEFAULT_SLOT_MINUTES = 30;

/** True if Intl knows the IANA zone. */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Minutes since local midnight of `HH:MM` (`24:00` allowed when `allowMidnightEnd`), or undefined. */
export function parseHourMinute(value: string, allowMidnightEnd = false): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (allowMidnightEnd && value === '24:00') return 24 * 60;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Throws PlatformError 'invalid' unless the working hours are well formed. */
export function validateWorkingHours(wh: WorkingHours): void {
  const example = `for example { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }`;
  if (!wh || !Array.isArray(wh.days) || wh.days.length === 0) {
    throw new PlatformError('invalid', `Working hours need at least one day: give ISO weekdays 1 (Monday) to 7 (Sunday), ${example}.`);
  }
  for (const d of wh.days) {
    if (!Number.isInteger(d) || d < 1 || d > 7) {
      throw new PlatformError('invalid', `Working day ${String(d)} is not an ISO weekday: use 1 (Monday) to 7 (Sunday).`);
    }
  }
  if (new Set(wh.days).size !== wh.days.length) throw new PlatformError('invalid', `Working days ${JSON.stringify(wh.days)} repeat a day: list each weekday once.`);
  const start = parseHourMinute(wh.start);
  const end = parseHourMinute(wh.end, true);
  if (start === undefined) throw new PlatformError('invalid', `Working hours start '${String(wh.start)}' is not a local time: use HH:MM (00:00–23:59), ${example}.`);
  if (end === undefined) throw new PlatformError('invalid', `Working hours end '${String(wh.end)}' is not a local time: use HH:MM (00:01–24:00), ${example}.`);
  if (end <= start) throw new PlatformError('invalid', `Working hours end ${wh.end} must be after start ${wh.start} (same day, local time).`);
}

function requireName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new PlatformError('invalid', `${what} needs a non-empty name.`);
  return value;
}

function requireInstant(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new PlatformError('invalid', `${what} must be an instant in epoch milliseconds (an integer), got ${String(value)}.`);
  }
  return value;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

interface EventRow {
  id: string;
  sub_account_id: string;
  kind: 'appointment' | 'blocked';
  calendar_id: string | null;
  title: string;
  description: string | null;
  location: string | null;
  start_ms: number;
  end_ms: number;
  all_day: number;
  busy: number;
  status: 'confirmed' | 'cancelled';
  deleted: number;
  origin: 'platform' | 'icloud';
  version: number;
  updated_at: number;
  change_seq: number;
  user_ids: unknown;
  contact_ids: unknown;
}

interface UserRow {
  id: string;
  sub_account_id: string;
  name: string;
  email: string;
  time_zone: string;
  work_days: string;
  work_start: string;
  work_end: string;
}

interface ContactRow {
  id: string;
  sub_account_id: string;
  name: string;
  email: string | null;
  phone: string | null;
}

interface CalendarRow {
  id: string;
  sub_account_id: string;
  name: string;
  type: CalendarType;
  slot_minutes: number;
  capacity: number | null;
  icloud_sync: number;
  member_ids: unknown;
}

const eventColumns = (d: Dialect) => `e.*,
  (SELECT ${jsonArray(d, 'eu2.user_id', 'eu2.position')} FROM platform_event_users eu2 WHERE eu2.event_id = e.id AND eu2.active = 1) AS user_ids,
  (SELECT ${jsonArray(d, 'ec.contact_id', 'ec.position')} FROM platform_event_contacts ec WHERE ec.event_id = e.id) AS contact_ids`;

const calendarColumns = (d: Dialect) => `c.*,
  (SELECT ${jsonArray(d, 'm.user_id', 'm.position')} FROM platform_calendar_members m WHERE m.calendar_id = c.id) AS member_ids`;

/** SQL of the two per-user event queries (exported for the query-plan tests). */
export const eventsForUserSql = (d: Dialect) => `SELECT ${eventColumns(d)}
  FROM platform_event_users eu JOIN platform_events e ON e.id = eu.event_id
  WHERE eu.user_id = ? AND eu.live = 1 AND eu.end_ms > ? AND eu.start_ms < ?
  ORDER BY e.start_ms, e.id`;
export const changedEventsSql = (d: Dialect) => `SELECT ${eventColumns(d)}
  FROM platform_event_users eu JOIN platform_events e ON e.id = eu.event_id
  WHERE eu.user_id = ? AND eu.change_seq > ?
  ORDER BY eu.change_seq`;

function toEvent(r: EventRow): PlatformEvent {
  const e: PlatformEvent = {
    id: r.id,
    subAccountId: r.sub_account_id,
    kind: r.kind,
    userIds: arrayColumn<string>(r.user_ids),
    contactIds: arrayColumn<string>(r.contact_ids),
    title: r.title,
    start: r.start_ms,
    end: r.end_ms,
    allDay: r.all_day === 1,
    busy: r.busy === 1,
    status: r.status,
    deleted: r.deleted === 1,
    origin: r.origin,
    version: r.version,
    updatedAt: r.updated_at,
    changeSeq: r.change_seq,
  };
  if (r.calendar_id !== null) e.calendarId = r.calendar_id;
  if (r.description !== null) e.description = r.description;
  if (r.location !== null) e.location = r.location;
  return e;
}

function toUser(r: UserRow): User {
  return {
    id: r.id,
    subAccountId: r.sub_account_id,
    name: r.name,
    email: r.email,
    timeZone: r.time_zone,
    workingHours: { days: JSON.parse(r.work_days) as number[], start: r.work_start, end: r.work_end },
  };
}

function toContact(r: ContactRow): Contact {
  const c: Contact = { id: r.id, subAccountId: r.sub_account_id, name: r.name };
  if (r.email !== null) c.email = r.email;
  if (r.phone !== null) c.phone = r.phone;
  return c;
}

function toCalendar(r: CalendarRow): PlatformCalendar {
  const c: PlatformCalendar = {
    id: r.id,
    subAccountId: r.sub_account_id,
    name: r.name,
    type: r.type,
    memberIds: arrayColumn<string>(r.member_ids),
    slotMinutes: r.slot_minutes,
    icloudSync: r.icloud_sync === 1,
  };
  if (r.capacity !== null) c.capacity = r.capacity;
  return c;
}

/** The records one batch of checks reads, each read once (a thousand slots of one user read the user once). */
class Lookups {
  private readonly memo = new Map<string, Promise<unknown>>();
  constructor(private readonly store: SqlPlatformStore) {}

  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) this.memo.set(key, (p = read()));
    return p;
  }

  async requireSubAccount(id: string): Promise<SubAccount> {
    const sa = await this.once(`s:${id}`, () => this.store.getSubAccount(id));
    if (!sa) throw new PlatformError('not-found', `Sub-account ${String(id)} does not exist: create it first with createSubAccount.`);
    return sa;
  }
  user = (id: string) => this.once(`u:${id}`, () => this.store.getUser(id));
  contact = (id: string) => this.once(`c:${id}`, () => this.store.getContact(id));
  calendar = (id: string) => this.once(`k:${id}`, () => this.store.getCalendar(id));
}

export class SqlPlatformStore {
  private readonly eventColumns: string;
  private readonly calendarColumns: string;
  private readonly eventsForUserSql: string;
  private readonly changedEventsSql: string;

  constructor(
    readonly db: SqlDb,
    private readonly clock: Clock,
  ) {
    this.eventColumns = eventColumns(db.dialect);
    this.calendarColumns = calendarColumns(db.dialect);
    this.eventsForUserSql = eventsForUserSql(db.dialect);
    this.changedEventsSql = changedEventsSql(db.dialect);
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  private async nextChangeSeq(): Promise<number> {
    const row = (await this.db.get('UPDATE platform_state SET change_seq = change_seq + 1 WHERE id = 1 RETURNING change_seq')) as { change_seq: number };
    return row.change_seq;
  }

  async currentChangeSeq(): Promise<number> {
    return ((await this.db.get('SELECT change_seq FROM platform_state WHERE id = 1')) as { change_seq: number }).change_seq;
  }

  private async newId(given: string | undefined, prefix: string, table: string, what: string): Promise<string> {
    if (given === undefined) return nextId(this.db, prefix);
    if (typeof given !== 'string' || given.trim() === '') throw new PlatformError('invalid', `${what} id must be a non-empty string (or leave it out to get one).`);
    if (await this.db.get(`SELECT 1 FROM ${table} WHERE id = ?`, [given])) {
      throw new PlatformError('conflict', `${what} ${given} already exists: choose another id or leave it out to get one.`);
    }
    return given;
  }

  // ------------------------------------------------------------------ sub-accounts

  async createSubAccount(init: { id?: string; name: string }): Promise<SubAccount> {
    return this.transaction(async () => {
      const name = requireName(init.name, 'A sub-account');
      const id = await this.newId(init.id, 'sub', 'platform_sub_accounts', 'Sub-account');
      await this.db.run('INSERT INTO platform_sub_accounts (id, name) VALUES (?, ?)', [id, name]);
      return { id, name };
    });
  }

  async getSubAccount(id: string): Promise<SubAccount | undefined> {
    return (await this.db.get('SELECT id, name FROM platform_sub_accounts WHERE id = ?', [id])) as SubAccount | undefined;
  }

  async listSubAccounts(): Promise<SubAccount[]> {
    return (await this.db.all('SELECT id, name FROM platform_sub_accounts ORDER BY id')) as SubAccount[];
  }

  private async requireSubAccount(id: string): Promise<SubAccount> {
    const sa = await this.getSubAccount(id);
    if (!sa) throw new PlatformError('not-found', `Sub-account ${String(id)} does not exist: create it first with createSubAccount.`);
    return sa;
  }

  // ------------------------------------------------------------------ users

  async createUser(init: NewUser): Promise<User> {
    return this.transaction(async () => {
      await this.requireSubAccount(init.subAccountId);
      const name = requireName(init.name, 'A user');
      if (typeof init.email !== 'string' || !init.email.includes('@')) throw new PlatformError('invalid', `User email '${String(init.email)}' is not an email address.`);
      if (!isValidTimeZone(init.timeZone)) {
        throw new PlatformError('invalid', `Unknown time zone '${String(init.timeZone)}': give an IANA zone name such as 'Europe/London' or 'America/New_York'.`);
      }
      const wh = init.workingHours ?? DEFAULT_WORKING_HOURS;
      validateWorkingHours(wh);
      const days = [...wh.days].sort((a, b) => a - b);
      const id = await this.newId(init.id, 'usr', 'platform_users', 'User');
      await this.db.run('INSERT INTO platform_users (id, sub_account_id, name, email, time_zone, work_days, work_start, work_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        id,
        init.subAccountId,
        name,
        init.email,
        init.timeZone,
        JSON.stringify(days),
        wh.start,
        wh.end,
      ]);
      return { id, subAccountId: init.subAccountId, name, email: init.email, timeZone: init.timeZone, workingHours: { days, start: wh.start, end: wh.end } };
    });
  }

  async getUser(id: string): Promise<User | undefined> {
    const r = (await this.db.get('SELECT * FROM platform_users WHERE id = ?', [id])) as UserRow | undefined;
    return r && toUser(r);
  }

  async listUsers(subAccountId: string): Promise<User[]> {
    return ((await this.db.all('SELECT * FROM platform_users WHERE sub_account_id = ? ORDER BY id', [subAccountId])) as UserRow[]).map(toUser);
  }

  // ------------------------------------------------------------------ contacts

  async createContact(init: { id?: string; subAccountId: string; name: string; email?: string; phone?: string }): Promise<Contact> {
    return this.transaction(async () => {
      await this.requireSubAccount(init.subAccountId);
      const name = requireName(init.name, 'A contact');
      const id = await this.newId(init.id, 'con', 'platform_contacts', 'Contact');
      await this.db.run('INSERT INTO platform_contacts (id, sub_account_id, name, email, phone) VALUES (?, ?, ?, ?, ?)', [id, init.subAccountId, name, init.email ?? null, init.phone ?? null]);
      return toContact({ id, sub_account_id: init.subAccountId, name, email: init.email ?? null, phone: init.phone ?? null });
    });
  }

  async getContact(id: string): Promise<Contact | undefined> {
    const r = (await this.db.get('SELECT * FROM platform_contacts WHERE id = ?', [id])) as ContactRow | undefined;
    return r && toContact(r);
  }

  async listContacts(subAccountId: string): Promise<Contact[]> {
    return ((await this.db.all('SELECT * FROM platform_contacts WHERE sub_account_id = ? ORDER BY id', [subAccountId])) as ContactRow[]).map(toContact);
  }

  // ------------------------------------------------------------------ calendars

  async createCalendar(init: NewCalendar): Promise<PlatformCalendar> {
    return this.transaction(async () => {
      await this.requireSubAccount(init.subAccountId);
      const name = requireName(init.name, 'A calendar');
      if (!CALENDAR_TYPES.includes(init.type)) {
        throw new PlatformError('invalid', `Unknown calendar type '${String(init.type)}': use one of ${CALENDAR_TYPES.join(', ')}.`);
      }
      const policy = policyOf(init.type);
      if (!Array.isArray(init.memberIds) || init.memberIds.length === 0) throw new PlatformError('invalid', `A ${policy.name} calendar needs at least one member.`);
      // What the type itself asks (one member for Simple, a capacity only for Class Booking).
      const capacity = policy.validate({ memberIds: init.memberIds, capacity: init.capacity });
      if (new Set(init.memberIds).size !== init.memberIds.length) throw new PlatformError('invalid', `Calendar members ${JSON.stringify(init.memberIds)} repeat a user: list each member once.`);
      for (const userId of init.memberIds) await this.requireUserIn(userId, init.subAccountId, 'a calendar member');
      const slotMinutes = init.slotMinutes ?? DEFAULT_SLOT_MINUTES;
      if (!Number.isInteger(slotMinutes) || slotMinutes <= 0 || slotMinutes > 24 * 60) {
        throw new PlatformError('invalid', `slotMinutes must be a whole number of minutes between 1 and 1440, got ${String(slotMinutes)}.`);
      }
      const icloudSync = policy.syncsWithICloud;
      const id = await this.newId(init.id, 'cal', 'platform_calendars', 'Calendar');
      await this.db.run('INSERT INTO platform_calendars (id, sub_account_id, name, type, slot_minutes, capacity, icloud_sync) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        id,
        init.subAccountId,
        name,
        init.type,
        slotMinutes,
        capacity,
        icloudSync ? 1 : 0,
      ]);
      for (const [i, userId] of init.memberIds.entries()) await this.db.run('INSERT INTO platform_calendar_members (calendar_id, position, user_id) VALUES (?, ?, ?)', [id, i, userId]);
      return (await this.getCalendar(id))!;
    });
  }

  async getCalendar(id: string): Promise<PlatformCalendar | undefined> {
    const r = (await this.db.get(`SELECT ${this.calendarColumns} FROM platform_calendars c WHERE c.id = ?`, [id])) as CalendarRow | undefined;
    return r && toCalendar(r);
  }

  async listCalendars(subAccountId: string): Promise<PlatformCalendar[]> {
    return ((await this.db.all(`SELECT ${this.calendarColumns} FROM platform_calendars c WHERE c.sub_account_id = ? ORDER BY c.id`, [subAccountId])) as CalendarRow[]).map(toCalendar);
  }

  async setICloudSync(calendarId: string, enabled: boolean): Promise<PlatformCalendar> {
    return this.transaction(async () => {
      const cal = await this.getCalendar(calendarId);
      if (!cal) throw new PlatformError('not-found', `Calendar ${String(calendarId)} does not exist.`);
      if (enabled && !policyOf(cal.type).syncsWithICloud) {
        // RULES.md T2
        throw new PlatformError(
          'calendar-type-not-supported',
          `${policyOf(cal.type).name} calendars cannot sync with iCloud: iCloud sync works for Round Robin, Collective, Class Booking and Service calendars. ` +
            `Calendar '${cal.name}' (${cal.id}) keeps its bookings in the platform only.`,
        );
      }
      await this.db.run('UPDATE platform_calendars SET icloud_sync = ? WHERE id = ?', [enabled ? 1 : 0, calendarId]);
      return { ...cal, icloudSync: enabled };
    });
  }

  private async requireUserIn(userId: string, subAccountId: string, role: string, lookups?: Lookups): Promise<User> {
    const user = await (lookups ? lookups.user(userId) : this.getUser(userId));
    if (!user) throw new PlatformError('not-found', `User ${String(userId)} (${role}) does not exist: create the user first.`);
    if (user.subAccountId !== subAccountId) {
      throw new PlatformError('invalid', `User ${userId} (${role}) belongs to sub-account ${user.subAccountId}, not ${subAccountId}: only users of the same sub-account can take part.`);
    }
    return user;
  }

  private async requireContactIn(contactId: string, subAccountId: string, lookups?: Lookups): Promise<Contact> {
    const contact = await (lookups ? lookups.contact(contactId) : this.getContact(contactId));
    if (!contact) throw new PlatformError('not-found', `Contact ${String(contactId)} does not exist: create the contact first.`);
    if (contact.subAccountId !== subAccountId) {
      throw new PlatformError('invalid', `Contact ${contactId} belongs to sub-account ${contact.subAccountId}, not ${subAccountId}: book contacts of the event's own sub-account.`);
    }
    return contact;
  }

  private async validateUserIds(userIds: unknown, subAccountId: string, lookups?: Lookups): Promise<string[]> {
    if (!Array.isArray(userIds) || userIds.length === 0) throw new PlatformError('invalid', 'An event takes the time of at least one user: give userIds.');
    if (new Set(userIds).size !== userIds.length) throw new PlatformError('invalid', `userIds ${JSON.stringify(userIds)} repeat a user: list each once.`);
    for (const u of userIds as string[]) await this.requireUserIn(u, subAccountId, 'an event user', lookups);
    return userIds as string[];
  }

  // ------------------------------------------------------------------ events

  async createEvent(init: NewEvent): Promise<PlatformEvent> {
    return (await this.createEvents([init]))[0]!;
  }

  /**
   * Creates many events in a few statements whatever their number (a first sync imports thousands
   * of blocked slots): each is checked as createEvent checks it, ids and change numbers are taken
   * in order, and all are created or none.
   */
  async createEvents(inits: readonly NewEvent[]): Promise<PlatformEvent[]> {
    if (inits.length === 0) return [];
    return this.transaction(async () => {
      const lookups = new Lookups(this);
      const rows: EventRow[] = [];
      for (const init of inits) rows.push(await this.checkNewEvent(init, lookups));
      const given = new Set<string>();
      for (const row of rows) {
        if (!row.id) continue;
        if (given.has(row.id)) throw new PlatformError('conflict', `Event ${row.id} is given twice: choose another id or leave it out to get one.`);
        given.add(row.id);
      }
      const fresh = await nextIds(this.db, 'evt', rows.filter((r) => !r.id).length);
      const lastSeq = ((await this.db.get('UPDATE platform_state SET change_seq = change_seq + ? WHERE id = 1 RETURNING change_seq', [rows.length])) as { change_seq: number }).change_seq;
      rows.forEach((row, i) => {
        row.id ||= fresh.shift()!;
        row.change_seq = lastSeq - rows.length + 1 + i;
      });
      for (const chunk of chunked(rows, 200)) {
        await this.db.run(
          `INSERT INTO platform_events (id, sub_account_id, kind, calendar_id, title, description, location, start_ms, end_ms, all_day, busy, status, deleted, origin, version, updated_at, change_seq)
           VALUES ${chunk.map(() => placeholders(17)).join(', ')}`,
          chunk.flatMap((r) => [
            r.id,
            r.sub_account_id,
            r.kind,
            r.calendar_id,
            r.title,
            r.description,
            r.location,
            r.start_ms,
            r.end_ms,
            r.all_day,
            r.busy,
            r.status,
            0,
            r.origin,
            1,
            r.updated_at,
            r.change_seq,
          ]),
        );
      }
      const users = rows.flatMap((r) => (r.user_ids as string[]).map((u, i) => [r.id, u, i, 1, 1, r.start_ms, r.end_ms, r.change_seq]));
      for (const chunk of chunked(users)) {
        await this.db.run(
          `INSERT INTO platform_event_users (event_id, user_id, position, active, live, start_ms, end_ms, change_seq) VALUES ${chunk.map(() => placeholders(8)).join(', ')}`,
          chunk.flat(),
        );
      }
      const contacts = rows.flatMap((r) => (r.contact_ids as string[]).map((c, i) => [r.id, c, i]));
      for (const chunk of chunked(contacts)) {
        await this.db.run(`INSERT INTO platform_event_contacts (event_id, contact_id, position) VALUES ${chunk.map(() => placeholders(3)).join(', ')}`, chunk.flat());
      }
      return rows.map(toEvent);
    });
  }

  /** What createEvent refuses, checked; the row to insert (id empty when one is to be taken, change_seq to be set). */
  private async checkNewEvent(init: NewEvent, lookups: Lookups): Promise<EventRow> {
    await lookups.requireSubAccount(init.subAccountId);
    if (init.kind !== 'appointment' && init.kind !== 'blocked') throw new PlatformError('invalid', `Unknown event kind '${String(init.kind)}': use 'appointment' or 'blocked'.`);
    const contactIds = init.contactIds ?? [];
    if (init.kind === 'appointment' && contactIds.length === 0) {
      throw new PlatformError('invalid', 'An appointment needs at least one contact: give contactIds, or create a blocked slot (kind "blocked") for time without a contact.');
    }
    if (init.kind === 'blocked' && contactIds.length > 0) {
      throw new PlatformError('invalid', 'A blocked slot has no contacts (RULES.md I1/I2): drop contactIds, or create an appointment (kind "appointment") instead.');
    }
    if (new Set(contactIds).size !== contactIds.length) throw new PlatformError('invalid', `contactIds ${JSON.stringify(contactIds)} repeat a contact: list each once.`);
    if (init.calendarId !== undefined) {
      if (init.kind === 'blocked') throw new PlatformError('invalid', 'A blocked slot belongs to no booking calendar: drop calendarId.');
      const cal = await lookups.calendar(init.calendarId);
      if (!cal) throw new PlatformError('not-found', `Calendar ${String(init.calendarId)} does not exist.`);
      if (cal.subAccountId !== init.subAccountId) throw new PlatformError('invalid', `Calendar ${cal.id} belongs to sub-account ${cal.subAccountId}, not ${init.subAccountId}.`);
    }
    const userIds = await this.validateUserIds(init.userIds, init.subAccountId, lookups);
    for (const c of contactIds) await this.requireContactIn(c, init.subAccountId, lookups);
    const start = requireInstant(init.start, 'Event start');
    const end = requireInstant(init.end, 'Event end');
    if (end <= start) throw new PlatformError('invalid', `Event end ${iso(end)} must be after its start ${iso(start)}.`);
    const status = init.status ?? 'confirmed';
    if (status !== 'confirmed' && status !== 'cancelled') throw new PlatformError('invalid', `Unknown status '${String(status)}': use 'confirmed' or 'cancelled'.`);
    const origin = init.origin ?? 'platform';
    if (origin !== 'platform' && origin !== 'icloud') throw new PlatformError('invalid', `Unknown origin '${String(origin)}': use 'platform' or 'icloud'.`);
    if (typeof init.title !== 'string') throw new PlatformError('invalid', 'An event needs a title (it may be empty).');
    const id = init.id === undefined ? '' : await this.newId(init.id, 'evt', 'platform_events', 'Event');
    return {
      id,
      sub_account_id: init.subAccountId,
      kind: init.kind,
      calendar_id: init.calendarId ?? null,
      title: init.title,
      description: init.description ?? null,
      location: init.location ?? null,
      start_ms: start,
      end_ms: end,
      all_day: init.allDay ? 1 : 0,
      busy: init.busy === false ? 0 : 1,
      status,
      deleted: 0,
      origin,
      version: 1,
      updated_at: init.updatedAt ?? this.clock.now(),
      change_seq: 0,
      user_ids: [...userIds],
      contact_ids: [...contactIds],
    };
  }

  /** Brings platform_event_users in step with the event (see migrations.ts). */
  private async writeEventUsers(eventId: string, userIds: string[], previous: string[], ev: { start: number; end: number; deleted: boolean; seq: number }): Promise<void> {
    for (const [i, u] of userIds.entries()) {
      await this.db.run(
        `INSERT INTO platform_event_users (event_id, user_id, position, active, live, start_ms, end_ms, change_seq) VALUES (?, ?, ?, 1, ?, ?, ?, ?)
         ON CONFLICT (event_id, user_id) DO UPDATE SET position = excluded.position, active = 1, live = excluded.live,
           start_ms = excluded.start_ms, end_ms = excluded.end_ms, change_seq = excluded.change_seq`,
        [eventId, u, i, ev.deleted ? 0 : 1, ev.start, ev.end, ev.seq],
      );
    }
    // Users taken off the event see the change in their own feed once (the event without them).
    for (const u of previous) {
      if (!userIds.includes(u))
        await this.db.run('UPDATE platform_event_users SET active = 0, live = 0, start_ms = ?, end_ms = ?, change_seq = ? WHERE event_id = ? AND user_id = ?', [ev.start, ev.end, ev.seq, eventId, u]);
    }
  }

  private async requireEvent(id: string): Promise<PlatformEvent> {
    const e = await this.getEvent(id);
    if (!e) throw new PlatformError('not-found', `Event ${String(id)} does not exist.`);
    return e;
  }

  async updateEvent(id: string, patch: EventPatch): Promise<PlatformEvent> {
    return this.transaction(async () => {
      const cur = await this.requireEvent(id);
      if (cur.deleted) throw new PlatformError('conflict', `Event ${id} was deleted (version ${cur.version}); it cannot be changed: create a new event instead.`);
      const next: PlatformEvent = { ...cur };
      if (patch.title !== undefined) {
        if (typeof patch.title !== 'string') throw new PlatformError('invalid', 'Event title must be a string.');
        next.title = patch.title;
      }
      // EventPatch cannot express "remove the description/location": undefined means "unchanged".
      if (patch.description !== undefined) next.description = patch.description;
      if (patch.location !== undefined) next.location = patch.location;
      if (patch.start !== undefined) next.start = requireInstant(patch.start, 'Event start');
      if (patch.end !== undefined) next.end = requireInstant(patch.end, 'Event end');
      if (next.end <= next.start) throw new PlatformError('invalid', `Event end ${iso(next.end)} must be after its start ${iso(next.start)}.`);
      if (patch.allDay !== undefined) next.allDay = patch.allDay;
      if (patch.busy !== undefined) next.busy = patch.busy;
      if (patch.status !== undefined) {
        if (patch.status !== 'confirmed' && patch.status !== 'cancelled') throw new PlatformError('invalid', `Unknown status '${String(patch.status)}': use 'confirmed' or 'cancelled'.`);
        next.status = patch.status;
      }
      if (patch.userIds !== undefined) next.userIds = [...(await this.validateUserIds(patch.userIds, cur.subAccountId))];
      const changed =
        next.title !== cur.title ||
        next.description !== cur.description ||
        next.location !== cur.location ||
        next.start !== cur.start ||
        next.end !== cur.end ||
        next.allDay !== cur.allDay ||
        next.busy !== cur.busy ||
        next.status !== cur.status ||
        next.userIds.join('\u0000') !== cur.userIds.join('\u0000');
      if (!changed) return cur; // nothing to write: no new version, no change-feed entry
      const seq = await this.nextChangeSeq();
      const updatedAt = patch.updatedAt ?? this.clock.now();
      await this.db.run(
        `UPDATE platform_events SET title = ?, description = ?, location = ?, start_ms = ?, end_ms = ?, all_day = ?, busy = ?, status = ?,
           version = version + 1, updated_at = ?, change_seq = ? WHERE id = ?`,
        [next.title, next.description ?? null, next.location ?? null, next.start, next.end, next.allDay ? 1 : 0, next.busy ? 1 : 0, next.status, updatedAt, seq, id],
      );
      await this.writeEventUsers(id, next.userIds, cur.userIds, { start: next.start, end: next.end, deleted: false, seq });
      return (await this.getEvent(id))!;
    });
  }

  async deleteEvent(id: string, at?: number): Promise<PlatformEvent> {
    return this.transaction(async () => {
      const cur = await this.requireEvent(id);
      if (cur.deleted) return cur; // already a tombstone: deleting again changes nothing
      const seq = await this.nextChangeSeq();
      await this.db.run('UPDATE platform_events SET deleted = 1, version = version + 1, updated_at = ?, change_seq = ? WHERE id = ?', [at ?? this.clock.now(), seq, id]);
      await this.db.run('UPDATE platform_event_users SET live = 0, change_seq = ? WHERE event_id = ? AND active = 1', [seq, id]);
      return (await this.getEvent(id))!;
    });
  }

  /**
   * Class booking: adds a contact to an appointment (a new version, like updateEvent). EventPatch
   * has no contactIds, so this is the one way to change an event's contacts.
   */
  async addEventContact(eventId: string, contactId: string, at?: number): Promise<PlatformEvent> {
    return this.transaction(async () => {
      const cur = await this.requireEvent(eventId);
      if (cur.deleted) throw new PlatformError('conflict', `Event ${eventId} was deleted: contacts cannot be added to it.`);
      if (cur.kind !== 'appointment') throw new PlatformError('invalid', `Event ${eventId} is a blocked slot: blocked slots have no contacts.`);
      await this.requireContactIn(contactId, cur.subAccountId);
      if (cur.contactIds.includes(contactId)) throw new PlatformError('conflict', `Contact ${contactId} is already booked on event ${eventId}.`);
      const seq = await this.nextChangeSeq();
      await this.db.run('INSERT INTO platform_event_contacts (event_id, contact_id, position) VALUES (?, ?, ?)', [eventId, contactId, cur.contactIds.length]);
      await this.db.run('UPDATE platform_events SET version = version + 1, updated_at = ?, change_seq = ? WHERE id = ?', [at ?? this.clock.now(), seq, eventId]);
      await this.db.run('UPDATE platform_event_users SET change_seq = ? WHERE event_id = ? AND active = 1', [seq, eventId]);
      return (await this.getEvent(eventId))!;
    });
  }

  async getEvent(id: string): Promise<PlatformEvent | undefined> {
    const r = (await this.db.get(`SELECT ${this.eventColumns} FROM platform_events e WHERE e.id = ?`, [id])) as EventRow | undefined;
    return r && toEvent(r);
  }

  async listEventsForUser(userId: string, range: { start: number; end: number }): Promise<PlatformEvent[]> {
    return ((await this.db.all(this.eventsForUserSql, [userId, range.start, range.end])) as EventRow[]).map(toEvent);
  }

  /**
   * Every event the user has been assigned to (deleted ones included) with changeSeq > afterSeq,
   * in changeSeq order. An event the user was taken off (userIds changed) appears once more, at
   * the change that removed them, with userIds no longer listing them: the sync engine should
   * treat that like a deletion for this user.
   */
  async listChangedEvents(userId: string, afterSeq: number): Promise<PlatformEvent[]> {
    return ((await this.db.all(this.changedEventsSql, [userId, afterSeq])) as EventRow[]).map(toEvent);
  }

  // ------------------------------------------------------------------ round-robin rotation

  async rotationPointer(calendarId: string): Promise<number> {
    const r = (await this.db.get('SELECT next_position FROM platform_rotation WHERE calendar_id = ?', [calendarId])) as { next_position: number } | undefined;
    return r?.next_position ?? 0;
  }

  async setRotationPointer(calendarId: string, nextPosition: number): Promise<void> {
    await this.db.run('INSERT INTO platform_rotation (calendar_id, next_position) VALUES (?, ?) ON CONFLICT (calendar_id) DO UPDATE SET next_position = excluded.next_position', [
      calendarId,
      nextPosition,
    ]);
  }
}
