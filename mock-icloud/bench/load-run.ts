/**
 * `npm run bench` (load part): 50 concurrent clients doing a realistic CalDAV mix for 60 seconds
 * (LOAD_SECONDS to change it) against the mock running in its own process, as `npx mock-icloud`
 * runs it, over loopback. Prints throughput, p50/p99 latency, any 5xx, and the server's heap
 * before and after the run (each after a reset and a full GC), to show it keeps nothing it should not.
 */
import { spawn } from 'node:child_process';
import { projectRoot } from '../../common/project-root.js';
import { runLoad, type LoadTarget } from '../load/load.js';

const ROOT = projectRoot();
const seconds = Number(process.env.LOAD_SECONDS ?? 60);

const server = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'mock-icloud/bench/serve.ts', '--port', '0', '--partition-port', '0', '--clock', '2026-11-21T09:00:00Z'], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
const urls = await new Promise<{ gateway: string; partition: string }>((resolve, reject) => {
  server.stdout!.on('data', (d) => {
    output += d;
    const g = /gateway: (\S+)/.exec(output);
    const p = /partition: (\S+)/.exec(output);
    if (g && p) resolve({ gateway: g[1], partition: p[1] });
  });
  server.once('exit', (code) => reject(new Error(`mock exited ${code}: ${output}`)));
});
const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(new URL(`__mock/${path}`, urls.gateway), { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
};
const now = Date.parse(((await control('GET', 'clock')) as { now: string }).now);
const target: LoadTarget = {
  partitionUrl: urls.partition,
  control: {
    now: () => now,
    createAccount: (spec) => control('POST', 'accounts', spec) as Promise<{ dsid: string }>,
    createCalendar: (appleId, spec) => control('POST', `accounts/${appleId}/calendars`, spec),
    putEvent: (appleId, calendar, event) => control('POST', `accounts/${appleId}/calendars/${calendar}/events`, event),
  },
};
const heapMb = async () => ((await control('GET', 'health?gc=1')) as { heapUsedBytes: number }).heapUsedBytes / 1024 / 1024;

try {
  // Warm up (JIT, first allocations), then the baseline on an empty mock.
  await runLoad(target, { clients: 50, requestsPerClient: 20, accounts: 10, eventsPerAccount: 200 });
  await control('PUT', 'world', { accounts: [] });
  await control('DELETE', 'journal');
  const before = await heapMb();
  console.error(`mock-icloud load: 50 clients for ${seconds} s…`);
  const result = await runLoad(target, { clients: 50, durationMs: seconds * 1000, accounts: 10, eventsPerAccount: 200 });
  await control('PUT', 'world', { accounts: [] });
  await control('DELETE', 'journal');
  const after = await heapMb();
  console.log(`\nmock-icloud load: 50 clients, realistic mix, ${(result.durationMs / 1000).toFixed(0)} s, mock in its own process, loopback\n`);
  console.table({
    requests: result.requests.toLocaleString('en'),
    'requests per second': Math.round(result.requests / (result.durationMs / 1000)).toLocaleString('en'),
    'p50 latency': `${result.p50.toFixed(1)} ms`,
    'p99 latency': `${result.p99.toFixed(1)} ms`,
    'unexpected 5xx': result.serverErrors.length,
    'network errors': result.networkErrors.length,
    statuses: JSON.stringify(result.byStatus),
    'server heap after reset, before → after': `${before.toFixed(1)} MB → ${after.toFixed(1)} MB`,
  });
  if (result.serverErrors.length || result.networkErrors.length) process.exitCode = 1;
} finally {
  server.kill('SIGTERM');
}
