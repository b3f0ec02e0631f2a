/**
 * A store from where it lives: a `postgres://` (or `postgresql://`) URL opens the PostgreSQL store,
 * anything else is a SQLite file (or `:memory:`). Every `icloud-sync --db` goes through here.
 */
import type { Clock } from '../../common/clock.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

export async function openStore(location: string, clock: Clock): Promise<Store> {
  return isPostgresUrl(location) ? PostgresStore.open(location, clock) : new SqliteStore(location, clock);
}
