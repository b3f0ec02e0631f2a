/**
 * How a worker's tick shares its database statements between runs. A quiet poll is mostly round
 * trips to the database (its start, its record) around one REPORT; read and written a batch at a
 * time, a thousand polls cost a hundred-odd statements instead of two thousand.
 *
 * - RunStarts reads the starts of the next `size` runs in one statement, one batch ahead of the
 *   workers, so what a run starts from is at most about two batches' worth of runs old (a platform
 *   change made after it was read is pushed on the next poll, as one made during the run is).
 * - GroupedRecorder records finished runs `size` at a time, or after `maxDelayMs` when fewer come
 *   (a slow tail must not hold the others' records back), and settles at the end of the tick.
 */
import type { RunRecorder } from '../engine/sync-run.js';
import type { Connection, FinishedRun } from '../state/sync-state.js';
import type { RunStart } from '../store/store.js';

export class RunStarts {
  private readonly batches = new Map<number, Promise<RunStart[]>>();

  constructor(
    private readonly connections: readonly Connection[],
    private readonly size: number,
    private readonly read: (batch: readonly Connection[]) => Promise<RunStart[]>,
  ) {}

  /** The start of the `index`th run; taking the first of a batch starts reading the next one. */
  startOf(index: number): Promise<RunStart> {
    const batch = Math.floor(index / this.size);
    const starts = this.batch(batch);
    if (index % this.size === 0) void this.batch(batch + 1);
    const start = starts.then((all) => all[index % this.size]!);
    // A run that ends before it needs its start (a connection no longer active) never asks.
    start.catch(() => undefined);
    return start;
  }

  private batch(n: number): Promise<RunStart[]> {
    let starts = this.batches.get(n);
    if (!starts) {
      const members = this.connections.slice(n * this.size, (n + 1) * this.size);
      starts = members.length > 0 ? this.read(members) : Promise.resolve([]);
      // Read ahead, so nobody may be waiting yet: a failure is each run's, when it asks.
      starts.catch(() => undefined);
      this.batches.set(n, starts);
      this.batches.delete(n - 2);
    }
    return starts;
  }
}

export class GroupedRecorder implements RunRecorder {
  private pending: FinishedRun[] = [];
  private readonly writes: Promise<void>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly write: (runs: FinishedRun[]) => Promise<void>,
    private readonly options: { size: number; maxDelayMs: number; recorded?: (runs: readonly FinishedRun[]) => void },
  ) {}

  /** Takes the run into the next group; refuses once a group failed to be written. */
  async record(run: FinishedRun): Promise<void> {
    if (this.failure) throw this.failure.error;
    this.pending.push(run);
    if (this.pending.length >= this.options.size) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.options.maxDelayMs);
      this.timer.unref();
    }
  }

  /** Writes what waits; answers once every group is written, or with the first failure. */
  async settle(): Promise<void> {
    this.flush();
    await Promise.all(this.writes);
    if (this.failure) throw this.failure.error;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const runs = this.pending;
    if (runs.length === 0) return;
    this.pending = [];
    this.writes.push(
      this.write(runs).then(
        () => this.options.recorded?.(runs),
        (error: unknown) => void (this.failure ??= { error }),
      ),
    );
  }
}
