/**
 * `npm run bench` (workers part): how polling scales with workers on one PostgreSQL (issue 13).
 * The mock runs in its own process; 3,000 connections are connected and synced once; then they are
 * made due and `icloud-sync worker` processes (1, then 2) poll them all. Prints connections per
 * second for each and the ratio, first with the mock answering at once, then with 250 ms added to
 * every REPORT (1,000 connections there). Needs PostgreSQL (skipped with a line otherwise). Beside
 * each figure, how many of the machine's cores the workers, PostgreSQL and the mock kept busy
 * (cpu.ts), and the most connections per second the cores allow at one worker's CPU time per
 * connection: where one worker already comes near it, a second has no core to run on.
 */
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../../common/clock.js';
import { PostgresStore } from '../store/postgres-store.js';
import { postgresBinaries, startTestPostgres } from '../store/postgres/test-postgres.js';
import { SyncCore } from '../sync-core.js';
import { utcDateTime } from '../../icalendar/index.js';
import { startWorker } from '../test/worker-process.js';
import { coresBusy, cpuSince, cpuSnapshot, cpuSupported, describeCpu, mostPerSecond, postgresProcesses, type ProcessGroups } from './cpu.js';
import { startMockProcess } from './mock-process.js';

/**
 * Connections polled per loopback pass. A pass of 1,000 lasted 0.3-0.5 s on a fast day: CPU ticks of
 * 10 ms and the 20 ms between counts were a tenth of it, and one worker's CPU per connection seemed
 * to double with two. At 3,000, two workers' CPU per connection came within 11% of one's in two runs
 * of three (40% more in the third).
 */
const CONNECTIONS = Number(process.env.WORKER_BENCH_CONNECTIONS ?? 3000);
/** Connections polled per pass at iCloud's answer times: a pass of 1,000 takes 20-40 s already. */
const SLOW_CONNECTIONS = Math.min(CONNECTIONS, 1000);

if (!postgresBinaries()) {
  console.error('workers bench: PostgreSQL is not installed (apt-get install postgresql): skipped');
  process.exit(0);
}

const mock = await startMockProcess();
const gateway = mock.gatewayUrl;
const control = mock.control;

const server = await startTestPostgres();
try {
  const db = await server.createDatabase('workers_bench');
  const core = await SyncCore.open({ database: db, clock: systemClock });
  const sub = await core.platform.createSubAccount({ name: 'Bench' });
  const start = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 2 * 86_400_000;
  console.error(`workers bench: ${CONNECTIONS} accounts and connections…`);
  for (let i = 0; i < CONNECTIONS; i++) {
    const appleId = `user${i}@example.com`;
    await control('POST', 'accounts', { appleId, fullName: `User ${i}`, password: 'regular', appPasswords: ['pass-word-pass-word'] });
    await control('POST', `accounts/${appleId}/calendars`, { name: 'home', displayName: 'Home' });
    for (let k = 0; k < 3; k++) {
      const at = utcDateTime(start + k * 86_400_000 + (i % 8) * 3_600_000);
      const ics = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:B-${i}-${k}\r\nDTSTAMP:${at}\r\nDTSTART:${at}\r\nDURATION:PT1H\r\nSUMMARY:Busy\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
      await control('POST', `accounts/${appleId}/calendars/home/events`, { ics });
    }
    const user = await core.platform.createUser({ subAccountId: sub.id, name: `User ${i}`, email: `u${i}@bench.test`, timeZone: 'UTC' });
    const connection = await core.connections.connect({ subAccountId: sub.id, userId: user.id, appleId, appPassword: 'pass-word-pass-word', serverUrl: gateway });
    await core.connections.chooseCalendars(connection.id, { linked: 'Home' });
  }
  await core.poll(); // the first sync of every connection: the measured rounds are steady polls
  const store = core.store as PostgresStore;
  // Fresh planner statistics, as autovacuum gathers within a minute of a bulk change on a live
  // database: the rounds measure steady polling, not the minute after an import.
  await store.db.exec('ANALYZE');

  /**
   * Makes the first `count` connections due (the others not before the bench ends) and resolves once
   * each has synced again, with what `during` measured
   * between the moment a tenth of them had synced and the moment nine tenths had: the steady
   * middle of the pass. At its ends the workers wait for work (they look every 0.1 s when nothing is
   * due) and the last runs' records wait to be written together (at most 0.1 s): in a loopback pass
   * of about a second that was a fifth of it, the same for one worker as for two. In production,
   * connections fall due one after another and a worker never waits for a whole pass to start.
   */
  const connectionsPolled = async <T>(count: number, during: () => (ms: number) => T): Promise<T> => {
    await store.db.run(
      `UPDATE connections SET (next_poll_at, last_sync_at) = (SELECT CASE WHEN c.rank <= ? THEN 0 ELSE ?::bigint END, NULL::bigint)
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS rank FROM connections) c WHERE c.id = connections.id`,
      [count, Date.now() + 86_400_000],
    );
    let measuring: { t: number; stop: (ms: number) => T } | undefined;
    let result: { measured: T } | undefined;
    const started = performance.now();
    for (;;) {
      const { n } = (await store.db.get<{ n: number }>('SELECT count(*)::int AS n FROM connections WHERE last_sync_at IS NOT NULL'))!;
      if (!measuring && n >= count / 10) measuring = { t: performance.now(), stop: during() };
      if (measuring && !result && n >= (count * 9) / 10) result = { measured: measuring.stop(performance.now() - measuring.t) };
      if (result && n >= count) return result.measured;
      // Counting is a scan, on PostgreSQL's CPU: every 20 ms it was most of PostgreSQL's CPU in a
      // pass of 30 s (3.03 s of it, 0.43 s now). A fiftieth of the time so far keeps the ends within
      // 2% of the pass.
      await new Promise((r) => setTimeout(r, Math.min(500, Math.max(20, (performance.now() - started) / 50))));
    }
  };

  /**
   * Connections per second with `workers` workers polling `count` connections, the cores kept busy
   * meanwhile, and the most connections per second the cores allow at the CPU time each took: the
   * median of `passes` passes, after a first one. Workers are long-lived: the first pass
   * is their start-up (Node and tsx compiling the engine, V8 compiling its busy code, about a second
   * of CPU each), which in a pass of two seconds was most of the second worker's cost.
   */
  const round = async (workers: number, count: number, passes: number): Promise<{ rate: number; all: string; cores: string; cpu: string; ceiling?: number }> => {
    const children: ChildProcess[] = [];
    for (let w = 0; w < workers; w++) children.push(startWorker(db, `b${w}`, ['--every-seconds', '0.1', '--batch', '25', '--concurrency', '8']));
    try {
      await connectionsPolled(count, () => () => undefined);
      const processes: ProcessGroups = { workers: () => children.map((c) => c.pid!), PostgreSQL: () => postgresProcesses(server.dataDirectory), mock: () => [mock.pid] };
      const measured: { rate: number; cores: string; cpu: string; ceiling?: number }[] = [];
      const synced = count * 0.8; // from a tenth to nine tenths
      for (let i = 0; i < passes; i++) {
        measured.push(
          await connectionsPolled(count, () => {
            const cpu = cpuSupported ? cpuSnapshot(processes) : undefined;
            return (ms) => {
              const used = cpu && cpuSince(cpu, processes);
              return {
                rate: synced / (ms / 1000),
                cores: used ? coresBusy(used, ms) : 'not measured (no /proc)',
                cpu: used ? describeCpu(used) : '',
                ceiling: used && mostPerSecond(used, synced),
              };
            };
          }),
        );
      }
      const rates = measured.map((m) => m.rate.toFixed(0)).join(', ');
      const median = [...measured].sort((a, b) => a.rate - b.rate)[Math.floor(passes / 2)]!;
      return { ...median, all: passes > 1 ? ` (${rates})` : '' };
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
    }
  };
  const rows: Record<string, Record<string, string>> = {};
  const measure = async (label: string, count: number, passes: number) => {
    console.error(`workers bench (${label}): one worker…`);
    const one = await round(1, count, passes);
    console.error(`workers bench (${label}): two workers…`);
    const two = await round(2, count, passes);
    rows[label] = {
      connections: String(count),
      'one worker': `${one.rate.toFixed(0)} connections/s${one.all}`,
      'CPU, one worker': one.cores,
      'two workers': `${two.rate.toFixed(0)} connections/s${two.all}`,
      'CPU, two workers': two.cores,
      ratio: `${(two.rate / one.rate).toFixed(2)}×`,
      // However many workers: every core busy at one worker's CPU time per connection (all three processes).
      'most the cores allow': one.ceiling ? `${one.ceiling.toFixed(0)} connections/s = ${(one.ceiling / one.rate).toFixed(2)}× one worker` : 'not measured (no /proc)',
    };
    if (one.cpu) cpuLines.push(`${label}, one worker: ${one.cpu}`, `${label}, two workers: ${two.cpu}`);
  };
  const cpuLines: string[] = [];
  // Loopback answers at once: the workers, PostgreSQL and the mock compete for the CPU.
  await measure('loopback, answers at once', CONNECTIONS, 5);
  // iCloud does not answer at once: a fixed 250 ms on every REPORT (CalendarServer's load-test
  // median for a sync REPORT, as the mock's latency profile uses), so the polls wait on the network.
  await control('POST', 'faults', { kind: 'latency', latencyMs: 250, match: { method: 'REPORT' } });
  // A pass takes 20-40 s here and moves by a few percent: one is enough.
  await measure('250 ms per REPORT, as iCloud', SLOW_CONNECTIONS, 1);
  console.log(`\nworkers on PostgreSQL, steady polling by running workers (each pass from a tenth synced to nine tenths; loopback: the median of five passes), concurrency 8 each\n`);
  console.table(rows);
  if (cpuLines.length) console.log(`\nCPU time of each measured pass:\n${cpuLines.map((l) => `  ${l}`).join('\n')}`);
  await core.close();
} finally {
  await server.stop();
  await mock.stop();
}
