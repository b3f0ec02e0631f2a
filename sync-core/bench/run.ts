/**
 * `npm run bench` (sync core part): what a production-sized load costs, measured against the mock
 * over loopback. A measurement, not a test.
 *
 * - initial sync of a 10,000-event iCloud calendar, in a process that has synced nothing yet
 *   (its code not yet compiled by V8's optimising tiers), and then of another such calendar in the
 *   same running engine, as a long-lived worker meets a new user: each the median of three
 *   processes (big-calendar.ts), since one run on a shared machine moves by a quarter. One more
 *   process goes first and is not counted: iCloud is not a process that has just started, and
 *   the mock's own first answers (its code not compiled yet either) made the first sample the
 *   slowest every time, by a fifth;
 * - an incremental sync after one change in that calendar (should not grow with the calendar);
 * - one polling cycle over 1,000 connections with nothing changed (the steady state);
 * with the mock in its own process (mock-process.ts), each on SQLite and, where it is installed, on a PostgreSQL the bench starts in a temporary directory.
 * Beside the first syncs, the CPU time of the engine, PostgreSQL and the mock during the median
 * sample (cpu.ts): the three share the machine's cores, and the CPU says how close to the
 * machine's limit the wall time is.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { FixedClock } from '../../common/clock.js';
import { projectRoot } from '../../common/project-root.js';
import { SyncCore } from '../sync-core.js';
import { PostgresStore } from '../store/postgres-store.js';
import { postgresBinaries, startTestPostgres } from '../store/postgres/test-postgres.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { BENCH_NOW as NOW, DAY, benchEvent as ics, bigAccount } from './calendar-data.js';
import { describeCpu } from './cpu.js';
import { startMockProcess } from './mock-process.js';

const SAMPLES = 3;

interface BigCalendarSample {
  initialMs: number;
  runningMs: number;
  incrementalMs: number;
  /** CPU milliseconds per process group (cpu.ts), where /proc tells them. */
  initialCpu?: Record<string, number>;
  runningCpu?: Record<string, number>;
}

/**
 * The 10,000-event figures: SAMPLES processes (big-calendar.ts) after a warm-up one, each with a new
 * database from `database(i)`; `postgresData`, the PostgreSQL's data directory, for its CPU.
 */
async function bigCalendar(database: (sample: number) => Promise<string>, postgresData?: string): Promise<Record<string, string>> {
  const mock = await startMockProcess({ clock: NOW, world: { accounts: [bigAccount('big', 'E'), bigAccount('next', 'N')] } });
  const sample = async (i: number) => bigCalendarSample([mock.gatewayUrl, await database(i), String(i), String(mock.pid), ...(postgresData ? [postgresData] : [])]);
  try {
    await sample(SAMPLES); // the mock's warm-up
    const samples: BigCalendarSample[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await sample(i));
    const initial = medianOf(samples.map((s) => s.initialMs));
    const running = medianOf(samples.map((s) => s.runningMs));
    const incremental = medianOf(samples.map((s) => s.incrementalMs));
    /** The CPU time of the sample whose `ms` is the median: the one the figure above it shows. */
    const cpuOf = (ms: (s: BigCalendarSample) => number, cpu: (s: BigCalendarSample) => Record<string, number> | undefined) => {
      const used = cpu([...samples].sort((a, b) => ms(a) - ms(b))[Math.floor(samples.length / 2)]!);
      return used ? describeCpu(used) : 'not measured (no /proc)';
    };
    return {
      'initial sync, 10,000 events, new process': `${(initial.median / 1000).toFixed(2)} s median of ${initial.all} (10,000 blocked slots)`,
      'initial sync, new process: CPU time': cpuOf(
        (s) => s.initialMs,
        (s) => s.initialCpu,
      ),
      'initial sync, 10,000 events, running engine': `${(running.median / 1000).toFixed(2)} s median of ${running.all} (another user's calendar, after the syncs above)`,
      'initial sync, running engine: CPU time': cpuOf(
        (s) => s.runningMs,
        (s) => s.runningCpu,
      ),
      'incremental sync, 1 change in 10,000': `${incremental.median.toFixed(1)} ms median`,
    };
  } finally {
    await mock.stop();
  }
}

/** The median of a few samples (milliseconds), and all of them in seconds, as the table shows them. */
function medianOf(values: readonly number[]): { median: number; all: string } {
  return { median: [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!, all: values.map((v) => (v / 1000).toFixed(2)).join(', ') };
}

/** One big-calendar.ts process; `args` are its arguments. */
function bigCalendarSample(args: string[]): Promise<BigCalendarSample> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-core/bench/big-calendar.ts', ...args], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += String(d)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = output.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as BigCalendarSample);
      else reject(new Error(`big-calendar.ts exited ${code}: ${output}`));
    });
  });
}

async function manyConnections(open: Opener): Promise<Record<string, string>> {
  const clock = new FixedClock(NOW);
  const accounts = Array.from({ length: 1000 }, (_, i) => ({
    appleId: `user${i}@example.com`,
    fullName: `User ${i}`,
    password: 'regular',
    appPasswords: ['pass-word-pass-word'],
    calendars: [{ name: 'home', events: Array.from({ length: 5 }, (_, k) => ({ ics: ics(`U${i}-${k}`, NOW + k * DAY) })) }],
  }));
  const mock = await startMockProcess({ clock: NOW, world: { accounts } });
  const core = new SyncCore({ clock, schedule: { concurrency: 8 }, store: await open(clock, 'many') });
  try {
    const sub = await core.platform.createSubAccount({ name: 'Bench' });
    let t = performance.now();
    for (const [i, account] of accounts.entries()) {
      const user = await core.platform.createUser({ subAccountId: sub.id, name: `User ${i}`, email: `u${i}@bench.test`, timeZone: 'Europe/London' });
      const connection = await core.connections.connect({ subAccountId: sub.id, userId: user.id, appleId: account.appleId, appPassword: 'pass-word-pass-word', serverUrl: mock.gatewayUrl });
      await core.connections.chooseCalendars(connection.id, { linked: 'home' });
    }
    const setupMs = performance.now() - t;
    t = performance.now();
    const first = await core.poll();
    const firstMs = performance.now() - t;
    // Fresh planner statistics, as autovacuum gathers within a minute of a bulk change on a live
    // database: the steady cycle is measured as it runs, not in the minute after an import.
    if (core.store instanceof PostgresStore) await core.store.db.exec('ANALYZE');
    // Three steady cycles, ten minutes apart (every connection due again), and their median: on a
    // shared machine one cycle's figure moves by a quarter from one minute to the next.
    const cycles: number[] = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(10 * 60_000);
      await mock.control('PUT', 'clock', { now: clock.now() });
      t = performance.now();
      const steady = await core.poll();
      cycles.push(performance.now() - t);
      if (steady.length !== 1000 || steady.some((r) => r.outcome !== 'ok')) throw new Error('not every connection synced');
    }
    if (first.length !== 1000) throw new Error('not every connection synced');
    const steady = medianOf(cycles);
    return {
      'connect 1,000 users': `${(setupMs / 1000).toFixed(1)} s`,
      'first polling cycle, 1,000 connections': `${(firstMs / 1000).toFixed(2)} s`,
      'steady polling cycle, 1,000 connections': `${(steady.median / 1000).toFixed(2)} s median of ${steady.all}`,
    };
  } finally {
    await core.close();
    await mock.stop();
  }
}

type Opener = (clock: FixedClock, name: string) => Promise<Store>;

const results: Record<string, Record<string, string>> = {};
const sqlite: Opener = async (clock) => new SqliteStore(':memory:', clock);
console.error('sync-core bench (SQLite): 10,000-event calendar…');
const big = await bigCalendar(async () => 'sqlite');
console.error('sync-core bench (SQLite): 1,000 connections…');
const many = await manyConnections(sqlite);
for (const [k, v] of Object.entries({ ...big, ...many })) results[k] = { SQLite: v };

const stores = (process.env.SYNC_BENCH_STORES ?? 'sqlite,postgres').split(',');
if (!stores.includes('postgres')) console.error('sync-core bench: SYNC_BENCH_STORES leaves PostgreSQL out');
else if (postgresBinaries()) {
  const server = await startTestPostgres();
  try {
    const postgres: Opener = async (clock, name) => PostgresStore.open(await server.createDatabase(`bench_${name}`), clock, { poolSize: 8 });
    console.error('sync-core bench (PostgreSQL): 10,000-event calendar…');
    const pgBig = await bigCalendar(async (i) => server.createDatabase(`bench_big_${i}`), server.dataDirectory);
    console.error('sync-core bench (PostgreSQL): 1,000 connections…');
    const pgMany = await manyConnections(postgres);
    for (const [k, v] of Object.entries({ ...pgBig, ...pgMany })) results[k] = { ...results[k], PostgreSQL: v };
  } finally {
    await server.stop();
  }
} else console.error('sync-core bench: PostgreSQL is not installed (apt-get install postgresql): its column is left out');

console.log('\nsync-core: against the mock over loopback\n');
console.table(results);
