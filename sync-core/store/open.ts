/**
 * A store from where it lives: a `postgres://` (or `postgresql://`) URL opens the PostgreSQL store,
 * anything else is a SQLite file (or `:memory:`). Every `icloud-sync --db` goes through here.
 */
import type { Clock } from '../../common/clock.js';
import { SyncError } from '../errors.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * The store at `location`. A database that cannot be opened (a PostgreSQL that does not answer or
 * refuses the login, a SQLite path in a missing directory, a file that is not a database) is a
 * SyncError `database-unavailable` naming it, its password left out, and the driver's reason.
 */
export async function openStore(location: string, clock: Clock): Promise<Store> {
  try {
    return isPostgresUrl(location) ? await PostgresStore.open(location, clock) : new SqliteStore(location, clock);
  } catch (error) {
    throw new SyncError('database-unavailable', `cannot open the database ${shownLocation(location)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** `location` as it may be shown: a URL's user and password are left out (`postgres://…@host/db`); a file path as it is. */
export function shownLocation(location: string): string {
  return isPostgresUrl(location) ? location.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1…@') : location;
}
