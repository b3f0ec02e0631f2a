/**
 * `npm run bench` (sync core part): what a production-sized load costs, measured against the mock
 * over loopback. A measurement, not a test.
 *
 * - initial sync of a 10,000-event iCloud calendar, in a process that has synced nothing yet
 *   (its code not yet compiled by V8's optimising tiers), and then of another such calendar in the
 *   same running engine, as a long-lived worker meets a new user;
 * - an incremental sync after one change in that calendar (should not grow with the calendar);
 * - one polling cycle over 1,000 connections with nothing changed (the steady state);
 * with the mock in its own process (mock-process.ts), each on SQLite and, where it is installed, on a PostgreSQL the bench starts in a temporary directory.
 */
import { utcDateTime as fmt } from '../../icalendar/index.js';
import { performance } from 'node:perf_hooks';
import { FixedClock } from '../../common/clock.js';
import { SyncCore } from '../sync-core.js';
import { PostgresStore } from '../store/postgres-store.js';
import { postgresBinaries, startTestPostgres } from '../store/postgres/test-postgres.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { startMockProcess } from './mock-process.js';

const NOW = Date.parse('2026-11-21T09:00:00Z');
const DAY = 86_400_000;
const ics = (uid: string, start: number, extra = '') =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//bench//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261101T000000Z',
    `LAST-MODIFIED:${fmt(NOW - DAY)}`,
    `DTSTART:${fmt(start)}`,
    `DTEND:${fmt(start + 3_600_000)}`,
    `SUMMARY:Event ${uid}${extra}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

async function bigCalendar(open: Opener): Promise<Record<string, string>> {
  const clock = new FixedClock(NOW);
  const events = (prefix: string) => Array.from({ length: 10_000 }, (_, i) => ({ ics: ics(`${prefix}${i}`, NOW - 20 * DAY + Math.floor(i / 30) * DAY + (i % 30) * 600_000) }));
  const account = (name: string, prefix: string) => ({
    appleId: `${name}@example.com`,
    fullName: name,
    password: 'regular',
    appPasswords: ['bigg-bigg-bigg-bigg'],
    calendars: [{ name: 'big', events: events(prefix) }],
  });
  const mock = await startMockProcess({ clock: NOW, world: { accounts: [account('big', 'E'), account('next', 'N')] } });
  const core = new SyncCore({ clock, store: await open(clock, 'big') });
  try {
    const sub = await core.platform.createSubAccount({ name: 'Bench' });
    const connect = async (name: string) => {
      const user = await core.platform.createUser({ subAccountId: sub.id, name, email: `${name}@bench.test`, timeZone: 'Europe/London' });
      const connection = await core.connections.connect({ subAccountId: sub.id, userId: user.id, appleId: `${name}@example.com`, appPassword: 'bigg-bigg-bigg-bigg', serverUrl: mock.gatewayUrl });
      await core.connections.chooseCalendars(connection.id, { linked: 'big' });
      return connection;
    };
    const firstSync = async (connectionId: string) => {
      const t0 = performance.now();
      const report = await core.sync(connectionId);
      if (report.outcome !== 'ok' || report.pulled.created !== 10_000) throw new Error(`first sync: ${JSON.stringify(report.errors)} ${JSON.stringify(report.pulled)}`);
      return performance.now() - t0;
    };
    const connection = await connect('big');
    const next = await connect('next');

    const initialMs = await firstSync(connection.id);

    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      await mock.control('POST', 'accounts/big@example.com/calendars/big/events', { ics: ics(`E${i * 37}`, NOW + i * DAY, ' (moved)') });
      const t = performance.now();
      const report = await core.sync(connection.id);
      samples.push(performance.now() - t);
      if (report.pulled.updated !== 1) throw new Error(`expected one update, got ${JSON.stringify(report.pulled)}`);
    }
    samples.sort((a, b) => a - b);
    const runningMs = await firstSync(next.id);
    return {
      'initial sync, 10,000 events, new process': `${(initialMs / 1000).toFixed(2)} s (10,000 blocked slots)`,
      'initial sync, 10,000 events, running engine': `${(runningMs / 1000).toFixed(2)} s (another user's calendar, after the syncs above)`,
      'incremental sync, 1 change in 10,000': `${samples[10]!.toFixed(1)} ms median`,
    };
  } finally {
    await core.close();
    await mock.stop();
  }
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
    const steadyMs = [...cycles].sort((a, b) => a - b)[1]!;
    return {
      'connect 1,000 users': `${(setupMs / 1000).toFixed(1)} s`,
      'first polling cycle, 1,000 connections': `${(firstMs / 1000).toFixed(2)} s`,
      'steady polling cycle, 1,000 connections': `${(steadyMs / 1000).toFixed(2)} s median of ${cycles.map((c) => (c / 1000).toFixed(2)).join(', ')}`,
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
const big = await bigCalendar(sqlite);
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
    const pgBig = await bigCalendar(postgres);
    console.error('sync-core bench (PostgreSQL): 1,000 connections…');
    const pgMany = await manyConnections(postgres);
    for (const [k, v] of Object.entries({ ...pgBig, ...pgMany })) results[k] = { ...results[k], PostgreSQL: v };
  } finally {
    await server.stop();
  }
} else console.error('sync-core bench: PostgreSQL is not installed (apt-get install postgresql): its column is left out');

console.log('\nsync-core: against the mock over loopback\n');
console.table(results);
