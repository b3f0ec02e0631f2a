import { describe, expect, it } from 'vitest';
import { emptyReport, type SyncReport } from '../engine/report.js';
import { FailureLog, runWorker } from './worker-loop.js';

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
    failed: (error: unknown, retryInMs: number, failures: number) => log.push(`failed ${(error as Error).message} (${failures} in a row), again in ${retryInMs}`),
    recovered: (failures: number) => log.push(`recovered after ${failures}`),
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
      `failed ${down.message} (1 in a row), again in 1000`,
      'pause 1000',
      `failed ${down.message} (2 in a row), again in 2000`,
      'pause 2000',
      `failed ${down.message} (3 in a row), again in 4000`,
      'pause 4000',
      `failed ${down.message} (4 in a row), again in 5000`,
      'pause 5000',
      'recovered after 4',
      'report icl_1',
      'report icl_2',
      'pause 1000', // nothing due
      `failed ${down.message} (1 in a row), again in 1000`, // a success reset the backoff
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

describe('FailureLog', () => {
  it('says the 1st, 2nd, 4th, 8th… failure of a run and any new reason, then that polling works again', () => {
    const lines: string[] = [];
    let now = Date.parse('2026-11-29T10:00:00Z');
    const log = new FailureLog(
      (line) => lines.push(line),
      () => now,
    );
    const down = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    for (let n = 1; n <= 10; n++) {
      log.failed(n === 6 ? new Error('the database system is starting up') : down, 60_000, n);
      now += 60_000;
    }
    log.recovered(10);
    expect(lines).toEqual([
      'a polling round failed (connect ECONNREFUSED 127.0.0.1:5432); trying again in 60 s',
      '2 polling rounds in a row have failed since 2026-11-29T10:00:00.000Z, the last with: connect ECONNREFUSED 127.0.0.1:5432; trying again in 60 s',
      '4 polling rounds in a row have failed since 2026-11-29T10:00:00.000Z, the last with: connect ECONNREFUSED 127.0.0.1:5432; trying again in 60 s',
      '6 polling rounds in a row have failed since 2026-11-29T10:00:00.000Z, the last with: the database system is starting up; trying again in 60 s',
      '7 polling rounds in a row have failed since 2026-11-29T10:00:00.000Z, the last with: connect ECONNREFUSED 127.0.0.1:5432; trying again in 60 s',
      '8 polling rounds in a row have failed since 2026-11-29T10:00:00.000Z, the last with: connect ECONNREFUSED 127.0.0.1:5432; trying again in 60 s',
      'polling works again, after 10 failed rounds since 2026-11-29T10:00:00.000Z',
    ]);
    // A new run of failures starts its count and its time again.
    log.failed(down, 1000, 1);
    expect(lines.at(-1)).toBe('a polling round failed (connect ECONNREFUSED 127.0.0.1:5432); trying again in 1 s');
  });
});
