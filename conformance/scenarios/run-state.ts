/**
 * Everything one scenario's steps and expectations reach while it runs: the engine under test
 * (through its driver only), the mock iCloud, the scenario's clock, and the engine's ids by the
 * short keys the scenario gave (alice, carla, massage, appt1).
 */
import type { FixedClock } from '../../common/clock.js';
import type { RunningMockICloud } from '../../mock-icloud/index.js';
import type { DriverCalendar, SyncEngineDriver, SyncRunReport } from '../driver/driver.js';
import type { Scenario } from './schema.js';
import type { StateSnapshot } from './snapshot.js';

export interface ScenarioUser {
  id: string;
  subAccountId: string;
  name: string;
}

export interface ScenarioRun {
  scenario: Scenario;
  mock: RunningMockICloud;
  driver: SyncEngineDriver;
  /** The scenario's time; the clock step moves it, the engine's and the mock's together. */
  clock: FixedClock;
  subAccounts: Map<string, string>;
  users: Map<string, ScenarioUser>;
  contacts: Map<string, string>;
  calendars: Map<string, DriverCalendar>;
  /** Platform event keys: `as:` of book and blockTime, and nameSlot. */
  events: Map<string, string>;
  connections: Map<string, string>;
  reports: Map<string, SyncRunReport>;
  lastSync: { user?: string; journalFrom: number; journalTo: number };
  /** User keys whose connections the last `poll` step synced, in connection order. */
  lastPoll?: string[];
  /** `snapshot: { as }` states, for `expect: { sameAs }`. */
  snapshots: Map<string, StateSnapshot>;
}
