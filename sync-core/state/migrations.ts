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
];
