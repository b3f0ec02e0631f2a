/**
 * Everything one sync run works with, passed to the pull and push steps.
 */
import type { CalDavClient } from '../caldav/client.js';
import type { Clock } from '../../common/clock.js';
import type { User } from '../platform/model.js';
import type { Connection, RunPlan } from '../state/sync-state.js';
import type { PlatformRepository, StoreTx, SyncStateRepository } from '../store/store.js';
import type { SyncReport } from './report.js';

export interface RunContext {
  /** `store.transaction(fn)`: a platform change and its bookkeeping, together (D3). */
  store: StoreTx;
  platform: PlatformRepository;
  state: SyncStateRepository;
  clock: Clock;
  client: CalDavClient;
  connection: Connection;
  user: User;
  window: { start: number; end: number };
  report: SyncReport;
  /**
   * Whether the run's usual reads will find anything (RunPlan), and whether the platform's change
   * feed held anything for the user as the run started (RunStart).
   */
  plan: Pick<RunPlan, 'pendingPushes' | 'objectsDue'> & { platformChanges: boolean };
  /**
   * The UIDs this run has imported, while they are all the connection knows: set when it held
   * nothing as the run started (a first sync), dropped by the first write outside the bulk import
   * (applyRemoteObject, a deletion). newEventsAmong then answers knownUids from it, without a
   * statement per downloaded page. Any other path that writes objects or links during the pull
   * must drop it too.
   */
  importedUids?: Set<string>;
  /** The account's calendar list was re-read from iCloud during this run (identity.ts). */
  calendarsReread?: boolean;
  /**
   * Platform events this run's pull wrote, with the version it left them at. Their entries in the
   * change feed are the pull's own decisions (D1, D2): the push step passes over them unread.
   */
  ownWrites: Map<string, number>;
}
