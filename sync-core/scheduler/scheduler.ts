/**
 * Polling every active connection (RULES.md D5: every 5 minutes with jitter; iCloud has no push).
 *
 * - Bounded concurrency: at most `concurrency` connections sync at once, so one slow or failing
 *   connection never stalls the others.
 * - Jitter from a seeded generator, so runs are reproducible in tests and replays.
 * - On 503/429: wait at least what Retry-After says, with exponential backoff on repeated failures.
 * - Connections needing reconnect are not polled at all (C1).
 */
import { seededRandom } from '../../common/random.js';
import type { Clock } from '../../common/clock.js';
import type { SyncEngine } from '../engine/sync-run.js';
import { SyncError } from '../errors.js';
import type { SyncReport } from '../engine/report.js';
import type { Store } from '../store/store.js';
import { GroupedRecorder, RunStarts } from './run-batches.js';
import { FailureLog, runWorker, type WorkerLoop } from './worker-loop.js';

export interface SchedulerOptions {
  intervalMs?: number;
  jitterMs?: number;
  concurrency?: number;
  /** First retry delay after a failure; doubles per consecutive failure up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  seed?: number;
  /** Who holds the leases this scheduler takes (default: this process). */
  workerId?: string;
  /** How long a lease lasts before another worker may take the connection (renewed while syncing). */
  leaseMs?: number;
  /** How many runs' starts are read, and finished runs recorded, in one statement (run-batches.ts). */
  batchSize?: number;
  /** How long a finished run waits for others to be recorded with, at most (run-batches.ts). */
  recordDelayMs?: number;
}

export const DEFAULT_SCHEDULE = {
  intervalMs: 5 * 60_000,
  jitterMs: 60_000,
  concurrency: 4,
  backoffMs: 30_000,
  maxBackoffMs: 60 * 60_000,
  seed: 1,
  workerId: `worker-${process.pid}`,
  leaseMs: 10 * 60_000,
  batchSize: 16,
  recordDelayMs: 100,
};

export class Scheduler {
  private readonly options: Required<SchedulerOptions>;
  private random: () => number;
  private background: { stopping: AbortController; done: Promise<void> } | undefined;

  constructor(
    private readonly deps: { engine: SyncEngine; store: Store; clock: Clock },
    options: SchedulerOptions = {},
  ) {
    this.options = { ...DEFAULT_SCHEDULE, ...options };
    this.random = seededRandom(this.options.seed);
  }

  /**
   * Leases the connections that are due now (at most `limit`; default all), syncs them, and gives
   * each back with its next poll time; resolves when all of them finished and were recorded. The
   * runs' starts are read and their records written `batchSize` at a time. Leases keep two
   * workers sharing a database from syncing one connection at once: while the syncs run, a
   * heartbeat renews them; a worker that dies stops renewing, and its connections are taken over
   * when the lease runs out.
   */
  async tick(options: { limit?: number } = {}): Promise<SyncReport[]> {
    const { state } = this.deps.store;
    const { workerId, leaseMs, batchSize } = this.options;
    const due = await state.leaseDueConnections(workerId, this.deps.clock.now(), this.deps.clock.now() + leaseMs, options.limit ?? Number.MAX_SAFE_INTEGER);
    // A lease is held until its run is recorded (given back in the same statement).
    const held = new Set(due.map((c) => c.id));
    // The runs under way, each stopped if its lease turns out to be lost (another worker took the
    // connection after the lease ran out: this worker was frozen, or cut off from the database).
    // A connection whose lease is lost before its run starts is not started at all.
    const running = new Map<string, AbortController>();
    const lost = new Set<string>();
    const renew = async () => {
      const asked = [...held];
      const kept = new Set(await state.renewLeases(workerId, asked, this.deps.clock.now() + leaseMs));
      for (const id of asked) {
        if (kept.has(id) || !held.has(id)) continue; // renewed, or recorded (given back) meanwhile
        lost.add(id);
        held.delete(id);
        running.get(id)?.abort(new SyncError('lease-lost', `worker ${workerId} lost its lease on ${id} (it ran out, and another worker may be syncing it): this run stopped`));
      }
    };
    const heartbeat = setInterval(() => void renew().catch(() => undefined), Math.max(50, leaseMs / 3));
    const starts = new RunStarts(due, batchSize, (batch) => this.deps.engine.startRuns(batch));
    const recorder = new GroupedRecorder((runs) => state.finishRuns(runs), {
      size: batchSize,
      maxDelayMs: this.options.recordDelayMs,
      recorded: (runs) => runs.forEach((run) => held.delete(run.connectionId)),
    });
    const lease = { worker: workerId, nextPollAt: (run: Parameters<typeof this.nextPoll>[0]) => this.nextPoll(run) };
    const reports: SyncReport[] = [];
    // A run that throws (its record refused, its user gone) stops the tick from starting more; the
    // runs under way finish and are recorded before the tick fails with the first error. The
    // connections not started keep their leases until they run out.
    let failure: { error: unknown } | undefined;
    let next = 0;
    const worker = async () => {
      while (next < due.length && !failure) {
        const index = next++;
        const connection = due[index]!;
        if (lost.has(connection.id)) continue;
        const stop = new AbortController();
        running.set(connection.id, stop);
        try {
          reports.push(await this.deps.engine.syncConnection(connection.id, { connection, lease, start: starts.startOf(index), recorder, signal: stop.signal }));
        } catch (error) {
          failure ??= { error };
        } finally {
          running.delete(connection.id);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.options.concurrency, due.length) }, worker));
      await recorder.settle().catch((error: unknown) => void (failure ??= { error }));
    } finally {
      clearInterval(heartbeat);
    }
    if (failure) throw failure.error;
    return reports.sort((a, b) => a.connectionId.localeCompare(b.connectionId));
  }

  /** When a connection should be polled next, from how its run went (its lease is given back with it). */
  private nextPoll(run: { report: SyncReport; consecutiveFailures: number; active: boolean; nextPollAt: number }): number {
    const now = this.deps.clock.now();
    if (!run.active) return run.nextPollAt; // not polled until reconnected (C1)
    if (run.report.outcome !== 'failed') return now + this.regularDelay();
    const backoff = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** Math.max(0, run.consecutiveFailures - 1));
    return now + Math.max(backoff, run.report.retryAfterMs ?? 0);
  }

  /** The 5-minute cadence with its jitter. */
  private regularDelay(): number {
    return this.options.intervalMs + Math.floor(this.random() * this.options.jitterMs);
  }

  /**
   * Keeps polling in the background until stop(): a tick, and the next one `everyMs` after a tick
   * that found nothing due (at once after one that did). A tick that fails is given to `onError`
   * (by default FailureLog's lines on stderr) and tried again after a pause that doubles up to a
   * minute (worker-loop.ts): the embedding process neither crashes on it nor stops polling.
   */
  start(everyMs = 15_000, onError?: (error: unknown, retryInMs: number) => void): void {
    if (this.background) return;
    const stopping = new AbortController();
    // The caller's onError hears every failure; by default FailureLog says what is worth a line.
    const failures: Pick<WorkerLoop, 'failed' | 'recovered'> = onError ? { failed: onError } : new FailureLog((line) => process.stderr.write(`icloud-sync: ${line}\n`));
    const done = runWorker({ tick: () => this.tick(), report: () => undefined, failed: failures.failed, recovered: failures.recovered, stop: stopping.signal }, { idleMs: everyMs });
    this.background = { stopping, done };
  }

  /** Stops polling in the background; resolves once the tick in progress, if any, has finished. */
  async stop(): Promise<void> {
    const background = this.background;
    this.background = undefined;
    background?.stopping.abort();
    await background?.done;
  }
}
