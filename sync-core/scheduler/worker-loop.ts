/**
 * A worker's loop (the CLI's `icloud-sync worker`): tick after tick until it is stopped.
 *
 * A tick that fails (the database restarting or unreachable, a batch of run records that could not
 * be written) does not end the worker: it is reported (FailureLog says how often), and tried again
 * after a pause that doubles from `idleMs` up to `maxBackoffMs` (a minute by default). The
 * connections that tick had leased are not given back; their leases run out as a dead worker's
 * would, and any worker may take them then. Stopping (SIGTERM) ends a pause at once, and never a
 * tick half-way: the tick in progress finishes first.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SyncReport } from '../engine/report.js';

export interface WorkerLoop {
  /** One scheduler tick: lease what is due, sync it, record it. */
  tick(): Promise<SyncReport[]>;
  /** Each report of a tick, in the order the tick answered them. */
  report(report: SyncReport): void;
  /** A tick failed, the `failures`-th in a row; the next is tried after `retryInMs`. */
  failed(error: unknown, retryInMs: number, failures: number): void;
  /** A tick succeeded after `failures` failed ones in a row. */
  recovered?(failures: number): void;
  /** Aborted to stop the worker. */
  stop: AbortSignal;
  /** How long to wait: a timer by default (tests pass their own). */
  pause?(ms: number, stop: AbortSignal): Promise<void>;
}

/** The line the first failed round of a run of them is reported with (FailureLog). */
function failedRound(error: unknown, retryInMs: number): string {
  return `a polling round failed (${messageOf(error)}); trying again in ${retryInMs / 1000} s`;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * What a worker says about failed rounds (`watch`, `worker`, Scheduler.start's default): the first
 * failure, then the 2nd, 4th, 8th… of a run of them, and any whose reason differs from the last one
 * said; then one line when a round succeeds again. With the pause capped at a minute, an hour's
 * outage of the database is eight lines instead of sixty, and its end is said.
 */
export class FailureLog {
  private since = 0;
  private lastSaid = '';

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** WorkerLoop.failed (a bound property, so that the loop can be given it as it is). */
  readonly failed = (error: unknown, retryInMs: number, failures: number): void => {
    const reason = messageOf(error);
    if (failures === 1) this.since = this.now();
    const powerOfTwo = (failures & (failures - 1)) === 0;
    if (!powerOfTwo && reason === this.lastSaid) return;
    this.lastSaid = reason;
    this.write(
      failures === 1
        ? failedRound(error, retryInMs)
        : `${failures} polling rounds in a row have failed since ${new Date(this.since).toISOString()}, the last with: ${reason}; trying again in ${retryInMs / 1000} s`,
    );
  };

  /** WorkerLoop.recovered. */
  readonly recovered = (failures: number): void => {
    this.lastSaid = '';
    this.write(`polling works again, after ${failures} failed round${failures === 1 ? '' : 's'} since ${new Date(this.since).toISOString()}`);
  };
}

/** `maxBackoffMs` defaults to a minute, or `idleMs` when that is longer. */
export async function runWorker(loop: WorkerLoop, options: { idleMs: number; maxBackoffMs?: number }): Promise<void> {
  const pause = loop.pause ?? ((ms: number, stop: AbortSignal) => sleep(ms, undefined, { signal: stop }).catch(() => undefined));
  const maxBackoffMs = options.maxBackoffMs ?? Math.max(60_000, options.idleMs);
  let failures = 0;
  while (!loop.stop.aborted) {
    let reports: SyncReport[];
    try {
      reports = await loop.tick();
      if (failures > 0) loop.recovered?.(failures);
      failures = 0;
    } catch (error) {
      failures++;
      const retryInMs = Math.min(maxBackoffMs, options.idleMs * 2 ** (failures - 1));
      loop.failed(error, retryInMs, failures);
      await pause(retryInMs, loop.stop);
      continue;
    }
    for (const report of reports) loop.report(report);
    if (reports.length === 0 && !loop.stop.aborted) await pause(options.idleMs, loop.stop);
  }
}
