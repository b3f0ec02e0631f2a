/**
 * The PostgreSQL schema: the same tables as the SQLite migrations (platform/migrations.ts,
 * state/migrations.ts, db/database.ts), translated once: epoch milliseconds and counters are
 * BIGINT, row ids are identity columns, and the history of SQLite's later migrations (sync-002,
 * sync-003) is folded into the shape it ends with, since a Postgres database starts from it.
 */
import { ID_MIGRATION } from '../../db/database.js';
import type { Migration } from '../../db/sql.js';
import { PLATFORM_MIGRATIONS } from '../../platform/migrations.js';
import { SYNC_STATE_MIGRATIONS } from '../../state/migrations.js';
import { statementKeysSql } from './statement-keys.js';

/** SQLite DDL → PostgreSQL DDL for the statements these migrations use. */
function translate(sql: string): string {
  return sql
    .replace(/\bINTEGER PRIMARY KEY AUTOINCREMENT\b/g, 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY')
    .replace(/\bINTEGER\b/g, 'BIGINT')
    .replace(/\)\s*WITHOUT ROWID;/g, ');');
}

const [platform] = PLATFORM_MIGRATIONS;
const [syncBase] = SYNC_STATE_MIGRATIONS;

export const POSTGRES_MIGRATIONS: Migration[] = [
  { id: 'pg-ids-001', sql: translate(ID_MIGRATION.sql) },
  { id: 'pg-platform-001', sql: translate(platform!.sql) },
  {
    id: 'pg-sync-001',
    sql:
      translate(syncBase!.sql) +
      `
ALTER TABLE remote_calendars ADD COLUMN shared BIGINT NOT NULL DEFAULT 0;
ALTER TABLE remote_objects ADD COLUMN followed BIGINT NOT NULL DEFAULT 1;
ALTER TABLE remote_objects ADD COLUMN window_due BIGINT;
ALTER TABLE remote_objects ADD COLUMN unconfirmed BIGINT NOT NULL DEFAULT 0;
DROP INDEX remote_objects_window;
ALTER TABLE remote_objects DROP COLUMN window_start;
ALTER TABLE remote_objects DROP COLUMN window_end;
CREATE UNIQUE INDEX remote_objects_followed ON remote_objects (connection_id, uid) WHERE followed = 1;
CREATE INDEX remote_objects_due ON remote_objects (connection_id, window_due) WHERE window_due IS NOT NULL;
CREATE INDEX remote_objects_calendar ON remote_objects (connection_id, calendar_url, followed);
CREATE INDEX remote_objects_unconfirmed ON remote_objects (connection_id, calendar_url) WHERE unconfirmed = 1;
DROP TABLE instance_links;
CREATE TABLE occurrence_links (
  connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  uid TEXT NOT NULL,
  recurrence_key TEXT NOT NULL,
  event_id TEXT NOT NULL,
  synced_version BIGINT NOT NULL,
  suppressed BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (connection_id, uid, recurrence_key)
);
CREATE UNIQUE INDEX occurrence_links_event ON occurrence_links (connection_id, event_id);
`,
  },
  {
    id: 'pg-sync-002',
    sql: `ALTER TABLE connections ADD COLUMN lease_owner TEXT;
ALTER TABLE connections ADD COLUMN lease_until BIGINT;`,
  },
  {
    // As sync-005: the last run on its connection, history only for runs that did something.
    id: 'pg-sync-003',
    sql: `ALTER TABLE connections ADD COLUMN last_run_started_at BIGINT;
ALTER TABLE connections ADD COLUMN last_run_finished_at BIGINT;
ALTER TABLE connections ADD COLUMN last_run_report TEXT;`,
  },
  {
    // The foreign keys a first sync writes five times per event, checked once per statement
    // (statement-keys.ts): they were 30% of PostgreSQL's CPU for the import.
    id: 'pg-keys-001',
    sql: statementKeysSql(),
  },
];
