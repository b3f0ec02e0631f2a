import { describe, expect, it } from 'vitest';
import { emptyReport, type SyncReport } from '../engine/report.js';
import { runWorker } from './worker-loop.js';

const report = (id: string) => emptyReport(id, 0);

/** A loop over scripted ticks: each answers reports or throws; the pauses asked for are recorded. */
function scripted(ticks: Array<SyncReport[] | Error>, stopAfter = ticks.length) {
  const stopping = new AbortController();
  const log: string[] = [];
  let n = 0;
  const loop = {
    stop: stopping.signal,
    async tick() {
      const next = ticks[n++]!;
      if (n >= stopAfter) stopping.abort();
      if (next instanceof Error) throw next;
      return next;
    },
    report: (r: SyncReport) => log.push(`report ${r.connectionId}`),
    failed: (error: unknown, retryInMs: number) => log.push(`failed ${(error as Error).message}, again in ${retryInMs}`),
    pause: async (ms: number) => void log.push(`pause ${ms}`),
  };
  return { loop, log, stopping };
}

describe('runWorker', () => {
  it('keeps going after failed ticks, pausing twice as long each time up to the limit, and starts again from the shortest pause', async () => {
    const down = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const { loop, log } = scripted([down, down, down, down, [report('icl_1'), report('icl_2')], [], down]);
    await runWorker(loop, { idleMs: 1000, maxBackoffMs: 5000 });
    expect(log).toEqual([
      `failed ${down.message}, again in 1000`,
      'pause 1000',
      `failed ${down.message}, again in 2000`,
      'pause 2000',
      `failed ${down.message}, again in 4000`,
      'pause 4000',
      `failed ${down.message}, again in 5000`,
      'pause 5000',
      'report icl_1',
      'report icl_2',
      'pause 1000', // nothing due
      `failed ${down.message}, again in 1000`, // a success reset the backoff
      'pause 1000',
    ]);
  });

  it('stops after the tick in progress, without pausing once stopped', async () => {
    const { loop, log } = scripted([[report('icl_1')], [report('icl_2')]], 1);
    await runWorker(loop, { idleMs: 1000, maxBackoffMs: 60_000 });
    expect(log).toEqual(['report icl_1']);
  });

  it('ends a pause at once when stopped (the default pause is a timer the stop signal cancels)', async () => {
    const stopping = new AbortController();
    const worker = runWorker(
      {
        stop: stopping.signal,
        tick: async () => [],
        report: () => undefined,
        failed: () => undefined,
      },
      { idleMs: 3_600_000, maxBackoffMs: 3_600_000 },
    );
    // The loop is now in an hour's pause (nothing due); a test timeout shows it did not end.
    await new Promise((resolve) => setImmediate(resolve));
    stopping.abort();
    await worker;
  });
});
