/**
 * Typed access to the sync-state tables, over SQL for SQLite and PostgreSQL (db/sql.ts). Callers
 * group calls in the store's transaction so a sync step and its bookkeeping commit together.
 */
import { ADVISORY_LOCKS, insertRows, jsonRows, matchingAny, plannedEachCall, type Dialect, type SqlDb } from '../db/sql.js';
import type { CalendarAccess } from '../caldav/client.js';

export interface Connection {
  id: string;
  subAccountId: string;
  userId: string;
  appleId: string;
  appPassword: string;
  serverUrl: string;
  principalUrl: string;
  homeUrl: string;
  status: 'active' | 'reconnect_required';
  statusReason?: string;
  /** The platform changeSeq up to which changes have been pushed. */
  changeCursor: number;
  nextPollAt: number;
  consecutiveFailures: number;
  lastSyncAt?: number;
  createdAt: number;
}

export interface RemoteCalendar {
  connectionId: string;
  url: string;
  displayName: string;
  components: string[];
  access: CalendarAccess;
  kind: string;
  isLinked: boolean;
  isConflict: boolean;
  /** Shared with this account by another (CS:shared): bookings are never followed into it (D8). */
  shared: boolean;
  syncToken?: string;
}

export interface CalendarForRun extends RemoteCalendar {
  holdsFollowed: boolean;
  holdsUnconfirmed: boolean;
}

/**
 * What a run starts from, in one statement: the calendars with what they hold, and whether the
 * steps that usually find nothing have anything to read. Only the connection's own run changes
 * pending pushes and window_due, so the answer holds for the whole run.
 */
export interface RunPlan {
  calendars: CalendarForRun[];
  /** Some push failed before and waits for a retry (pending_pushes). */
  pendingPushes: boolean;
  /** Some followed event has occurrences the window now reaches (D5, window_due). */
  objectsDue: boolean;
  /** The connection holds no objects and no occurrence links (a first sync): nothing is known yet. */
  holdsNothing: boolean;
}

export interface RemoteObjectRow {
  connectionId: string;
  href: string;
  calendarUrl: string;
  uid: string;
  etag?: string;
  data: string;
  contentHash: string;
  origin: 'platform' | 'icloud';
  eventId?: string;
  pushedVersion?: number;
  remoteModified?: number;
  /** Deleted in iCloud and found nowhere else in the account: remembered, never propagated (I4). */
  gone: boolean;
  /** The copy of its UID the engine follows; false for a copy of the same event seen elsewhere (D8, D9). */
  followed: boolean;
  /** The window end past which this event has occurrences not materialised yet (D5). */
  windowDue?: number;
  /** Created by the engine after the calendar's sync token: no listing has shown it yet (sync-003). */
  unconfirmed?: boolean;
}

/** One occurrence of an iCloud event (its UID and recurrence key) → the platform slot showing it (D9). */
export interface InstanceLink {
  connectionId: string;
  uid: string;
  recurrenceKey: string;
  eventId: string;
  syncedVersion: number;
  suppressed: boolean;
}

export interface ConflictRecord {
  id: number;
  connectionId: string;
  eventId: string;
  href: string;
  detectedAt: number;
  winner: 'platform' | 'icloud';
  platformModified: number;
  icloudModified?: number;
  /** The change that lost, as it was: never silently dropped (D1). */
  losingChange: Record<string, unknown>;
}

type Row = Record<string, unknown>;
const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

function toConnection(r: Row): Connection {
  return {
    id: r.id as string,
    subAccountId: r.sub_account_id as string,
    userId: r.user_id as string,
    appleId: r.apple_id as string,
    appPassword: r.app_password as string,
    serverUrl: r.server_url as string,
    principalUrl: r.principal_url as string,
    homeUrl: r.home_url as string,
    status: r.status as Connection['status'],
    statusReason: opt(r.status_reason),
    changeCursor: r.change_cursor as number,
    nextPollAt: r.next_poll_at as number,
    consecutiveFailures: r.consecutive_failures as number,
    lastSyncAt: opt(r.last_sync_at),
    createdAt: r.created_at as number,
  };
}

function toCalendar(r: Row): RemoteCalendar {
  return {
    connectionId: r.connection_id as string,
    url: r.url as string,
    displayName: r.display_name as string,
    components: JSON.parse(r.components as string) as string[],
    access: r.access as CalendarAccess,
    kind: r.kind as string,
    isLinked: r.is_linked === 1,
    isConflict: r.is_conflict === 1,
    shared: r.shared === 1,
    syncToken: opt(r.sync_token),
  };
}

function toObject(r: Row): RemoteObjectRow {
  return {
    connectionId: r.connection_id as string,
    href: r.href as string,
    calendarUrl: r.calendar_url as string,
    uid: r.uid as string,
    etag: opt(r.etag),
    data: r.data as string,
    contentHash: r.content_hash as string,
    origin: r.origin as RemoteObjectRow['origin'],
    eventId: opt(r.event_id),
    pushedVersion: opt(r.pushed_version),
    remoteModified: opt(r.remote_modified),
    gone: r.gone === 1,
    followed: r.followed === 1,
    windowDue: opt(r.window_due),
    unconfirmed: r.unconfirmed === 1,
  };
}

function toLink(r: Row): InstanceLink {
  return {
    connectionId: r.connection_id as string,
    uid: r.uid as string,
    recurrenceKey: r.recurrence_key as string,
    eventId: r.event_id as string,
    syncedVersion: r.synced_version as number,
    suppressed: r.suppressed === 1,
  };
}

const OBJECT_COLUMNS = [
  'connection_id',
  'href',
  'calendar_url',
  'uid',
  'etag',
  'data',
  'content_hash',
  'origin',
  'event_id',
  'pushed_version',
  'remote_modified',
  'gone',
  'followed',
  'window_due',
  'unconfirmed',
];

/**
 * planRuns' statement (exported for the query-plan test): for each connection of a batch (the
 * rows `b`: id, user_id, change_cursor, bound as one JSON parameter), one row per calendar, or one
 * row of NULLs when it has none. A worker reads the plans of the next few connections it will sync
 * in one statement (Scheduler): a quiet poll is mostly round trips to the database. A connection
 * that does not exist has no rows.
 *
 * Each connection's flags are worked out once, in a subquery a LIMIT keeps the planners from
 * merging into the join (else once per calendar). Scalar subqueries with LIMIT 1, not EXISTS:
 * PostgreSQL may turn an EXISTS into a hashed subplan over every connection's rows; these stay
 * index probes. Whether a calendar holds a followed copy is asked as "the highest `followed`
 * among its live rows", in the order of remote_objects_calendar (connection_id, calendar_url,
 * followed), so only that index answers it cheaply: asked as `followed = 1 … LIMIT 1`,
 * PostgreSQL, told by its statistics that one calendar holds every row, scanned the whole table
 * for each calendar holding none. Whether the connection holds anything at all is asked the same
 * way, as its first row in primary-key order. `extra` columns (name → scalar subquery, which may
 * use `b.user_id` and `b.change_cursor`) are worked out in the same subquery: SqlStore.startRuns
 * reads the user and the platform's change probe with the plan.
 *
 * The batch's estimated size is a guess (PostgreSQL takes a hundred rows from a function), so each
 * connection's calendars are read in a LATERAL subquery: a probe per connection, never a hash of
 * every connection's calendars. Parameters: the window end, the batch as JSON, the batch's size.
 */
export const runPlanSql = (dialect: Dialect, extra: Readonly<Record<string, string>> = {}) => `SELECT f.id AS plan_connection_id, rc.*,
  (SELECT ro.followed FROM remote_objects ro WHERE ro.connection_id = rc.connection_id AND ro.calendar_url = rc.url AND ro.gone = 0 ORDER BY ro.followed DESC LIMIT 1) AS top_followed,
  (SELECT 1 FROM remote_objects ro WHERE ro.connection_id = rc.connection_id AND ro.calendar_url = rc.url AND ro.unconfirmed = 1 AND ro.gone = 0 LIMIT 1) AS holds_unconfirmed,
  f.has_pending, f.has_due, f.has_objects, f.has_links${Object.keys(extra)
    .map((name) => `, f.${name}`)
    .join('')}
FROM (SELECT b.id,
    (SELECT 1 FROM pending_pushes pp WHERE pp.connection_id = b.id LIMIT 1) AS has_pending,
    (SELECT 1 FROM remote_objects ro WHERE ro.connection_id = b.id AND ro.window_due IS NOT NULL AND ro.window_due < ? AND ro.followed = 1 AND ro.gone = 0 LIMIT 1) AS has_due,
    (SELECT ro.href FROM remote_objects ro WHERE ro.connection_id = b.id ORDER BY ro.href LIMIT 1) AS has_objects,
    (SELECT ol.uid FROM occurrence_links ol WHERE ol.connection_id = b.id ORDER BY ol.uid LIMIT 1) AS has_links${Object.entries(extra)
      .map(([name, sql]) => `,\n    ${sql} AS ${name}`)
      .join('')}
  FROM ${jsonRows(dialect, 'b', PLAN_BATCH_COLUMNS)}
  WHERE (SELECT 1 FROM connections c WHERE c.id = b.id) IS NOT NULL LIMIT ?) AS f
${dialect === 'postgres' ? 'LEFT JOIN LATERAL (SELECT * FROM remote_calendars WHERE connection_id = f.id OFFSET 0) AS rc ON true' : 'LEFT JOIN remote_calendars rc ON rc.connection_id = f.id'}
ORDER BY f.id, rc.url`;
const PLAN_BATCH_COLUMNS = { id: 'text', user_id: 'text', change_cursor: 'bigint' } as const;
export const RUN_PLAN_SQL: Record<Dialect, string> = { sqlite: runPlanSql('sqlite'), postgres: runPlanSql('postgres') };

/** A finished run, as finishRuns records it. */
export interface FinishedRun {
  connectionId: string;
  startedAt: number;
  finishedAt: number;
  report: unknown;
  /** Set after the run (0 after a success); left as it was when absent. */
  consecutiveFailures?: number;
  lastSyncAt?: number;
  /** Kept in the run history too (a run that did something). */
  history: boolean;
  /** A worker's lease given back, the connection due again at `nextPollAt`. */
  release?: { worker: string; nextPollAt: number };
}

/**
 * finishRuns' statement: each run of the batch (`r`, one JSON parameter) on its connection's row.
 * The lease is given back only where the run's worker still holds it: a worker whose lease ran out
 * and was taken over must not hand back another worker's. SET reads the row as it was.
 */
const finishRunsSql = (dialect: Dialect) => `UPDATE connections SET last_run_started_at = r.started_at, last_run_finished_at = r.finished_at, last_run_report = r.report,
    consecutive_failures = COALESCE(r.consecutive_failures, connections.consecutive_failures), last_sync_at = COALESCE(r.last_sync_at, connections.last_sync_at),
    next_poll_at = CASE WHEN connections.lease_owner = r.worker THEN r.next_poll_at ELSE connections.next_poll_at END,
    lease_until = CASE WHEN connections.lease_owner = r.worker THEN NULL ELSE connections.lease_until END,
    lease_owner = CASE WHEN connections.lease_owner = r.worker THEN NULL ELSE connections.lease_owner END
  FROM ${jsonRows(dialect, 'r', { id: 'text', started_at: 'bigint', finished_at: 'bigint', report: 'text', consecutive_failures: 'bigint', last_sync_at: 'bigint', worker: 'text', next_poll_at: 'bigint' })}
  WHERE connections.id = r.id`;
const FINISH_RUNS_SQL: Record<Dialect, string> = { sqlite: finishRunsSql('sqlite'), postgres: finishRunsSql('postgres') };

/** A connection as planRuns reads it: which one, and for the extra columns, its user and change cursor. */
export type PlanTarget = Pick<Connection, 'id'> & Partial<Pick<Connection, 'userId' | 'changeCursor'>>;

/** The batch parameter of runPlanSql. */
export const planBatch = (connections: readonly PlanTarget[]): string => JSON.stringify(connections.map((c) => ({ id: c.id, user_id: c.userId ?? null, change_cursor: c.changeCursor ?? null })));
const NO_EXTRA: Readonly<Record<string, string>> = {};

/**
 * knownUids' statement (exported for the query-plan test): the UIDs arrive as one JSON array, and
 * each is looked up on its own, by scalar subqueries on (connection_id, uid). Written as
 * `uid IN (…)` or `= ANY(…)`, PostgreSQL planned it from statistics taken before a first sync had
 * stored anything: it believed the connection had one row, read all of the connection's rows and
 * filtered them, and each page of a 10,000-event import cost more than the one before. Planned on
 * every call for the same reason (plannedEachCall).
 */
const knownUidsSql = (rows: string) =>
  plannedEachCall(`SELECT w.value AS uid FROM ${rows} AS w
WHERE (SELECT 1 FROM remote_objects ro WHERE ro.connection_id = ? AND ro.followed = 1 AND ro.uid = w.value LIMIT 1) IS NOT NULL
   OR (SELECT 1 FROM occurrence_links ol WHERE ol.connection_id = ? AND ol.uid = w.value LIMIT 1) IS NOT NULL`);
export const KNOWN_UIDS_SQL: Record<Dialect, string> = { sqlite: knownUidsSql('json_each(?)'), postgres: knownUidsSql('json_array_elements_text(?::json)') };

/** objectsDue's statement (exported for the query-plan test): a range of the window_due index. */
export const OBJECTS_DUE_SQL = 'SELECT * FROM remote_objects WHERE connection_id = ? AND window_due IS NOT NULL AND window_due < ? AND followed = 1 AND gone = 0 ORDER BY href';

export class SyncState {
  /** planRuns' statement for each set of extra columns (a caller passes the same object each time). */
  private readonly planStatements = new WeakMap<Readonly<Record<string, string>>, string>();

  constructor(private readonly db: SqlDb) {}

  // ---- connections -------------------------------------------------------------------------------

  async insertConnection(c: Omit<Connection, 'changeCursor' | 'nextPollAt' | 'consecutiveFailures' | 'statusReason' | 'lastSyncAt'> & { changeCursor: number }): Promise<Connection> {
    await this.db.run(
      `INSERT INTO connections (id, sub_account_id, user_id, apple_id, app_password, server_url, principal_url, home_url, status, change_cursor, created_at)
         VALUES (@id, @subAccountId, @userId, @appleId, @appPassword, @serverUrl, @principalUrl, @homeUrl, @status, @changeCursor, @createdAt)`,
      [c],
    );
    return (await this.getConnection(c.id))!;
  }

  async getConnection(id: string): Promise<Connection | undefined> {
    const r = (await this.db.get('SELECT * FROM connections WHERE id = ?', [id])) as Row | undefined;
    return r && toConnection(r);
  }

  async listConnections(): Promise<Connection[]> {
    return ((await this.db.all('SELECT * FROM connections ORDER BY id')) as Row[]).map(toConnection);
  }

  async findConnection(subAccountId: string, userId: string): Promise<Connection | undefined> {
    const r = (await this.db.get('SELECT * FROM connections WHERE sub_account_id = ? AND user_id = ?', [subAccountId, userId])) as Row | undefined;
    return r && toConnection(r);
  }

  async connectionsForAppleId(appleId: string): Promise<Connection[]> {
    return ((await this.db.all('SELECT * FROM connections WHERE lower(apple_id) = lower(?)', [appleId])) as Row[]).map(toConnection);
  }

  async connectionsForUser(userId: string): Promise<Connection[]> {
    return ((await this.db.all('SELECT * FROM connections WHERE user_id = ?', [userId])) as Row[]).map(toConnection);
  }

  /**
   * Holds every other connect from here until the surrounding transaction ends (called inside
   * one), so that a connect's checks (one connection per user, an Apple ID in one sub-account) and
   * its insert are not overtaken. On PostgreSQL a transaction-scoped advisory lock (connects are
   * rare: one lock for all of them); SQLite runs one transaction at a time anyway.
   */
  async holdConnectionWrites(): Promise<void> {
    if (this.db.dialect === 'postgres') await this.db.get('SELECT pg_advisory_xact_lock(?)', [ADVISORY_LOCKS.connects]);
  }

  /**
   * Leases up to `limit` due, active connections to `worker` until `until`: the ones no live lease
   * holds (a lease that ran out belongs to a worker that died). On PostgreSQL the rows are locked
   * with SKIP LOCKED, so workers leasing at the same moment take different connections.
   */
  async leaseDueConnections(worker: string, now: number, until: number, limit: number): Promise<Connection[]> {
    const lock = this.db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = await this.db.all<Row>(
      `UPDATE connections SET lease_owner = ?, lease_until = ?
       WHERE id IN (SELECT id FROM connections WHERE status = 'active' AND next_poll_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
                    ORDER BY next_poll_at, id LIMIT ?${lock})
       RETURNING *`,
      [worker, until, now, now, limit],
    );
    return rows.map(toConnection).sort((a, b) => a.nextPollAt - b.nextPollAt || a.id.localeCompare(b.id));
  }

  /**
   * Extends `worker`'s leases (a heartbeat while it syncs them), and answers the ids it still held:
   * one missing was taken by another worker after it ran out, or given back.
   */
  async renewLeases(worker: string, ids: string[], until: number): Promise<string[]> {
    // One statement for the worker's whole batch (a heartbeat renews up to `batch` leases at once).
    const renewed = await matchingAny(this.db, ids, (match, bound) =>
      this.db.all<{ id: string }>(`UPDATE connections SET lease_until = ? WHERE lease_owner = ? AND id ${match} RETURNING id`, [until, worker, ...bound]),
    );
    return renewed.map((r) => r.id);
  }

  async updateConnection(
    id: string,
    patch: Partial<Pick<Connection, 'status' | 'statusReason' | 'changeCursor' | 'nextPollAt' | 'consecutiveFailures' | 'lastSyncAt' | 'appPassword' | 'principalUrl' | 'homeUrl'>>,
  ): Promise<void> {
    const columns: Record<string, string> = {
      status: 'status',
      statusReason: 'status_reason',
      changeCursor: 'change_cursor',
      nextPollAt: 'next_poll_at',
      consecutiveFailures: 'consecutive_failures',
      lastSyncAt: 'last_sync_at',
      appPassword: 'app_password',
      principalUrl: 'principal_url',
      homeUrl: 'home_url',
    };
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${columns[k]} = @${k}`).join(', ');
    await this.db.run(`UPDATE connections SET ${sets} WHERE id = @id`, [{ ...Object.fromEntries(keys.map((k) => [k, patch[k] ?? null])), id }]);
  }

  async deleteConnection(id: string): Promise<void> {
    await this.db.run('DELETE FROM connections WHERE id = ?', [id]);
  }

  // ---- remote calendars ------------------------------------------------------------------------------

  /** Replaces the listing, keeping roles and sync tokens of calendars that are still there. */
  async saveRemoteCalendars(connectionId: string, calendars: Omit<RemoteCalendar, 'connectionId' | 'isLinked' | 'isConflict' | 'syncToken'>[]): Promise<void> {
    const existing = new Map((await this.listRemoteCalendars(connectionId)).map((c) => [c.url, c]));
    await this.db.run('DELETE FROM remote_calendars WHERE connection_id = ?', [connectionId]);
    for (const c of calendars) {
      const old = existing.get(c.url);
      await this.db.run(
        `INSERT INTO remote_calendars (connection_id, url, display_name, components, access, kind, is_linked, is_conflict, shared, sync_token)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [connectionId, c.url, c.displayName, JSON.stringify(c.components), c.access, c.kind, old?.isLinked ? 1 : 0, old?.isConflict ? 1 : 0, c.shared ? 1 : 0, old?.syncToken ?? null],
      );
    }
  }

  async listRemoteCalendars(connectionId: string): Promise<RemoteCalendar[]> {
    return ((await this.db.all('SELECT * FROM remote_calendars WHERE connection_id = ? ORDER BY url', [connectionId])) as Row[]).map(toCalendar);
  }

  /**
   * The calendars as a run starts, and which of its usual reads will find something (RunPlan): each
   * calendar with whether it holds a live followed copy (then it is read whatever its role, D8) and
   * copies the engine wrote that no listing has shown yet (sync-003); one statement, each flag an
   * index probe whatever the calendar's size.
   */
  async planRun(connectionId: string, windowEnd: number): Promise<RunPlan> {
    return (await this.planRuns([{ id: connectionId }], windowEnd))[0]!.plan;
  }

  /**
   * planRun for a batch of connections in one statement, each answered as planRun alone would, in
   * the order given, with the `extra` columns (runPlanSql's) as that connection's row gave them.
   */
  async planRuns(connections: readonly PlanTarget[], windowEnd: number, extra: Readonly<Record<string, string>> = NO_EXTRA): Promise<{ plan: RunPlan; extra: Row }[]> {
    if (connections.length === 0) return [];
    if (new Set(connections.map((c) => c.id)).size !== connections.length) throw new Error('planRuns: a connection is in the batch twice');
    let sql = this.planStatements.get(extra);
    if (!sql) this.planStatements.set(extra, (sql = runPlanSql(this.db.dialect, extra)));
    const rows = (await this.db.all(sql, [windowEnd, planBatch(connections), connections.length])) as Row[];
    const byConnection = new Map<string, Row[]>();
    for (const r of rows) {
      const id = r.plan_connection_id as string;
      const list = byConnection.get(id);
      if (list) list.push(r);
      else byConnection.set(id, [r]);
    }
    return connections.map((c) => {
      const own = byConnection.get(c.id);
      if (!own) return { plan: { calendars: [], pendingPushes: false, objectsDue: false, holdsNothing: true }, extra: {} }; // no such connection
      const plan: RunPlan = {
        calendars: own.filter((r) => r.url != null).map((r) => ({ ...toCalendar(r), holdsFollowed: r.top_followed === 1, holdsUnconfirmed: r.holds_unconfirmed != null })),
        pendingPushes: own[0]!.has_pending != null,
        objectsDue: own[0]!.has_due != null,
        holdsNothing: own[0]!.has_objects == null && own[0]!.has_links == null,
      };
      return { plan, extra: own[0]! };
    });
  }

  async setRoles(connectionId: string, linkedUrl: string | undefined, conflictUrls: string[]): Promise<void> {
    await this.db.run('UPDATE remote_calendars SET is_linked = 0, is_conflict = 0 WHERE connection_id = ?', [connectionId]);
    for (const url of conflictUrls) await this.db.run('UPDATE remote_calendars SET is_conflict = 1 WHERE connection_id = ? AND url = ?', [connectionId, url]);
    if (linkedUrl) await this.db.run('UPDATE remote_calendars SET is_linked = 1, is_conflict = 1 WHERE connection_id = ? AND url = ?', [connectionId, linkedUrl]);
  }

  async setSyncToken(connectionId: string, url: string, token: string | null): Promise<void> {
    await this.db.run('UPDATE remote_calendars SET sync_token = ? WHERE connection_id = ? AND url = ?', [token, connectionId, url]);
  }

  // ---- remote objects ----------------------------------------------------------------------------------

  async getObject(connectionId: string, href: string): Promise<RemoteObjectRow | undefined> {
    const r = (await this.db.get('SELECT * FROM remote_objects WHERE connection_id = ? AND href = ?', [connectionId, href])) as Row | undefined;
    return r && toObject(r);
  }

  /** The rows of many hrefs at once (a listing's worth), by href. */
  async objectsByHref(connectionId: string, hrefs: readonly string[]): Promise<Map<string, RemoteObjectRow>> {
    const rows = await matchingAny(this.db, hrefs, (match, bound) =>
      this.db.all<Row>(plannedEachCall(`SELECT * FROM remote_objects WHERE connection_id = ? AND href ${match}`), [connectionId, ...bound]),
    );
    return new Map(rows.map((r) => [r.href as string, toObject(r)]));
  }

  /** Of these UIDs, those the connection already knows: followed anywhere, or with occurrence links. */
  async knownUids(connectionId: string, uids: readonly string[]): Promise<Set<string>> {
    if (uids.length === 0) return new Set();
    const rows = await this.db.all<{ uid: string }>(KNOWN_UIDS_SQL[this.db.dialect], [JSON.stringify(uids), connectionId, connectionId]);
    return new Set(rows.map((r) => r.uid));
  }

  /** The platform's own copy of appointment `eventId`: the followed copy of its UID. */
  async objectForEvent(connectionId: string, eventId: string): Promise<RemoteObjectRow | undefined> {
    const r = (await this.db.get("SELECT * FROM remote_objects WHERE connection_id = ? AND event_id = ? AND origin = 'platform' AND followed = 1", [connectionId, eventId])) as Row | undefined;
    return r && toObject(r);
  }

  /** The copy of `uid` the engine follows, gone or not (at most one: a unique index says so). */
  async followedObject(connectionId: string, uid: string): Promise<RemoteObjectRow | undefined> {
    const r = (await this.db.get('SELECT * FROM remote_objects WHERE connection_id = ? AND uid = ? AND followed = 1', [connectionId, uid])) as Row | undefined;
    return r && toObject(r);
  }

  /** Live copies of `uid` seen in other calendars than the followed one. */
  async copiesOf(connectionId: string, uid: string): Promise<RemoteObjectRow[]> {
    return ((await this.db.all('SELECT * FROM remote_objects WHERE connection_id = ? AND uid = ? AND followed = 0 AND gone = 0 ORDER BY href', [connectionId, uid])) as Row[]).map(toObject);
  }

  /** The live followed copies in a calendar: what a full listing of it must show. */
  async followedHrefsIn(connectionId: string, calendarUrl: string): Promise<string[]> {
    return ((await this.db.all('SELECT href FROM remote_objects WHERE connection_id = ? AND calendar_url = ? AND followed = 1 AND gone = 0', [connectionId, calendarUrl])) as Row[]).map(
      (r) => r.href as string,
    );
  }

  /** Copies the engine created in a calendar that no listing has shown yet (sync-003). */
  async unconfirmedIn(connectionId: string, calendarUrl: string): Promise<string[]> {
    return ((await this.db.all('SELECT href FROM remote_objects WHERE connection_id = ? AND calendar_url = ? AND unconfirmed = 1 AND gone = 0', [connectionId, calendarUrl])) as Row[]).map(
      (r) => r.href as string,
    );
  }

  /** Followed iCloud events with occurrences that the window now reaches (an index range, D5). */
  async objectsDue(connectionId: string, windowEnd: number): Promise<RemoteObjectRow[]> {
    return ((await this.db.all(OBJECTS_DUE_SQL, [connectionId, windowEnd])) as Row[]).map(toObject);
  }

  async saveObject(o: RemoteObjectRow): Promise<void> {
    await this.saveObjects([o]);
  }

  /** Inserts or replaces many rows, a few statements for any number (a first sync stores thousands). */
  async saveObjects(rows: readonly RemoteObjectRow[]): Promise<void> {
    await insertRows(
      this.db,
      'remote_objects',
      OBJECT_COLUMNS,
      rows.map((o) => [
        o.connectionId,
        o.href,
        o.calendarUrl,
        o.uid,
        o.etag ?? null,
        o.data,
        o.contentHash,
        o.origin,
        o.eventId ?? null,
        o.pushedVersion ?? null,
        o.remoteModified ?? null,
        o.gone ? 1 : 0,
        o.followed ? 1 : 0,
        o.windowDue ?? null,
        o.unconfirmed ? 1 : 0,
      ]),
      `ON CONFLICT (connection_id, href) DO UPDATE SET calendar_url = excluded.calendar_url, uid = excluded.uid, etag = excluded.etag, data = excluded.data,
         content_hash = excluded.content_hash, origin = excluded.origin, event_id = excluded.event_id, pushed_version = excluded.pushed_version,
         remote_modified = excluded.remote_modified, gone = excluded.gone, followed = excluded.followed, window_due = excluded.window_due, unconfirmed = excluded.unconfirmed`,
    );
  }

  async deleteObject(connectionId: string, href: string): Promise<void> {
    await this.db.run('DELETE FROM remote_objects WHERE connection_id = ? AND href = ?', [connectionId, href]);
  }

  // ---- occurrence links -----------------------------------------------------------------------------------

  async linksOf(connectionId: string, uid: string): Promise<InstanceLink[]> {
    return ((await this.db.all('SELECT * FROM occurrence_links WHERE connection_id = ? AND uid = ? ORDER BY recurrence_key', [connectionId, uid])) as Row[]).map(toLink);
  }

  async linkForEvent(connectionId: string, eventId: string): Promise<InstanceLink | undefined> {
    const r = (await this.db.get('SELECT * FROM occurrence_links WHERE connection_id = ? AND event_id = ?', [connectionId, eventId])) as Row | undefined;
    return r && toLink(r);
  }

  async saveLink(l: InstanceLink): Promise<void> {
    await this.saveLinks([l]);
  }

  async saveLinks(links: readonly InstanceLink[]): Promise<void> {
    await insertRows(
      this.db,
      'occurrence_links',
      ['connection_id', 'uid', 'recurrence_key', 'event_id', 'synced_version', 'suppressed'],
      links.map((l) => [l.connectionId, l.uid, l.recurrenceKey, l.eventId, l.syncedVersion, l.suppressed ? 1 : 0]),
      'ON CONFLICT (connection_id, uid, recurrence_key) DO UPDATE SET event_id = excluded.event_id, synced_version = excluded.synced_version, suppressed = excluded.suppressed',
    );
  }

  async deleteLink(connectionId: string, uid: string, recurrenceKey: string): Promise<void> {
    await this.db.run('DELETE FROM occurrence_links WHERE connection_id = ? AND uid = ? AND recurrence_key = ?', [connectionId, uid, recurrenceKey]);
  }

  // ---- pending pushes ----------------------------------------------------------------------------------------

  async addPending(connectionId: string, eventId: string, error: string): Promise<void> {
    await this.db.run(
      `INSERT INTO pending_pushes (connection_id, event_id, attempts, last_error) VALUES (?, ?, 1, ?)
         ON CONFLICT (connection_id, event_id) DO UPDATE SET attempts = pending_pushes.attempts + 1, last_error = excluded.last_error`,
      [connectionId, eventId, error],
    );
  }

  async removePending(connectionId: string, eventId: string): Promise<void> {
    await this.db.run('DELETE FROM pending_pushes WHERE connection_id = ? AND event_id = ?', [connectionId, eventId]);
  }

  async listPending(connectionId: string): Promise<{ eventId: string; attempts: number; lastError: string }[]> {
    return ((await this.db.all('SELECT event_id, attempts, last_error FROM pending_pushes WHERE connection_id = ? ORDER BY event_id', [connectionId])) as Row[]).map((r) => ({
      eventId: r.event_id as string,
      attempts: r.attempts as number,
      lastError: r.last_error as string,
    }));
  }

  // ---- conflicts and runs ----------------------------------------------------------------------------------------

  async recordConflict(c: Omit<ConflictRecord, 'id'>): Promise<ConflictRecord> {
    const row = await this.db.get<{ id: number }>(
      'INSERT INTO conflicts (connection_id, event_id, href, detected_at, winner, platform_modified, icloud_modified, losing_change) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
      [c.connectionId, c.eventId, c.href, c.detectedAt, c.winner, c.platformModified, c.icloudModified ?? null, JSON.stringify(c.losingChange)],
    );
    return { ...c, id: Number(row!.id) };
  }

  async listConflicts(connectionId?: string): Promise<ConflictRecord[]> {
    const rows = (connectionId ? await this.db.all('SELECT * FROM conflicts WHERE connection_id = ? ORDER BY id', [connectionId]) : await this.db.all('SELECT * FROM conflicts ORDER BY id')) as Row[];
    return rows.map((r) => ({
      id: r.id as number,
      connectionId: r.connection_id as string,
      eventId: r.event_id as string,
      href: r.href as string,
      detectedAt: r.detected_at as number,
      winner: r.winner as ConflictRecord['winner'],
      platformModified: r.platform_modified as number,
      icloudModified: opt(r.icloud_modified),
      losingChange: JSON.parse(r.losing_change as string) as Record<string, unknown>,
    }));
  }

  /** finishRuns for one run. */
  async finishRun(connectionId: string, run: Omit<FinishedRun, 'connectionId' | 'release'>, release?: FinishedRun['release']): Promise<void> {
    await this.finishRuns([{ connectionId, ...run, release }]);
  }

  /**
   * Records finished runs (of different connections) in one statement: each report as its
   * connection's last run, the run counters, and, for a worker, its lease given back with the next
   * poll time (only while it still holds it). The runs that did something are also kept in the
   * history, in a second statement. A worker records the runs of a tick in groups (Scheduler).
   */
  async finishRuns(runs: readonly FinishedRun[]): Promise<void> {
    if (runs.length === 0) return;
    if (new Set(runs.map((r) => r.connectionId)).size !== runs.length) throw new Error('finishRuns: a connection is in the batch twice');
    const reports = runs.map((run) => JSON.stringify(run.report));
    const batch = runs.map((run, i) => ({
      id: run.connectionId,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      report: reports[i],
      consecutive_failures: run.consecutiveFailures ?? null,
      last_sync_at: run.lastSyncAt ?? null,
      worker: run.release?.worker ?? null,
      next_poll_at: run.release?.nextPollAt ?? null,
    }));
    await this.db.run(FINISH_RUNS_SQL[this.db.dialect], [JSON.stringify(batch)]);
    const history = runs.flatMap((run, i) => (run.history ? [[run.connectionId, run.startedAt, run.finishedAt, reports[i]]] : []));
    await insertRows(this.db, 'sync_runs', ['connection_id', 'started_at', 'finished_at', 'report'], history);
  }

  /** The connection's last run (recorded by finishRun). */
  async lastRun(connectionId: string): Promise<{ startedAt: number; finishedAt: number; report: unknown } | undefined> {
    const r = (await this.db.get('SELECT last_run_started_at, last_run_finished_at, last_run_report FROM connections WHERE id = ?', [connectionId])) as Row | undefined;
    if (!r || r.last_run_report === null) return undefined;
    return { startedAt: r.last_run_started_at as number, finishedAt: r.last_run_finished_at as number, report: JSON.parse(r.last_run_report as string) as unknown };
  }

  /** The runs that did something (changes, conflicts, skips, errors), newest first. */
  async runHistory(connectionId: string, limit = 50): Promise<{ startedAt: number; finishedAt: number; report: unknown }[]> {
    const rows = (await this.db.all('SELECT started_at, finished_at, report FROM sync_runs WHERE connection_id = ? ORDER BY id DESC LIMIT ?', [connectionId, limit])) as Row[];
    return rows.map((r) => ({ startedAt: r.started_at as number, finishedAt: r.finished_at as number, report: JSON.parse(r.report as string) as unknown }));
  }
}
