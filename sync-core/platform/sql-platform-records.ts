/**
 * The platform records over SQL, written once for SQLite and PostgreSQL (db/sql.ts; schemas in
 * migrations.ts and store/postgres/migrations.ts). Persistence only: the rules live in
 * PlatformService (platform-service.ts), which calls these methods inside its transactions.
 *
 * An event's users are kept twice: in the event's own row order (`position`) and as per-user rows
 * of `platform_event_users` carrying a copy of start/end, a `live` flag and the latest change
 * number, so the two per-user queries are index searches (migrations.ts explains the indexes).
 */
import { arrayColumn, insertRows, jsonArray, nextIds, skipIdsTo, type Dialect, type Params, type SqlDb } from '../db/sql.js';
import type { CalendarType, Contact, PlatformCalendar, PlatformEvent, SubAccount, User } from './model.js';
import { DuplicateIdError, type EventStamp, type PlatformRecords, type RecordKind } from './records.js';
import type { ChangedEventRef } from './store.js';

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

const USER_COLUMNS: readonly (keyof UserRow)[] = ['id', 'sub_account_id', 'name', 'email', 'time_zone', 'work_days', 'work_start', 'work_end'];

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

/** The table holding each kind of record (isIdTaken). */
const TABLES: Record<RecordKind, string> = {
  'sub-account': 'platform_sub_accounts',
  user: 'platform_users',
  contact: 'platform_contacts',
  calendar: 'platform_calendars',
  event: 'platform_events',
};

const eventColumns = (d: Dialect) => `e.*,
  (SELECT ${jsonArray(d, 'eu2.user_id', 'eu2.position')} FROM platform_event_users eu2 WHERE eu2.event_id = e.id AND eu2.active = 1) AS user_ids,
  (SELECT ${jsonArray(d, 'ec.contact_id', 'ec.position')} FROM platform_event_contacts ec WHERE ec.event_id = e.id) AS contact_ids`;

const calendarColumns = (d: Dialect) => `c.*,
  (SELECT ${jsonArray(d, 'm.user_id', 'm.position')} FROM platform_calendar_members m WHERE m.calendar_id = c.id) AS member_ids`;

/**
 * A user's rows of platform_event_users, each with its event (`e`), fetched by primary key.
 *
 * On PostgreSQL as a LATERAL subquery with a LIMIT, which the planner cannot merge into a join: as
 * a plain join it estimated a user's changes after an old cursor from the global spread of change
 * numbers (889 rows where there were 9, with 100,000 events) and hashed every event of the
 * platform to join them, a pass over the whole table for a feed of a few rows. SQLite plans the
 * join from its indexes and probes already.
 */
const userEventsFrom = (d: Dialect) =>
  d === 'postgres'
    ? 'platform_event_users eu CROSS JOIN LATERAL (SELECT * FROM platform_events e0 WHERE e0.id = eu.event_id LIMIT 1) AS e'
    : 'platform_event_users eu JOIN platform_events e ON e.id = eu.event_id';

/** SQL of the per-user event queries (exported for the query-plan tests). */
export const eventsForUserSql = (d: Dialect) => `SELECT ${eventColumns(d)}
  FROM ${userEventsFrom(d)}
  WHERE eu.user_id = ? AND eu.live = 1 AND eu.end_ms > ? AND eu.start_ms < ?
  ORDER BY e.start_ms, e.id`;
/** Which rows of platform_event_users are a user's changes after a change number (user id, then the number). */
const changedForUser = (userId = '?', afterSeq = '?') => `eu.user_id = ${userId} AND eu.change_seq > ${afterSeq}`;
export const changedEventsSql = (d: Dialect) => `SELECT ${eventColumns(d)}
  FROM ${userEventsFrom(d)}
  WHERE ${changedForUser()}
  ORDER BY eu.change_seq`;
/** The same rows as changedEventsSql, each as its event's id, version and change number only. */
export const changedEventRefsSql = (d: Dialect) => `SELECT e.id, e.version, e.change_seq
  FROM ${userEventsFrom(d)}
  WHERE ${changedForUser()}
  ORDER BY eu.change_seq`;

/**
 * The platform's part of a run's first statement (SqlStore.startRuns): scalar subqueries another
 * statement embeds, by column name, over its batch row `b` (the connection's `user_id` and
 * `change_cursor`).
 *
 * - `run_user`: the user row as JSON (getUser's answer, read back by userFromJson);
 * - `run_changed`: 1 when listChangedEvents(userId, afterSeq) has anything to answer, else NULL.
 *   Its condition is the feed's own (changedForUser): it cannot say no where the feed says yes.
 */
export function runStartColumns(d: Dialect): Readonly<Record<string, string>> {
  const user = d === 'postgres' ? 'row_to_json(u)' : `json_object(${USER_COLUMNS.map((c) => `'${c}', u.${c}`).join(', ')})`;
  return {
    run_user: `(SELECT ${user} FROM platform_users u WHERE u.id = b.user_id)`,
    run_changed: `(SELECT 1 FROM platform_event_users eu WHERE ${changedForUser('b.user_id', 'b.change_cursor')} LIMIT 1)`,
  };
}

/**
 * Locks the change-number row until the transaction ends: every write to an event takes it
 * (reserveChangeSeqs), so holding it holds them all, and taking it first keeps one lock order.
 */
const LOCK_CHANGE_NUMBERS = 'SELECT 1 FROM platform_state WHERE id = 1 FOR UPDATE';

/**
 * Runs `insert`, the INSERT of one record with `id`, and throws DuplicateIdError when the id is
 * taken. The statement skips a taken id (ON CONFLICT DO NOTHING) rather than fail: on PostgreSQL a
 * failed statement aborts its whole transaction, and a caller that catches the conflict in a
 * transaction of its own must be able to go on in it. Another writer inserting the same id at the
 * same moment is waited for, as a unique index makes it.
 */
async function insertRecord(db: SqlDb, kind: RecordKind, id: string, insert: string, params: Params): Promise<void> {
  const { changes } = await db.run(`${insert} ON CONFLICT (id) DO NOTHING`, params);
  if (changes === 0) throw new DuplicateIdError(kind, id);
}

/** The user from runStartColumns' JSON (text on SQLite, parsed by node-postgres). */
export function userFromJson(value: unknown): User | undefined {
  if (value === null || value === undefined) return undefined;
  return toUser((typeof value === 'string' ? JSON.parse(value) : value) as UserRow);
}

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

export class SqlPlatformRecords implements PlatformRecords {
  private readonly eventColumns: string;
  private readonly calendarColumns: string;
  private readonly eventsForUserSql: string;
  private readonly changedEventsSql: string;
  private readonly changedEventRefsSql: string;

  constructor(readonly db: SqlDb) {
    this.eventColumns = eventColumns(db.dialect);
    this.calendarColumns = calendarColumns(db.dialect);
    this.eventsForUserSql = eventsForUserSql(db.dialect);
    this.changedEventsSql = changedEventsSql(db.dialect);
    this.changedEventRefsSql = changedEventRefsSql(db.dialect);
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  // ------------------------------------------------------------------ ids and change numbers

  nextIds(prefix: string, count: number): Promise<string[]> {
    return nextIds(this.db, prefix, count);
  }

  skipIdsTo(prefix: string, n: number): Promise<void> {
    return skipIdsTo(this.db, prefix, n);
  }

  async isIdTaken(kind: RecordKind, id: string): Promise<boolean> {
    return (await this.db.get(`SELECT 1 FROM ${TABLES[kind]} WHERE id = ?`, [id])) !== undefined;
  }

  async reserveChangeSeqs(count: number): Promise<number> {
    const last = ((await this.db.get('UPDATE platform_state SET change_seq = change_seq + ? WHERE id = 1 RETURNING change_seq', [count])) as { change_seq: number }).change_seq;
    return last - count + 1;
  }

  async holdEventWrites(): Promise<void> {
    if (this.db.dialect === 'postgres') await this.db.get(LOCK_CHANGE_NUMBERS);
  }

  async currentChangeSeq(): Promise<number> {
    return ((await this.db.get('SELECT change_seq FROM platform_state WHERE id = 1')) as { change_seq: number }).change_seq;
  }

  // ------------------------------------------------------------------ sub-accounts

  async insertSubAccount(sa: SubAccount): Promise<void> {
    await insertRecord(this.db, 'sub-account', sa.id, 'INSERT INTO platform_sub_accounts (id, name) VALUES (?, ?)', [sa.id, sa.name]);
  }

  async getSubAccount(id: string): Promise<SubAccount | undefined> {
    return (await this.db.get('SELECT id, name FROM platform_sub_accounts WHERE id = ?', [id])) as SubAccount | undefined;
  }

  async listSubAccounts(): Promise<SubAccount[]> {
    return (await this.db.all('SELECT id, name FROM platform_sub_accounts ORDER BY id')) as SubAccount[];
  }

  // ------------------------------------------------------------------ users

  async insertUser(user: User): Promise<void> {
    const wh = user.workingHours;
    await insertRecord(this.db, 'user', user.id, 'INSERT INTO platform_users (id, sub_account_id, name, email, time_zone, work_days, work_start, work_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      user.id,
      user.subAccountId,
      user.name,
      user.email,
      user.timeZone,
      JSON.stringify(wh.days),
      wh.start,
      wh.end,
    ]);
  }

  async getUser(id: string): Promise<User | undefined> {
    const r = (await this.db.get('SELECT * FROM platform_users WHERE id = ?', [id])) as UserRow | undefined;
    return r && toUser(r);
  }

  async listUsers(subAccountId: string): Promise<User[]> {
    return ((await this.db.all('SELECT * FROM platform_users WHERE sub_account_id = ? ORDER BY id', [subAccountId])) as UserRow[]).map(toUser);
  }

  // ------------------------------------------------------------------ contacts

  async insertContact(contact: Contact): Promise<void> {
    await insertRecord(this.db, 'contact', contact.id, 'INSERT INTO platform_contacts (id, sub_account_id, name, email, phone) VALUES (?, ?, ?, ?, ?)', [
      contact.id,
      contact.subAccountId,
      contact.name,
      contact.email ?? null,
      contact.phone ?? null,
    ]);
  }

  async getContact(id: string): Promise<Contact | undefined> {
    const r = (await this.db.get('SELECT * FROM platform_contacts WHERE id = ?', [id])) as ContactRow | undefined;
    return r && toContact(r);
  }

  async listContacts(subAccountId: string): Promise<Contact[]> {
    return ((await this.db.all('SELECT * FROM platform_contacts WHERE sub_account_id = ? ORDER BY id', [subAccountId])) as ContactRow[]).map(toContact);
  }

  // ------------------------------------------------------------------ calendars

  async insertCalendar(cal: PlatformCalendar): Promise<void> {
    await insertRecord(this.db, 'calendar', cal.id, 'INSERT INTO platform_calendars (id, sub_account_id, name, type, slot_minutes, capacity, icloud_sync) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      cal.id,
      cal.subAccountId,
      cal.name,
      cal.type,
      cal.slotMinutes,
      cal.capacity ?? null,
      cal.icloudSync ? 1 : 0,
    ]);
    for (const [i, userId] of cal.memberIds.entries()) await this.db.run('INSERT INTO platform_calendar_members (calendar_id, position, user_id) VALUES (?, ?, ?)', [cal.id, i, userId]);
  }

  async getCalendar(id: string): Promise<PlatformCalendar | undefined> {
    const r = (await this.db.get(`SELECT ${this.calendarColumns} FROM platform_calendars c WHERE c.id = ?`, [id])) as CalendarRow | undefined;
    return r && toCalendar(r);
  }

  async listCalendars(subAccountId: string): Promise<PlatformCalendar[]> {
    return ((await this.db.all(`SELECT ${this.calendarColumns} FROM platform_calendars c WHERE c.sub_account_id = ? ORDER BY c.id`, [subAccountId])) as CalendarRow[]).map(toCalendar);
  }

  async setCalendarICloudSync(calendarId: string, enabled: boolean): Promise<void> {
    await this.db.run('UPDATE platform_calendars SET icloud_sync = ? WHERE id = ?', [enabled ? 1 : 0, calendarId]);
  }

  // ------------------------------------------------------------------ events

  /** A few statements whatever the number of events (insertRows). */
  async insertEvents(events: readonly PlatformEvent[]): Promise<void> {
    await insertRows(
      this.db,
      'platform_events',
      [
        'id',
        'sub_account_id',
        'kind',
        'calendar_id',
        'title',
        'description',
        'location',
        'start_ms',
        'end_ms',
        'all_day',
        'busy',
        'status',
        'deleted',
        'origin',
        'version',
        'updated_at',
        'change_seq',
      ],
      events.map((e) => [
        e.id,
        e.subAccountId,
        e.kind,
        e.calendarId ?? null,
        e.title,
        e.description ?? null,
        e.location ?? null,
        e.start,
        e.end,
        e.allDay ? 1 : 0,
        e.busy ? 1 : 0,
        e.status,
        e.deleted ? 1 : 0,
        e.origin,
        e.version,
        e.updatedAt,
        e.changeSeq,
      ]),
    );
    await insertRows(
      this.db,
      'platform_event_users',
      ['event_id', 'user_id', 'position', 'active', 'live', 'start_ms', 'end_ms', 'change_seq'],
      events.flatMap((e) => e.userIds.map((u, i) => [e.id, u, i, 1, e.deleted ? 0 : 1, e.start, e.end, e.changeSeq])),
    );
    await insertRows(
      this.db,
      'platform_event_contacts',
      ['event_id', 'contact_id', 'position'],
      events.flatMap((e) => e.contactIds.map((c, i) => [e.id, c, i])),
    );
  }

  async updateEvent(e: PlatformEvent, removedUserIds: readonly string[]): Promise<void> {
    await this.db.run(
      `UPDATE platform_events SET title = ?, description = ?, location = ?, start_ms = ?, end_ms = ?, all_day = ?, busy = ?, status = ?,
           version = ?, updated_at = ?, change_seq = ? WHERE id = ?`,
      [e.title, e.description ?? null, e.location ?? null, e.start, e.end, e.allDay ? 1 : 0, e.busy ? 1 : 0, e.status, e.version, e.updatedAt, e.changeSeq, e.id],
    );
    await this.writeEventUsers(e, removedUserIds);
  }

  /** Brings platform_event_users in step with the event (see migrations.ts). */
  private async writeEventUsers(e: PlatformEvent, removedUserIds: readonly string[]): Promise<void> {
    for (const [i, u] of e.userIds.entries()) {
      await this.db.run(
        `INSERT INTO platform_event_users (event_id, user_id, position, active, live, start_ms, end_ms, change_seq) VALUES (?, ?, ?, 1, ?, ?, ?, ?)
         ON CONFLICT (event_id, user_id) DO UPDATE SET position = excluded.position, active = 1, live = excluded.live,
           start_ms = excluded.start_ms, end_ms = excluded.end_ms, change_seq = excluded.change_seq`,
        [e.id, u, i, e.deleted ? 0 : 1, e.start, e.end, e.changeSeq],
      );
    }
    // Users taken off the event see the change in their own feed once (the event without them).
    for (const u of removedUserIds) {
      await this.db.run('UPDATE platform_event_users SET active = 0, live = 0, start_ms = ?, end_ms = ?, change_seq = ? WHERE event_id = ? AND user_id = ?', [e.start, e.end, e.changeSeq, e.id, u]);
    }
  }

  async tombstoneEvent(eventId: string, stamp: EventStamp): Promise<void> {
    await this.db.run('UPDATE platform_events SET deleted = 1, version = ?, updated_at = ?, change_seq = ? WHERE id = ?', [stamp.version, stamp.updatedAt, stamp.changeSeq, eventId]);
    await this.db.run('UPDATE platform_event_users SET live = 0, change_seq = ? WHERE event_id = ? AND active = 1', [stamp.changeSeq, eventId]);
  }

  async addEventContact(eventId: string, contactId: string, position: number, stamp: EventStamp): Promise<void> {
    await this.db.run('INSERT INTO platform_event_contacts (event_id, contact_id, position) VALUES (?, ?, ?)', [eventId, contactId, position]);
    await this.db.run('UPDATE platform_events SET version = ?, updated_at = ?, change_seq = ? WHERE id = ?', [stamp.version, stamp.updatedAt, stamp.changeSeq, eventId]);
    await this.db.run('UPDATE platform_event_users SET change_seq = ? WHERE event_id = ? AND active = 1', [stamp.changeSeq, eventId]);
  }

  async getEvent(id: string): Promise<PlatformEvent | undefined> {
    const r = (await this.db.get(`SELECT ${this.eventColumns} FROM platform_events e WHERE e.id = ?`, [id])) as EventRow | undefined;
    return r && toEvent(r);
  }

  /**
   * SQLite transactions run one at a time (BEGIN IMMEDIATE behind a mutex): a plain read. PostgreSQL
   * locks first, then reads in a statement of its own:
   *
   * - The change-number row is locked before the event's. Every write to an event takes a change
   *   number, held until commit; a transaction that changed one event and then waited for a
   *   second, locked by a writer that in turn waited for the change number, deadlocked.
   * - A read that waited for a lock gets the event's row as the other writer committed it, but its
   *   users and contacts (subqueries) as they were when it started: a title change waiting behind
   *   the removal of a user put that user back. A read after the lock sees the whole commit.
   */
  async getEventForUpdate(id: string): Promise<PlatformEvent | undefined> {
    if (this.db.dialect === 'postgres') {
      // The event's row is locked (the outer FOR UPDATE) only once the join has produced it, which
      // takes the change-number row first (the CTE).
      const locked = await this.db.get(`WITH feed AS (${LOCK_CHANGE_NUMBERS}) SELECT 1 AS found FROM platform_events e CROSS JOIN feed WHERE e.id = ? FOR UPDATE OF e`, [id]);
      if (!locked) return undefined;
    }
    const r = (await this.db.get(`SELECT ${this.eventColumns} FROM platform_events e WHERE e.id = ?`, [id])) as EventRow | undefined;
    return r && toEvent(r);
  }

  async listEventsForUser(userId: string, range: { start: number; end: number }): Promise<PlatformEvent[]> {
    return ((await this.db.all(this.eventsForUserSql, [userId, range.start, range.end])) as EventRow[]).map(toEvent);
  }

  async listChangedEvents(userId: string, afterSeq: number): Promise<PlatformEvent[]> {
    return ((await this.db.all(this.changedEventsSql, [userId, afterSeq])) as EventRow[]).map(toEvent);
  }

  async listChangedEventRefs(userId: string, afterSeq: number): Promise<ChangedEventRef[]> {
    const rows = (await this.db.all(this.changedEventRefsSql, [userId, afterSeq])) as Pick<EventRow, 'id' | 'version' | 'change_seq'>[];
    return rows.map((r) => ({ id: r.id, version: r.version, changeSeq: r.change_seq }));
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
