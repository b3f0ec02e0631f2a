/**
 * One sample of the bench's 10,000-event calendar (run.ts), in a process of its own: the first
 * sync here is a first sync in a new process (V8 has compiled none of the engine's code yet),
 * whichever store and sample it is.
 *
 * `tsx sync-core/bench/big-calendar.ts <gateway URL> <sqlite | postgres://…> <sample> [mock pid]
 * [PostgreSQL data directory]`: connects two users of the mock's `big` and `next` accounts
 * (bigAccount), syncs `big` (the new-process figure), then one change at a time twenty times, then
 * `next` in the same running engine. Prints one JSON line: { initialMs, runningMs, incrementalMs,
 * initialCpu, runningCpu } (incremental: the median; the CPU of the engine, PostgreSQL and the mock
 * during each first sync, where /proc tells it). Samples share the mock: each changes the events
 * its own way (`sample` in the title), so every change is one.
 */
import { performance } from 'node:perf_hooks';
import { FixedClock } from '../../common/clock.js';
import { PostgresStore } from '../store/postgres-store.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { SyncCore } from '../sync-core.js';
import { BENCH_NOW, DAY, benchEvent } from './calendar-data.js';
import { cpuSince, cpuSnapshot, cpuSupported, postgresProcesses, type ProcessGroups } from './cpu.js';
import { controlAt } from './mock-process.js';

const [gatewayUrl, database, sample = '0', mockPid, postgresData] = process.argv.slice(2);
if (!gatewayUrl || !database) throw new Error('usage: big-calendar.ts <gateway URL> <sqlite | postgres://…> <sample>');
const control = controlAt(gatewayUrl);
const clock = new FixedClock(BENCH_NOW);
const store = database === 'sqlite' ? new SqliteStore(':memory:', clock) : await PostgresStore.open(database, clock, { poolSize: 8 });
const core = new SyncCore({ clock, store });
const processes: ProcessGroups = { engine: () => [process.pid] };
if (postgresData) processes.PostgreSQL = () => postgresProcesses(postgresData);
if (mockPid) processes.mock = () => [Number(mockPid)];
try {
  const sub = await core.platform.createSubAccount({ name: 'Bench' });
  const connect = async (name: string) => {
    const user = await core.platform.createUser({ subAccountId: sub.id, name, email: `${name}@bench.test`, timeZone: 'Europe/London' });
    const connection = await core.connections.connect({ subAccountId: sub.id, userId: user.id, appleId: `${name}@example.com`, appPassword: 'bigg-bigg-bigg-bigg', serverUrl: gatewayUrl });
    await core.connections.chooseCalendars(connection.id, { linked: 'big' });
    return connection;
  };
  const firstSync = async (connectionId: string) => {
    const cpu = cpuSupported ? cpuSnapshot(processes) : undefined;
    const t0 = performance.now();
    const report = await core.sync(connectionId);
    const ms = performance.now() - t0;
    if (report.outcome !== 'ok' || report.pulled.created !== 10_000) throw new Error(`first sync: ${JSON.stringify(report.errors)} ${JSON.stringify(report.pulled)}`);
    return { ms, cpu: cpu && cpuSince(cpu, processes) };
  };
  const big = await connect('big');
  const next = await connect('next');

  const initial = await firstSync(big.id);

  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    await control('POST', 'accounts/big@example.com/calendars/big/events', { ics: benchEvent(`E${i * 37}`, BENCH_NOW + i * DAY, ` (moved, sample ${sample})`) });
    const t = performance.now();
    const report = await core.sync(big.id);
    samples.push(performance.now() - t);
    if (report.pulled.updated !== 1) throw new Error(`expected one update, got ${JSON.stringify(report.pulled)}`);
  }
  samples.sort((a, b) => a - b);
  const running = await firstSync(next.id);
  console.log(JSON.stringify({ initialMs: initial.ms, runningMs: running.ms, incrementalMs: samples[10], initialCpu: initial.cpu, runningCpu: running.cpu }));
} finally {
  await core.close();
}
