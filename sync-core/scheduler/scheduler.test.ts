import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../common/clock.js';
import type { SyncReport } from '../engine/report.js';
import { emptyReport } from '../engine/report.js';
import type { RunOptions, SyncEngine } from '../engine/sync-run.js';
import type { Connection, FinishedRun } from '../state/sync-state.js';
import { SyncCore } from '../sync-core.js';
import { Scheduler } from './scheduler.js';

/** A promise and what resolves it: a gate a test opens, or a moment it waits for. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function setUp(connections: number) {
  const clock = new FixedClock(Date.parse('2026-11-21T09:00:00Z'));
  const core = new SyncCore({ clock });
  const sub = await core.platform.createSubAccount({ name: 'S' });
  for (let i = 0; i < connections; i++) {
    const user = await core.platform.createUser({ subAccountId: sub.id, name: `U${i}`, email: `u${i}@t.test`, timeZone: 'UTC' });
    await core.state.insertConnection({
      id: `c${i}`,
      subAccountId: sub.id,
      userId: user.id,
      appleId: `u${i}@example.com`,
      appPassword: 'x',
      serverUrl: 'http://127.0.0.1:9/',
      principalUrl: '',
      homeUrl: '',
      status: 'active',
      changeCursor: 0,
      createdAt: clock.now(),
    });
  }
  return { clock, core };
}

/**
 * A stand-in engine that finishes runs as the real one does: the outcome `outcome` gives, recorded
 * with the lease given back at the time the scheduler asks for, through the scheduler's recorder.
 * `during(id)` runs in the middle of each run.
 */
function engineWith(core: SyncCore, outcome: (id: string) => SyncReport['outcome'], during: (id: string, options: RunOptions) => Promise<void> = async () => undefined): SyncEngine {
  return {
    startRuns: (batch: Connection[]) => core.store.startRuns(batch, core.clock.now()),
    async syncConnection(id: string, options: RunOptions = {}) {
      const connection = options.connection ?? (await core.state.getConnection(id))!;
      await options.start;
      await during(id, options);
      const report = { ...emptyReport(id, core.clock.now()), outcome: outcome(id) };
      const consecutiveFailures = report.outcome === 'failed' ? connection.consecutiveFailures + 1 : 0;
      const release = options.lease && { worker: options.lease.worker, nextPollAt: options.lease.nextPollAt({ report, consecutiveFailures, active: true, nextPollAt: connection.nextPollAt }) };
      const run = { connectionId: id, startedAt: report.startedAt, finishedAt: report.startedAt, report, consecutiveFailures, history: false, release };
      await (options.recorder ? options.recorder.record(run) : core.state.finishRuns([run]));
      return report;
    },
  } as unknown as SyncEngine;
}

describe('Scheduler', () => {
  it('never runs more connections at once than its concurrency', async () => {
    const { clock, core } = await setUp(10);
    let inFlight = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const engine = {
      startRuns: async (batch: Connection[]) => batch.map(() => undefined),
      syncConnection: (id: string) =>
        new Promise<SyncReport>((resolve) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          release.push(() => {
            inFlight--;
            resolve(emptyReport(id, clock.now()));
          });
        }),
    } as unknown as SyncEngine;
    const scheduler = new Scheduler({ engine, store: core.store, clock }, { concurrency: 3 });
    const tick = scheduler.tick();
    // Let the workers start, then release one sync at a time, in order.
    for (let done = 0; done < 10; done++) {
      await new Promise((r) => setImmediate(r));
      expect(inFlight).toBeLessThanOrEqual(3);
      release.shift()!();
    }
    const reports = await tick;
    expect(reports).toHaveLength(10);
    expect(peak).toBe(3);
    await core.close();
  });

  it('spreads next polls over the jitter window, reproducibly for a seed', async () => {
    const runOnce = async () => {
      const { clock, core } = await setUp(5);
      const engine = engineWith(core, () => 'ok');
      await new Scheduler({ engine, store: core.store, clock }, { seed: 7 }).tick();
      const next = (await core.state.listConnections()).map((c) => c.nextPollAt - clock.now());
      await core.close();
      return next;
    };
    const first = await runOnce();
    expect(await runOnce()).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1);
    for (const delay of first) expect(delay).toBeGreaterThanOrEqual(300_000);
  });

  it('backs off exponentially on repeated failures without Retry-After', async () => {
    const { clock, core } = await setUp(1);
    const scheduler = new Scheduler({ engine: engineWith(core, () => 'failed'), store: core.store, clock }, { backoffMs: 1000 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await scheduler.tick();
      const next = (await core.state.getConnection('c0'))!.nextPollAt;
      delays.push(next - clock.now());
      clock.set(next);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
    await core.close();
  });

  it("reads the runs' starts a batch at a time, one batch ahead of the workers, and records the runs in batches", async () => {
    const { clock, core } = await setUp(40);
    const engine = engineWith(core, () => 'ok');
    let started = 0;
    const reads: { size: number; startedBefore: number }[] = [];
    const realStarts = engine.startRuns.bind(engine);
    engine.startRuns = (batch) => (reads.push({ size: batch.length, startedBefore: started }), realStarts(batch));
    const realSync = engine.syncConnection.bind(engine);
    engine.syncConnection = (id, options) => (started++, realSync(id, options));
    const writes: number[] = [];
    const finishRuns = core.state.finishRuns.bind(core.state);
    core.state.finishRuns = (runs: readonly FinishedRun[]) => (writes.push(runs.length), finishRuns(runs));
    const reports = await new Scheduler({ engine, store: core.store, clock }, { concurrency: 4, batchSize: 8, recordDelayMs: 60_000 }).tick();
    expect(reports).toHaveLength(40);
    expect(reads.map((r) => r.size)).toEqual([8, 8, 8, 8, 8]);
    // Batch n is read when batch n-1 begins: never more than one batch ahead of the runs.
    reads.slice(1).forEach((read, n) => expect(read.startedBefore, `batch ${n + 1}`).toBe(n * 8));
    expect(writes).toEqual([8, 8, 8, 8, 8]);
    // Every run recorded and every lease given back when the tick resolves.
    for (const c of await core.state.listConnections()) {
      expect(await core.state.lastRun(c.id)).toBeDefined();
      expect(c.nextPollAt).toBeGreaterThan(clock.now());
    }
    expect(await core.state.leaseDueConnections('other', clock.now() + 10 * 60_000, clock.now() + 20 * 60_000, 100)).toHaveLength(40);
    await core.close();
  });

  it('records finished runs without waiting for a slow one, once the delay has passed', async () => {
    const { clock, core } = await setUp(3);
    const { promise: blocked, resolve: unblock } = deferred();
    const engine = engineWith(
      core,
      () => 'ok',
      (id) => (id === 'c0' ? blocked : Promise.resolve()),
    );
    const othersRecorded = new Promise<void>((resolve) => {
      const finishRuns = core.state.finishRuns.bind(core.state);
      core.state.finishRuns = async (runs: readonly FinishedRun[]) => {
        await finishRuns(runs);
        if (runs.some((r) => r.connectionId === 'c2')) resolve();
      };
    });
    const tick = new Scheduler({ engine, store: core.store, clock }, { concurrency: 3, batchSize: 8, recordDelayMs: 5 }).tick();
    // Hangs (and the test times out) if the records wait for c0.
    await othersRecorded;
    expect(await core.state.lastRun('c1')).toBeDefined();
    expect(await core.state.lastRun('c0')).toBeUndefined();
    unblock();
    await tick;
    expect(await core.state.lastRun('c0')).toBeDefined();
    await core.close();
  });

  it('renews the leases of runs that outlast them: another worker cannot take a connection still syncing', async () => {
    const { clock, core } = await setUp(2);
    const { promise: gate, resolve: unblock } = deferred();
    const started = new Set<string>();
    const { promise: running, resolve: bothStarted } = deferred();
    const engine = engineWith(
      core,
      () => 'ok',
      async (id) => {
        started.add(id);
        if (started.size === 2) bothStarted();
        await gate;
      },
    );
    // Resolves once the heartbeat has written a renewal reaching past `until`.
    const renew = core.state.renewLeases.bind(core.state);
    let waiting: { until: number; resolve: () => void } | undefined;
    core.state.renewLeases = async (worker, ids, until) => {
      const kept = await renew(worker, ids, until);
      if (waiting && until > waiting.until) waiting.resolve();
      return kept;
    };
    const renewalPast = (until: number) => new Promise<void>((resolve) => (waiting = { until, resolve }));
    const leaseMs = 150;
    const firstLeaseEnds = clock.now() + leaseMs;
    const tick = new Scheduler({ engine, store: core.store, clock }, { leaseMs, concurrency: 2 }).tick();
    await running;
    clock.advance(leaseMs - 30);
    await renewalPast(firstLeaseEnds); // hangs (the test times out) without the heartbeat
    clock.advance(60); // past the first lease, within the renewed one
    expect(await core.state.leaseDueConnections('other', clock.now(), clock.now() + 1000, 10)).toEqual([]);
    unblock();
    await tick;
    // Given back when recorded: due again for anyone at the next poll.
    expect((await core.state.leaseDueConnections('other', clock.now() + 10 * 60_000, clock.now() + 20 * 60_000, 10)).map((c) => c.id).sort()).toEqual(['c0', 'c1']);
    await core.close();
  });

  it('stops the run whose lease another worker took while this one was frozen, and only that run', async () => {
    const { clock, core } = await setUp(2);
    const { promise: gate, resolve: unblock } = deferred();
    const signals = new Map<string, AbortSignal>();
    const { promise: running, resolve: bothStarted } = deferred();
    const engine = engineWith(
      core,
      () => 'ok',
      async (id, options) => {
        signals.set(id, options.signal!);
        if (signals.size === 2) bothStarted();
        await gate;
      },
    );
    const leaseMs = 150;
    const tick = new Scheduler({ engine, store: core.store, clock }, { leaseMs, concurrency: 2 }).tick();
    await running;
    const [first] = [...signals.keys()].sort();
    const stopped = new Promise<unknown>((resolve) => signals.get(first!)!.addEventListener('abort', () => resolve(signals.get(first!)!.reason)));
    // Frozen for ten minutes: both leases ran out, and another worker took the first connection.
    clock.advance(10 * 60_000);
    expect((await core.state.leaseDueConnections('other', clock.now(), clock.now() + 60_000, 1)).map((c) => c.id)).toEqual([first]);
    // The next heartbeat finds that lease gone and stops its run (the test times out otherwise).
    expect(await stopped).toMatchObject({ code: 'lease-lost', message: expect.stringContaining(`lost its lease on ${first}`) });
    const [second] = [...signals.keys()].filter((id) => id !== first);
    expect(signals.get(second!)!.aborted).toBe(false); // still this worker's, renewed
    unblock();
    await tick;
    await core.close();
  });

  it('does not start a connection whose lease was lost while it waited its turn', async () => {
    const { clock, core } = await setUp(2);
    const { promise: gate, resolve: unblock } = deferred();
    const started: string[] = [];
    const { promise: running, resolve: firstStarted } = deferred();
    const { promise: firstStopped, resolve: stopped } = deferred();
    const engine = engineWith(
      core,
      () => 'ok',
      async (id, options) => {
        started.push(id);
        options.signal!.addEventListener('abort', () => stopped());
        firstStarted();
        await gate;
      },
    );
    const tick = new Scheduler({ engine, store: core.store, clock }, { leaseMs: 150, concurrency: 1 }).tick();
    await running;
    // Frozen: both leases ran out, and another worker took both connections.
    clock.advance(10 * 60_000);
    expect((await core.state.leaseDueConnections('other', clock.now(), clock.now() + 60_000, 10)).map((c) => c.id)).toEqual(['c0', 'c1']);
    await firstStopped; // the run under way is stopped at the next heartbeat
    unblock();
    await tick;
    expect(started).toEqual(['c0']); // c1 was never started
    await core.close();
  });

  it('fails the tick when a batch of records cannot be written, and gives those leases back to nobody', async () => {
    const { clock, core } = await setUp(4);
    core.state.finishRuns = async () => {
      throw new Error('database gone');
    };
    await expect(new Scheduler({ engine: engineWith(core, () => 'ok'), store: core.store, clock }, { batchSize: 2 }).tick()).rejects.toThrow('database gone');
    // Still leased (to run out), not due again for another worker before that.
    expect(await core.state.leaseDueConnections('other', clock.now(), clock.now() + 1000, 10)).toEqual([]);
    await core.close();
  });

  it('keeps polling in the background through a failed tick, reporting it, until stopped', async () => {
    const { clock, core } = await setUp(2);
    const lease = core.state.leaseDueConnections.bind(core.state);
    let leases = 0;
    core.state.leaseDueConnections = async (...args) => {
      if (leases++ === 0) throw new Error('database restarting');
      return lease(...args);
    };
    const { promise: done, resolve: bothSynced } = deferred();
    const synced = new Set<string>();
    const engine = engineWith(core, (id) => (synced.add(id), synced.size === 2 && bothSynced(), 'ok'));
    const scheduler = new Scheduler({ engine, store: core.store, clock });
    const errors: string[] = [];
    scheduler.start(1, (error) => errors.push((error as Error).message));
    // Hangs (the test times out) if the failed tick ended the polling.
    await done;
    await scheduler.stop();
    expect(errors).toEqual(['database restarting']);
    expect((await core.state.listConnections()).every((c) => c.lastSyncAt !== undefined || c.nextPollAt > clock.now())).toBe(true);
    await core.close();
  });

  it('stops starting runs after one throws, records the runs already finished, then fails the tick with that error', async () => {
    const { clock, core } = await setUp(4);
    const started: string[] = [];
    const engine = engineWith(
      core,
      () => 'ok',
      async (id) => {
        started.push(id);
        if (id === 'c1') throw new Error('user usr_000002 no longer exists');
      },
    );
    const tick = new Scheduler({ engine, store: core.store, clock }, { concurrency: 1, recordDelayMs: 60_000 }).tick();
    await expect(tick).rejects.toThrow('no longer exists');
    expect(started).toEqual(['c0', 'c1']);
    expect(await core.state.lastRun('c0')).toBeDefined(); // written at the end although its batch was not full
    expect(await core.state.lastRun('c2')).toBeUndefined();
    await core.close();
  });

  it('fails each run of a batch whose starts could not be read, records them, and leaves no rejection unhandled', async () => {
    const { clock, core } = await setUp(3);
    core.store.startRuns = async () => {
      throw new Error('connection terminated unexpectedly');
    };
    const reports = await new Scheduler({ engine: core.engine, store: core.store, clock }, { batchSize: 2 }).tick();
    expect(reports.map((r) => [r.connectionId, r.outcome, r.errors[0]?.message])).toEqual([
      ['c0', 'failed', 'connection terminated unexpectedly'],
      ['c1', 'failed', 'connection terminated unexpectedly'],
      ['c2', 'failed', 'connection terminated unexpectedly'],
    ]);
    for (const id of ['c0', 'c1', 'c2']) expect((await core.state.getConnection(id))!.consecutiveFailures).toBe(1);
    await core.close();
  });
});
