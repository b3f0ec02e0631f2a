/**
 * The engine's storage, as Promise-based interfaces with several implementations behind them
 * (Azurite's pattern): SQLite embedded by default (sqlite-store.ts), PostgreSQL for many workers
 * (postgres-store.ts). Every implementation passes the same contract suite (contract.ts).
 *
 * The platform's rules (validation, calendar-type policies, versions, tombstones) are not the
 * stores' business: PlatformService (platform/platform-service.ts) holds them once, and a store
 * supplies only persistence, PlatformRecords (platform/records.ts).
 *
 * One unit of work: `transaction(fn)` commits a platform change and the sync bookkeeping that says
 * it was synced together, or neither (RULES.md D3 rests on it). Every repository call made while
 * `fn` runs (in its async context) belongs to that transaction, and a `transaction` call inside it
 * joins it, so engine code reads the same whether or not it is inside one.
 */
import type { PlatformStore as SyncPlatformStore } from '../platform/store.js';
import type { BookingSupport } from '../platform/booking.js';
import type { User } from '../platform/model.js';
import type { Connection, RunPlan, SyncState } from '../state/sync-state.js';

/** Every method of T, answering with a Promise. */
export type Asyncify<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** The platform model: sub-accounts, users, contacts, calendars, appointments and blocked slots. */
export type PlatformRepository = Asyncify<Omit<SyncPlatformStore, 'transaction'> & BookingSupport>;

/** The sync state: connections, remote calendars and objects, occurrence links, conflicts, runs. */
export type SyncStateRepository = Asyncify<SyncState>;

export interface StoreTx {
  readonly platform: PlatformRepository;
  readonly state: SyncStateRepository;
  /** Runs `fn` in this store's transaction: all of its writes happen, or none. Nested calls join. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
}

/**
 * What a run starts from, read at once: the connection's user, its plan (RunPlan), and whether the
 * platform's change feed holds anything for the user after the connection's cursor.
 */
export interface RunStart {
  user: User | undefined;
  plan: RunPlan;
  /** listChangedEvents(user, changeCursor) would answer something now. */
  platformChanges: boolean;
}

export interface Store extends StoreTx {
  /** `sqlite` or `postgres`, for messages and skip lists. */
  readonly kind: string;
  /**
   * The reads every run begins with (getUser, planRun, and a probe of the change feed), as their
   * separate calls would answer them, for a batch of connections at once, in the order given. A
   * quiet poll is mostly round trips to the database: a SQL store answers a batch in one statement.
   */
  startRuns(connections: readonly Pick<Connection, 'id' | 'userId' | 'changeCursor'>[], windowEnd: number): Promise<RunStart[]>;
  /** A new id with a prefix (`icl_000001`): deterministic per database, unique across restarts. */
  newId(prefix: string): Promise<string>;
  close(): Promise<void>;
}
