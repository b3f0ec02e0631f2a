/**
 * A target: how to start a CalDAV server (or reach one), which profile its cases run under, and
 * the deviations it is known to have.
 */
import type { Deviation, Profile } from '../case.js';
import type { TargetAddress } from '../context.js';
import type { PeerCheck } from '../../peers.js';

export interface RunningTarget {
  address: TargetAddress;
  stop(): Promise<void>;
}

export interface TargetDefinition {
  /** Short key (CLI `--deviations`, test names): `mock-icloud`, `radicale`… */
  key: string;
  /** Human name for describe blocks and tables. */
  name: string;
  profile: Profile;
  deviations: readonly Deviation[];
  /** Starts the server; throws with a clear message when it cannot (e.g. not installed). */
  start(): Promise<RunningTarget>;
  /**
   * For a server that is an outside program: how to tell it is installed and how to get it. The
   * suite skips the target when it is missing, unless REQUIRE_PEERS=1 (conformance/peers.ts).
   */
  peer?: { name: string; check: PeerCheck; howToGet: string };
}
