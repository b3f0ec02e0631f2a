/**
 * Sync-state tables, in the same database as the platform model so one transaction covers a
 * platform change and the bookkeeping that says it was synced (RULES.md D3).
 */
import type { Migration } from '../db/database.js';

export const SYNC_STATE_MIGRATIONS: Migration[] = [
  {
    id: 'sync-001',
    sql: `
CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  sub_account_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  apple_id TEXT NOT NULL,
  -- Kept for polling; a production embedding should keep it in its secret store instead.
  app_password TEXT NOT NULL,
  server_url TEXT NOT NULL,
  principal_url TEXT NOT NULL,
  home_url TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'reconnect_required')),
  status_reason TEXT,
  change_cursor INTEGER NOT NULL DEFAULT 0,
  next_poll_at INTEGER NOT NULL DEFAULT 0,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_sync_at INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE (sub_account_id, user_id)
);
CREATE INDEX connections_apple_id ON connections (apple_id);
CREATE INDEX connections_due ON connections (status, next_poll_at);

CREATE TABLE remote_calendars (
  connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  display_name TEXT NOT NULL,
  components TEXT NOT NULL,
  access TEXT NOT NULL CHECK (access IN ('writable', 'read-only', 'subscribed')),
  kind TEXT NOT NULL,
  is_linked INTEGER NOT NULL DEFAULT 0,
  is_conflict INTEGER NOT NULL DEFAULT 0,
  sync_token TEXT,
  PRIMARY KEY (connection_id, url)
);

-- What we know of each iCloud resource we have seen or written.
CREATE TABLE remote_objects (
  connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  href TEXT NOT NULL,
  calendar_url TEXT NOT NULL,
  uid TEXT NOT NULL,
  etag TEXT,
  data TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('platform', 'icloud')),
  -- platform origin: the appointment this resource shows, and its version last written
  event_id TEXT,
  pushed_version INTEGER,
  remote_modified INTEGER,
  -- deleted in iCloud: remembered, never propagated (I4)
  gone INTEGER NOT NULL DEFAULT 0,
  -- the sync window the occurrences were materialised for (D5)
  window_start INTEGER,
  window_end INTEGER,
  PRIMARY KEY (connection_id, href)
);
CREATE INDEX remote_objects_event ON remote_objects (connection_id, event_id);
CREATE INDEX remote_objects_uid ON remote_objects (connection_id, uid);
-- recurring iCloud events whose occurrences were expanded for an older window (D5)
CREATE INDEX remote_objects_window ON remote_objects (connection_id, calendar_url, window_start) WHERE window_start IS NOT NULL;

-- iCloud occurrence → platform blocked slot.
CREATE TABLE instance_links (
  connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  href TEXT NOT NULL,
  recurrence_key TEXT NOT NULL,
  event_id TEXT NOT NULL,
  synced_version INTEGER NOT NULL,
  -- the platform deleted the slot but iCloud could not be changed: do not recreate it
  suppressed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (connection_id, href, recurrence_key)
);
CREATE UNIQUE INDEX instance_links_event ON instance_links (connection_id, event_id);

-- Platform events whose push failed and must be retried (the change cursor moved past them).
CREATE TABLE pending_pushes (
  connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  PRIMARY KEY (connection_id, event_id)
);

-- D1: both sides changed; the loser is kept here, never silently dropped.
CREATE TABLE conflicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  connection_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  href TEXT NOT NULL,
  detected_at INTEGER NOT NULL,
  winner TEXT NOT NULL CHECK (winner IN ('platform', 'icloud')),
  platform_modified INTEGER NOT NULL,
  icloud_modified INTEGER,
  losing_change TEXT NOT NULL
);

CREATE TABLE sync_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  connection_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  report TEXT NOT NULL
);
CREATE INDEX sync_runs_connection ON sync_runs (connection_id, id);
`,
  },
  {
    // How the engine identifies an event (sync-core/README.md, "Identity"): one followed copy per
    // UID, copies seen elsewhere kept apart, occurrences linked by UID (D8, D9), and a due time at
    // which an event enters the moving window (D5, D6).
    id: 'sync-002',
    sql: `
-- CS:shared in the resource type: a calendar another account shares with this one.
ALTER TABLE remote_calendars ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;

-- 1: the copy of its UID the engine follows; 0: a copy of the same event seen in another calendar.
ALTER TABLE remote_objects ADD COLUMN followed INTEGER NOT NULL DEFAULT 1;
-- The window end past which this event has occurrences not yet materialised (NULL: none).
ALTER TABLE remote_objects ADD COLUMN window_due INTEGER;
DROP INDEX remote_objects_window;
ALTER TABLE remote_objects DROP COLUMN window_start;
ALTER TABLE remote_objects DROP COLUMN window_end;
-- Re-read every imported event once under the new bookkeeping (no network: from stored data).
UPDATE remote_objects SET window_due = 0 WHERE origin = 'icloud' AND gone = 0;
-- Older versions could record two copies of one UID as the platform's own: keep the first.
UPDATE remote_objects SET followed = 0
  WHERE rowid NOT IN (SELECT MIN(rowid) FROM remote_objects GROUP BY connection_id, uid);
CREATE UNIQUE INDEX remote_objects_followed ON remote_objects (connection_id, uid) WHERE followed = 1;
CREATE INDEX remote_objects_due ON remote_objects (connection_id, window_due) WHERE window_due IS NOT NULL;
CREATE INDEX remote_objects_calendar ON remote_objects (connection_id, calendar_url, followed);

-- iCloud occurrence (UID + recurrence key) → platform blocked slot: one slot per occurrence of an
-- event, however many calendars show it (D9).
CREATE TABLE occurrence_links (
  connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  uid TEXT NOT NULL,
  recurrence_key TEXT NOT NULL,
  event_id TEXT NOT NULL,
  synced_version INTEGER NOT NULL,
  -- the platform deleted the slot but iCloud could not be changed: do not recreate it
  suppressed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (connection_id, uid, recurrence_key)
);
INSERT OR IGNORE INTO occurrence_links (connection_id, uid, recurrence_key, event_id, synced_version, suppressed)
  SELECT l.connection_id, o.uid, l.recurrence_key, l.event_id, l.synced_version, l.suppressed
  FROM instance_links l JOIN remote_objects o ON o.connection_id = l.connection_id AND o.href = l.href;
DROP TABLE instance_links;
CREATE UNIQUE INDEX occurrence_links_event ON occurrence_links (connection_id, event_id);
`,
  },
  {
    // RFC 6578 lets a server leave out a member created and deleted since the client's token. A copy
    // the engine created after a calendar's token is "unconfirmed" until a listing shows it; one
    // the next listing does not show was deleted (pull.ts).
    id: 'sync-003',
    sql: `ALTER TABLE remote_objects ADD COLUMN unconfirmed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX remote_objects_unconfirmed ON remote_objects (connection_id, calendar_url) WHERE unconfirmed = 1;`,
  },
  {
    // Many workers share a database: a worker leases the connections it syncs, until lease_until
    // (renewed while it works); a lease that ran out (its worker died) is free for another.
    id: 'sync-004',
    sql: `ALTER TABLE connections ADD COLUMN lease_owner TEXT;
ALTER TABLE connections ADD COLUMN lease_until INTEGER;`,
  },
  {
    // The last run's report lives on its connection (written with the run's other bookkeeping in
    // one statement); sync_runs keeps the history of runs that did something, not every quiet poll
    // (288 a day per connection at a 5-minute cadence).
    id: 'sync-005',
    sql: `ALTER TABLE connections ADD COLUMN last_run_started_at INTEGER;
ALTER TABLE connections ADD COLUMN last_run_finished_at INTEGER;
ALTER TABLE connections ADD COLUMN last_run_report TEXT;`,
  },
];
