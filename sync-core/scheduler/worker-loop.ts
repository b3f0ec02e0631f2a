/**
 * A worker's loop (the CLI's `icloud-sync worker`): tick after tick until it is stopped.
 *
 * A tick that fails (the database restarting or unreachable, a batch of run records that could not
 * be written) does not end the worker: it is reported, and tried again after a pause that doubles
 * from `idleMs` up to `maxBackoffMs` (a minute by default). The connections that tick had leased are not given back; their
 * leases run out as a dead worker's would, and any worker may take them then. Stopping (SIGTERM)
 * ends a pause at once, and never a tick half-way: the tick in progress finishes first.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SyncReport } from '../engine/report.js';

export interface WorkerLoop {
  /** One scheduler tick: lease what is due, sync it, record it. */
  tick(): Promise<SyncReport[]>;
  /** Each report of a tick, in the order the tick answered them. */
  report(report: SyncReport): void;
  /** A tick failed; the next is tried after `retryInMs`. */
  failed(error: unknown, retryInMs: number): void;
  /** Aborted to stop the worker. */
  stop: AbortSignal;
  /** How long to wait: a timer by default (tests pass their own). */
  pause?(ms: number, stop: AbortSignal): Promise<void>;
}

/** The line a failed round is reported with, on the CLI and by Scheduler.start. */
export function failedRound(error: unknown, retryInMs: number): string {
  return `a polling round failed (${error instanceof Error ? error.message : String(error)}); trying again in ${retryInMs / 1000} s`;
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
      failures = 0;
    } catch (error) {
      failures++;
      const retryInMs = Math.min(maxBackoffMs, options.idleMs * 2 ** (failures - 1));
      loop.failed(error, retryInMs);
      await pause(retryInMs, loop.stop);
      continue;
    }
    for (const report of reports) loop.report(report);
    if (reports.length === 0 && !loop.stop.aborted) await pause(options.idleMs, loop.stop);
  }
}
