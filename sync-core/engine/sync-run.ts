/**
 * One sync run for one connection: pull every conflict calendar, then push the platform's changes,
 * then record what happened. Safe to repeat and safe to kill at any point (RULES.md D3): each step
 * commits its platform change and its bookkeeping together, and tokens/cursors only move after the
 * work they cover is done.
 */
import { AuthRefusedError, ServiceUnavailableError } from '../caldav/errors.js';
import type { Clock } from '../../common/clock.js';
import type { Connections } from '../connections/connections.js';
import { SyncError } from '../errors.js';
import type { Connection, FinishedRun } from '../state/sync-state.js';
import type { RunStart, Store } from '../store/store.js';
import type { RunContext } from './context.js';
import { pullAll } from './pull.js';
import { pushChanges } from './push.js';
import { stoppedBy } from './stop-signal.js';
import { emptyReport, isQuiet, type SyncReport } from './report.js';
import { DEFAULT_WINDOW, syncWindow, type WindowConfig } from './window.js';

export interface EngineDeps {
  store: Store;
  clock: Clock;
  connections: Connections;
  window?: WindowConfig;
}

/** How a caller that already holds the connection runs it. */
export interface RunOptions {
  /** The connection as the caller just read it (a worker's lease answer): no second read. */
  connection?: Connection;
  /**
   * A worker's lease on the connection, given back in the statement that records the run, due
   * again at what `nextPollAt` answers from the run's report and the connection's failure count.
   */
  lease?: { worker: string; nextPollAt(run: { report: SyncReport; consecutiveFailures: number; active: boolean; nextPollAt: number }): number };
  /** The run's start as the caller read it with those of the next few runs (Store.startRuns). */
  start?: Promise<RunStart>;
  /** Where the finished run is recorded; by default at once, alone (SyncState.finishRun). */
  recorder?: RunRecorder;
  /**
   * Aborted by a worker that has lost the connection's lease (Scheduler): the run stops at its next
   * call to the store and is recorded as failed with its reason (stop-signal.ts).
   */
  signal?: AbortSignal;
}

/** Records finished runs: a worker's groups them (Scheduler), and answers once the run is accepted. */
export interface RunRecorder {
  record(run: FinishedRun): Promise<void>;
}

export class SyncEngine {
  constructor(private readonly deps: EngineDeps) {}

  /** The starts of these connections' runs, read now for the window as it is now (RunOptions.start). */
  startRuns(connections: readonly Connection[]): Promise<RunStart[]> {
    return this.deps.store.startRuns(connections, syncWindow(this.deps.clock.now(), this.deps.window ?? DEFAULT_WINDOW).end);
  }

  async syncConnection(connectionId: string, options: RunOptions = {}): Promise<SyncReport> {
    const { store, clock, connections } = this.deps;
    const { platform, state } = store;
    const connection = options.connection ?? (await connections.get(connectionId));
    const report = emptyReport(connectionId, clock.now());
    if (connection.status !== 'active') {
      report.outcome = 'skipped';
      report.skipped.push({ reason: `the connection needs reconnecting (${connection.statusReason ?? 'app-specific password refused'}): reconnect it with a new app-specific password` });
      return this.finish(connection, report, { active: false }, options);
    }
    const window = syncWindow(clock.now(), this.deps.window ?? DEFAULT_WINDOW);
    let start: RunStart;
    try {
      // The user, the plan and the change-feed probe: one statement on a SQL store (a worker's
      // reads the next few runs' at once).
      start = await (options.start ?? store.startRuns([connection], window.end).then(([only]) => only!));
    } catch (error) {
      return this.failed(connection, report, error, options);
    }
    const user = start.user;
    if (!user) throw new SyncError('not-found', `user ${connection.userId} of connection ${connectionId} no longer exists`);
    try {
      const { calendars, holdsNothing, ...flags } = start.plan;
      const plan = { ...flags, platformChanges: start.platformChanges };
      const { signal } = options;
      const [runStore, runPlatform, runState] = signal ? [stoppedBy(store, signal), stoppedBy(platform, signal), stoppedBy(state, signal)] : [store, platform, state];
      const ctx: RunContext = {
        store: runStore,
        platform: runPlatform,
        state: runState,
        clock,
        client: connections.client(connection, signal),
        connection,
        user,
        window,
        plan,
        report,
        ownWrites: new Map(),
      };
      if (holdsNothing) ctx.importedUids = new Set();
      await pullAll(ctx, calendars);
      // The pull may have re-read the calendar list (looking for a moved event).
      await pushChanges(ctx, ctx.calendarsReread ? await ctx.state.listRemoteCalendars(connectionId) : calendars);
      report.outcome = report.errors.length > 0 || report.skipped.some((s) => s.href && !s.eventId) ? 'partial' : 'ok';
      return await this.finish(connection, report, { active: true, consecutiveFailures: 0, lastSyncAt: clock.now() }, options);
    } catch (error) {
      return this.failed(connection, report, error, options);
    }
  }

  /** A run that stopped on `error`: recorded as failed, the connection stopped if iCloud refused the password (C1). */
  private async failed(connection: Connection, report: SyncReport, error: unknown, options: RunOptions): Promise<SyncReport> {
    report.outcome = 'failed';
    let active = true;
    if (error instanceof AuthRefusedError) {
      // C1: a revoked password stops the connection; nothing is deleted anywhere.
      await this.deps.connections.markReconnectRequired(connection.id, error.message);
      active = false;
      report.errors.push({ phase: 'run', code: 'auth-refused', message: error.message });
    } else if (error instanceof ServiceUnavailableError) {
      report.retryAfterMs = error.retryAfterMs;
      report.errors.push({ phase: 'run', code: 'icloud-unavailable', message: error.message });
    } else if (error instanceof SyncError) {
      // A stored password the secret key cannot open, for one: the operator's to fix, not the user's.
      report.errors.push({ phase: 'run', code: error.code, message: error.message });
      // Another worker holds the connection now: not a failure of the connection, no backoff.
      if (error.code === 'lease-lost') return this.finish(connection, report, { active }, options);
    } else {
      report.errors.push({ phase: 'run', message: error instanceof Error ? error.message : String(error) });
    }
    return this.finish(connection, report, { active, consecutiveFailures: connection.consecutiveFailures + 1 }, options);
  }

  /** Records the run, its counters and (for a worker) the lease given back (one statement, or a share of one). */
  private async finish(connection: Connection, report: SyncReport, after: { active: boolean; consecutiveFailures?: number; lastSyncAt?: number }, options: RunOptions): Promise<SyncReport> {
    report.finishedAt = this.deps.clock.now();
    const failures = after.consecutiveFailures ?? connection.consecutiveFailures;
    const release = options.lease && {
      worker: options.lease.worker,
      nextPollAt: options.lease.nextPollAt({ report, consecutiveFailures: failures, active: after.active, nextPollAt: connection.nextPollAt }),
    };
    const run: FinishedRun = {
      connectionId: report.connectionId,
      startedAt: report.startedAt,
      finishedAt: report.finishedAt,
      report,
      consecutiveFailures: after.consecutiveFailures,
      lastSyncAt: after.lastSyncAt,
      history: !isQuiet(report),
      release,
    };
    await (options.recorder ? options.recorder.record(run) : this.deps.store.state.finishRuns([run]));
    return report;
  }
}
