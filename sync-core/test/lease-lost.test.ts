/**
 * A worker's run whose lease was lost (Scheduler aborts its signal): it writes nothing more, is
 * recorded as failed with `lease-lost` without counting a failure of the connection, and the next
 * run repairs what it left, as after a crash (D3).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SyncError } from '../errors.js';
import { connectAlice, createWorld, type TestWorld } from './world.js';

let w: TestWorld;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

it('stops at its next store call once its lease is lost mid-run, writes nothing more, and the next run imports everything', async () => {
  const connection = await connectAlice(w);
  const requests: string[] = [];
  const aborting = new AbortController();
  w.onRequest = (method) => {
    requests.push(method);
    if (method === 'REPORT' && !aborting.signal.aborted) aborting.abort(new SyncError('lease-lost', 'worker w1 lost its lease on the connection'));
  };
  const report = await w.core.engine.syncConnection(connection.id, { signal: aborting.signal });
  w.onRequest = undefined;
  expect(report.outcome).toBe('failed');
  expect(report.errors).toEqual([{ phase: 'run', code: 'lease-lost', message: 'worker w1 lost its lease on the connection' }]);
  expect(requests).toEqual(['REPORT']); // nothing after the request under way
  expect(await w.core.platform.listEventsForUser(w.alice.id, { start: 0, end: 8.64e15 })).toEqual([]);
  expect((await w.core.state.listRemoteCalendars(connection.id)).every((c) => c.syncToken === null || c.syncToken === undefined)).toBe(true);
  expect((await w.core.state.getConnection(connection.id))!.consecutiveFailures).toBe(0); // another worker's, not a failure
  expect(await w.core.state.lastRun(connection.id)).toMatchObject({ report: { outcome: 'failed', errors: [{ code: 'lease-lost' }] } });

  const next = await w.core.sync(connection.id);
  expect(next.outcome).toBe('ok');
  expect(next.pulled.created).toBeGreaterThan(0);
  expect((await w.core.platform.listEventsForUser(w.alice.id, { start: 0, end: 8.64e15 })).length).toBeGreaterThan(0);
});

it('a run stopped while nothing calls the store sends iCloud no further request: its client is stopped too', async () => {
  const connection = await connectAlice(w);
  const stored = (await w.core.state.getConnection(connection.id))!;
  const stop = new AbortController();
  const client = w.core.connections.client(stored, stop.signal);
  const requests: string[] = [];
  w.onRequest = (method) => void requests.push(method);
  expect((await client.listCalendars(stored.homeUrl)).length).toBeGreaterThan(0);
  stop.abort(new SyncError('lease-lost', 'worker w1 lost its lease on the connection'));
  await expect(client.listCalendars(stored.homeUrl)).rejects.toMatchObject({ code: 'lease-lost' });
  expect(requests).toEqual(['PROPFIND']); // the one before the stop
});
