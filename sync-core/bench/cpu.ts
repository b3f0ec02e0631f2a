/**
 * The CPU time of the processes behind a bench figure: the engine, PostgreSQL's server processes and
 * the mock, read from /proc. On a machine of two cores the three compete for the CPU, and a wall
 * time says nothing of whether it waited for the network, for a lock, or for a core: with the CPU
 * beside it, the table says how far the figure is from what these cores can do at all (the CPU
 * time spread over every core). Linux only: elsewhere `cpuSupported` is false and the bench leaves
 * the figures out.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** Each group's processes, asked again at every snapshot (PostgreSQL starts a backend per connection). */
export type ProcessGroups = Record<string, () => readonly number[]>;

/** CPU milliseconds per process, at one moment. */
export type CpuSnapshot = ReadonlyMap<number, number>;

export const cpuSupported = existsSync('/proc/self/stat');

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User and system time of `pid`, all its threads, in milliseconds; undefined once it is gone. */
function processCpuMs(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: the fields after it start at the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond; // utime, stime (fields 14, 15)
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(groups: ProcessGroups): CpuSnapshot {
  const snapshot = new Map<number, number>();
  for (const pids of Object.values(groups)) {
    for (const pid of pids()) {
      const ms = processCpuMs(pid);
      if (ms !== undefined) snapshot.set(pid, ms);
    }
  }
  return snapshot;
}

/**
 * Each group's CPU milliseconds since `before`. A process started since counts whole; one gone
 * since counts for nothing (its last moments are lost: the benches keep their processes until
 * they have measured).
 */
export function cpuSince(before: CpuSnapshot, groups: ProcessGroups): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [group, pids] of Object.entries(groups)) {
    used[group] = 0;
    for (const pid of new Set(pids())) {
      const now = processCpuMs(pid);
      if (now !== undefined) used[group] += now - (before.get(pid) ?? 0);
    }
  }
  return used;
}

const totalOf = (used: Record<string, number>) => Object.values(used).reduce((sum, ms) => sum + ms, 0);

/** "engine 1.30 s + PostgreSQL 0.65 s + mock 0.20 s = 2.15 s, 1.08 s on 2 cores": the last figure is the shortest wall time this CPU time allows. */
export function describeCpu(used: Record<string, number>): string {
  const total = totalOf(used);
  const parts = Object.entries(used).map(([group, ms]) => `${group} ${(ms / 1000).toFixed(2)} s`);
  const cores = availableParallelism();
  return `${parts.join(' + ')} = ${(total / 1000).toFixed(2)} s, ${(total / cores / 1000).toFixed(2)} s on ${cores} cores`;
}

/** How many of the machine's cores `used` kept busy over `wallMs`: "1.9 of 2 cores". */
export function coresBusy(used: Record<string, number>, wallMs: number): string {
  return `${(totalOf(used) / wallMs).toFixed(1)} of ${availableParallelism()} cores`;
}

/**
 * The most units of work per second the machine's cores allow when `used` did `units` of it: every
 * core busy at the same CPU time per unit. A ceiling no number of workers can pass on this machine.
 */
export function mostPerSecond(used: Record<string, number>, units: number): number {
  return (units * availableParallelism() * 1000) / totalOf(used);
}

/** The server processes of the PostgreSQL whose data directory is `dataDirectory`: the postmaster and its children. */
export function postgresProcesses(dataDirectory: string): number[] {
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(join(dataDirectory, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return [];
  }
  const pids = [postmaster];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster) pids.push(Number(entry)); // field 4: the parent
    } catch {
      // gone while listed
    }
  }
  return pids;
}
