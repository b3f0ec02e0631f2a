import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lineMatching } from '../test/worker-process.js';
import { coresBusy, cpuSince, cpuSnapshot, cpuSupported, describeCpu, mostPerSecond, postgresProcesses } from './cpu.js';

/** Spins until this process has used `ms` more CPU milliseconds, by its own count. */
function burn(ms: number): number {
  const start = process.cpuUsage();
  let used = 0;
  while (used < ms) {
    const d = process.cpuUsage(start);
    used = (d.user + d.system) / 1000;
  }
  return used;
}

describe.skipIf(!cpuSupported)('bench CPU figures (/proc)', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('counts what a process used since the snapshot, as the process itself counts it', () => {
    const groups = { engine: () => [process.pid] };
    const before = cpuSnapshot(groups);
    const used = burn(200);
    const measured = cpuSince(before, groups).engine!;
    // /proc counts in clock ticks (10 ms), process.cpuUsage in microseconds.
    expect(Math.abs(measured - used)).toBeLessThan(40);
  });

  it('a process gone counts for nothing, one started since counts whole', async () => {
    // Spins for 150 ms of its CPU, then says so and waits.
    const spin = 'const t = process.cpuUsage(); while (process.cpuUsage(t).user < 150_000); console.log("spun"); setInterval(() => {}, 1000)';
    const child = spawn(process.execPath, ['-e', spin], { stdio: ['ignore', 'pipe', 'ignore'] });
    cleanups.push(() => child.kill('SIGKILL'));
    const groups = { gone: () => [2 ** 22 + 7], child: () => [child.pid!] }; // above Linux's largest pid
    const before = cpuSnapshot({ gone: groups.gone });
    await lineMatching(child.stdout!, /spun/);
    const used = cpuSince(before, groups);
    expect(used.gone).toBe(0);
    expect(used.child).toBeGreaterThanOrEqual(100); // its start-up and the 150 ms spin
  });

  it("finds a PostgreSQL's processes from its postmaster.pid: the postmaster and its children", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpu-test-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    expect(postgresProcesses(dir)).toEqual([]); // no server there
    // This process stands in for the postmaster, a child of it for a backend.
    writeFileSync(join(dir, 'postmaster.pid'), `${process.pid}\n${dir}\n`);
    const backend = spawn('sleep', ['30'], { stdio: 'ignore' });
    cleanups.push(() => backend.kill('SIGKILL'));
    const found = postgresProcesses(dir);
    expect(found[0]).toBe(process.pid);
    expect(found).toContain(backend.pid);
    const exited = new Promise((r) => backend.once('exit', r));
    backend.kill('SIGKILL');
    await exited;
    expect(postgresProcesses(dir)).not.toContain(backend.pid);
  });

  it('describes the CPU time, and the shortest wall time it allows on this machine', () => {
    const cores = availableParallelism();
    expect(describeCpu({ engine: 1300, PostgreSQL: 650, mock: 200 })).toBe(`engine 1.30 s + PostgreSQL 0.65 s + mock 0.20 s = 2.15 s, ${(2.15 / cores).toFixed(2)} s on ${cores} cores`);
    expect(coresBusy({ workers: 900, PostgreSQL: 600, mock: 400 }, 1000)).toBe(`1.9 of ${cores} cores`);
  });

  it('gives the most work per second the cores allow at the CPU time measured per unit', () => {
    const cores = availableParallelism();
    // 2,000 connections for 1.4 s of CPU: 0.7 ms each, so one core does 1,428.6 a second.
    expect(mostPerSecond({ workers: 600, PostgreSQL: 500, mock: 300 }, 2000)).toBeCloseTo((2000 / 1.4) * cores, 6);
  });
});
