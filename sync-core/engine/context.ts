/**
 * Everything one sync run works with, passed to the pull and push steps.
 */
import type { CalDavClient } from '../caldav/client.js';
import type { Clock } from '../../common/clock.js';
import type { PlatformStore } from '../platform/store.js';
import type { User } from '../platform/model.js';
import type { Connection, SyncState } from '../state/sync-state.js';
import type { SyncReport } from './report.js';

export interface RunContext {
  platform: PlatformStore;
  state: SyncState;
  clock: Clock;
  client: CalDavClient;
  connection: Connection;
  user: User;
  window: { start: number; end: number };
  report: SyncReport;
  /** The account's calendar list was re-read from iCloud during this run (identity.ts). */
  calendarsReread?: boolean;
}
