/**
 * The embedded store: SQLite through better-sqlite3 (db/sql.ts), one file (or `:memory:`) holding
 * the platform model and the sync state, so one SQLite transaction covers both (D3).
 */
import type { Clock } from '../../common/clock.js';
import { ID_MIGRATION, openDatabase } from '../db/database.js';
import { SqliteDb } from '../db/sql.js';
import { PLATFORM_MIGRATIONS } from '../platform/migrations.js';
import { SYNC_STATE_MIGRATIONS } from '../state/migrations.js';
import { SqlStore } from './sql-store.js';

export const SQLITE_MIGRATIONS = [ID_MIGRATION, ...PLATFORM_MIGRATIONS, ...SYNC_STATE_MIGRATIONS];

export class SqliteStore extends SqlStore<SqliteDb> {
  /** Opens the database at `path` (a file, or `:memory:`), creating and migrating it, synchronously. */
  constructor(path: string, clock: Clock) {
    super('sqlite', new SqliteDb(openDatabase(path, SQLITE_MIGRATIONS)), clock);
  }
}
