/**
 * Everything one scenario's steps and expectations reach while it runs, by the short keys the
 * scenario gave (alice, carla, massage, appt1).
 */
import type { RunningMockICloud } from '../../mock-icloud/index.js';
import type { FixedClock } from '../../common/clock.js';
import type { SyncReport } from '../../sync-core/engine/report.js';
import type { PlatformCalendar, User } from '../../sync-core/platform/model.js';
import type { SyncCore } from '../../sync-core/sync-core.js';
import type { Scenario } from './schema.js';
import type { StateSnapshot } from './snapshot.js';

export interface ScenarioRun {
  scenario: Scenario;
  mock: RunningMockICloud;
  core: SyncCore;
  clock: FixedClock;
  subAccounts: Map<string, string>;
  users: Map<string, User>;
  contacts: Map<string, string>;
  calendars: Map<string, PlatformCalendar>;
  /** Platform event keys: `as:` of book and blockTime, and nameSlot. */
  events: Map<string, string>;
  connections: Map<string, string>;
  reports: Map<string, SyncReport>;
  lastSync: { user?: string; journalFrom: number; journalTo: number };
  /** User keys whose connections the last `poll` step synced, in connection order. */
  lastPoll?: string[];
  /** The run dies before sending request N+1 (`sync: { interruptAfterRequests: N }`). */
  interruptAfter?: number;
  /** The run dies after iCloud served request N but before its answer arrives (`sync: { loseAnswerOf: N }`). */
  loseAnswerOf?: number;
  requests: number;
  /** `snapshot: { as }` states, for `expect: { sameAs }`. */
  snapshots: Map<string, StateSnapshot>;
}
