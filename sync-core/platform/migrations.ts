/**
 * Schema of the embedded platform model (sql-platform-records.ts, shared with PostgreSQL). Tables are prefixed `platform_`
 * so they can share one database with the sync state.
 *
 * Query paths (see the EXPLAIN QUERY PLAN tests in sqlite-schema.test.ts):
 *  - listEventsForUser(user, range): `platform_event_users` carries a copy of each event's
 *    start/end and a `live` flag (user still assigned and event not deleted); the partial index
 *    `platform_event_users_live_by_end (user_id, end_ms, start_ms) WHERE live = 1` finds the
 *    user's live events ending after range.start, filtered on start < range.end from the index.
 *    Indexing on end (not start) keeps the scan to the events that have not ended yet, which is
 *    what the sync window and booking ask for, instead of the user's whole history.
 *  - listChangedEvents(user, afterSeq): `platform_event_users` also carries the event's latest
 *    change_seq, indexed as `(user_id, change_seq)`: exactly the user's changes, in order.
 *  - `platform_events.change_seq` is UNIQUE (so indexed) as the global change feed.
 */
import type { Migration } from '../db/database.js';
import { CALENDAR_TYPES, ICLOUD_SYNC_TYPES } from './calendar-types/index.js';

// From the calendar-type policies: the types, and those whose bookings may sync (T2).
const quoted = (types: readonly string[]) => types.map((t) => `'${t}'`).join(', ');
const SYNC_TYPES = quoted(ICLOUD_SYNC_TYPES);
const ALL_TYPES = quoted(CALENDAR_TYPES);

export const PLATFORM_MIGRATIONS: Migration[] = [
  {
    id: 'platform-001',
    sql: `
CREATE TABLE platform_sub_accounts (
  id   TEXT PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE platform_users (
  id             TEXT PRIMARY KEY,
  sub_account_id TEXT NOT NULL REFERENCES platform_sub_accounts(id),
  name           TEXT NOT NULL,
  email          TEXT NOT NULL,
  time_zone      TEXT NOT NULL,
  work_days      TEXT NOT NULL, -- JSON array of ISO weekdays (1 = Monday … 7 = Sunday)
  work_start     TEXT NOT NULL, -- 'HH:MM' local
  work_end       TEXT NOT NULL  -- 'HH:MM' local (may be '24:00')
);
CREATE INDEX platform_users_by_sub_account ON platform_users(sub_account_id, id);

CREATE TABLE platform_contacts (
  id             TEXT PRIMARY KEY,
  sub_account_id TEXT NOT NULL REFERENCES platform_sub_accounts(id),
  name           TEXT NOT NULL,
  email          TEXT,
  phone          TEXT
);
CREATE INDEX platform_contacts_by_sub_account ON platform_contacts(sub_account_id, id);

CREATE TABLE platform_calendars (
  id             TEXT PRIMARY KEY,
  sub_account_id TEXT NOT NULL REFERENCES platform_sub_accounts(id),
  name           TEXT NOT NULL,
  type           TEXT NOT NULL CHECK (type IN (${ALL_TYPES})),
  slot_minutes   INTEGER NOT NULL CHECK (slot_minutes > 0),
  capacity       INTEGER CHECK (capacity IS NULL OR capacity > 0),
  icloud_sync    INTEGER NOT NULL DEFAULT 0 CHECK (icloud_sync IN (0, 1)),
  -- RULES.md T2, enforced by the schema as well as by the store.
  CHECK (icloud_sync = 0 OR type IN (${SYNC_TYPES}))
);
CREATE INDEX platform_calendars_by_sub_account ON platform_calendars(sub_account_id, id);

-- Members in round-robin order (position 0 is the host of class booking / event calendars).
CREATE TABLE platform_calendar_members (
  calendar_id TEXT NOT NULL REFERENCES platform_calendars(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  user_id     TEXT NOT NULL REFERENCES platform_users(id),
  PRIMARY KEY (calendar_id, position),
  UNIQUE (calendar_id, user_id)
) WITHOUT ROWID;
CREATE INDEX platform_calendar_members_by_user ON platform_calendar_members(user_id);

CREATE TABLE platform_events (
  id             TEXT PRIMARY KEY,
  sub_account_id TEXT NOT NULL REFERENCES platform_sub_accounts(id),
  kind           TEXT NOT NULL CHECK (kind IN ('appointment', 'blocked')),
  calendar_id    TEXT REFERENCES platform_calendars(id),
  title          TEXT NOT NULL,
  description    TEXT,
  location       TEXT,
  start_ms       INTEGER NOT NULL,
  end_ms         INTEGER NOT NULL,
  all_day        INTEGER NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
  busy           INTEGER NOT NULL DEFAULT 1 CHECK (busy IN (0, 1)),
  status         TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
  deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  origin         TEXT NOT NULL CHECK (origin IN ('platform', 'icloud')),
  version        INTEGER NOT NULL CHECK (version >= 1),
  updated_at     INTEGER NOT NULL,
  change_seq     INTEGER NOT NULL UNIQUE,
  CHECK (end_ms > start_ms),
  CHECK (kind = 'appointment' OR calendar_id IS NULL)
);
CREATE INDEX platform_events_by_calendar ON platform_events(calendar_id, start_ms) WHERE calendar_id IS NOT NULL;

-- Every user an event has ever been assigned to. active = currently in userIds; live = active and
-- the event is not deleted. start/end/change_seq are copies of the event's, kept in step by the
-- store, so the two per-user event queries are index lookups.
CREATE TABLE platform_event_users (
  event_id   TEXT NOT NULL REFERENCES platform_events(id),
  user_id    TEXT NOT NULL REFERENCES platform_users(id),
  position   INTEGER NOT NULL,
  active     INTEGER NOT NULL CHECK (active IN (0, 1)),
  live       INTEGER NOT NULL CHECK (live IN (0, 1)),
  start_ms   INTEGER NOT NULL,
  end_ms     INTEGER NOT NULL,
  change_seq INTEGER NOT NULL,
  PRIMARY KEY (event_id, user_id)
) WITHOUT ROWID;
CREATE INDEX platform_event_users_live_by_end ON platform_event_users(user_id, end_ms, start_ms) WHERE live = 1;
CREATE INDEX platform_event_users_by_change ON platform_event_users(user_id, change_seq);

CREATE TABLE platform_event_contacts (
  event_id   TEXT NOT NULL REFERENCES platform_events(id),
  contact_id TEXT NOT NULL REFERENCES platform_contacts(id),
  position   INTEGER NOT NULL,
  PRIMARY KEY (event_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX platform_event_contacts_by_contact ON platform_event_contacts(contact_id);

-- The global change counter (one row).
CREATE TABLE platform_state (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  change_seq INTEGER NOT NULL
);
INSERT INTO platform_state (id, change_seq) VALUES (1, 0);

-- Round Robin / Service: position of the member to try first for the next booking (booking.ts).
CREATE TABLE platform_rotation (
  calendar_id   TEXT PRIMARY KEY REFERENCES platform_calendars(id) ON DELETE CASCADE,
  next_position INTEGER NOT NULL
);
`,
  },
];
