import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../common/clock.js';
import type { SyncReport } from '../engine/report.js';
import { emptyReport } from '../engine/report.js';
import type { RunOptions, SyncEngine } from '../engine/sync-run.js';
import { SyncCore } from '../sync-core.js';
import { Scheduler } from './scheduler.js';

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
 * with the lease given back at the time the scheduler asks for.
 */
function engineWith(core: SyncCore, outcome: (id: string) => SyncReport['outcome']): SyncEngine {
  return {
    async syncConnection(id: string, options: RunOptions = {}) {
      const connection = options.connection ?? (await core.state.getConnection(id))!;
      const report = { ...emptyReport(id, core.clock.now()), outcome: outcome(id) };
      const consecutiveFailures = report.outcome === 'failed' ? connection.consecutiveFailures + 1 : 0;
      const release = options.lease && { worker: options.lease.worker, nextPollAt: options.lease.nextPollAt({ report, consecutiveFailures, active: true, nextPollAt: connection.nextPollAt }) };
      await core.state.finishRun(id, { startedAt: report.startedAt, finishedAt: report.startedAt, report, consecutiveFailures, history: false }, release);
      return report;
    },
  } as SyncEngine;
}

describe('Scheduler', () => {
  it('never runs more connections at once than its concurrency', async () => {
    const { clock, core } = await setUp(10);
    let inFlight = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const engine = {
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
});
