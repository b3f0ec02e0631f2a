/**
 * A real PostgreSQL for the tests, started in a temporary directory (initdb, pg_ctl) on a free
 * loopback port, and stopped after: no shared server, nothing left behind. Debian's `postgresql`
 * package provides the programs; without it the suites that need it skip with one line, unless
 * REQUIRE_PEERS=1 or REQUIRE_POSTGRES=1 makes that a failure (conformance/peers.ts).
 *
 * PostgreSQL refuses to run as root, so under root (CI, this machine) the server runs as the
 * `postgres` system user the package creates, in a directory that user owns.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer, type Peer } from '../../../conformance/peers.js';

export interface TestPostgres {
  /** `postgres://test@127.0.0.1:PORT/postgres` */
  url: string;
  /** The temporary directory holding the cluster and its socket (removed by stop). */
  directory: string;
  /** The cluster's data directory, inside `directory` (its postmaster.pid names the server's process). */
  dataDirectory: string;
  /** A new, empty database on this server, and its URL. */
  createDatabase(name: string): Promise<string>;
  /**
   * Stops the server as a crash would (immediate shutdown), runs `whileDown`, and starts it again on
   * the same port with the same data: what a client sees when its database restarts.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** The directory holding initdb and pg_ctl, or undefined. */
export function postgresBinaries(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(':').find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(root, versions[0], 'bin');
}

/** Whether the suite can run, with the one printed line when it cannot (see peers.ts). */
export function postgresPeer(): Promise<Peer> {
  return requirePeer(
    'PostgreSQL',
    () => {
      if (!postgresBinaries()) return 'PostgreSQL is not installed (no initdb/pg_ctl)';
      if (process.getuid?.() === 0 && !userIds('postgres')) return 'running as root and there is no postgres user to run the server as';
      return undefined;
    },
    'apt-get install postgresql',
    { requireEnv: 'REQUIRE_POSTGRES' },
  );
}

function userIds(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function run(command: string, args: string[], owner: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(owner ?? {}), env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${output.trim().slice(-2000)}`))));
  });
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBinaries();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const owner = process.getuid?.() === 0 ? userIds('postgres') : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'icloud-sync-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  await run(join(bin, 'initdb'), ['-D', data, '-U', 'test', '--auth=trust', '-E', 'UTF8', '--no-sync'], owner);
  // Loopback only, the socket in our own directory, and no durability work a test does not need.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  await run(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start'], owner);
  const url = `postgres://test@127.0.0.1:${port}/postgres`;
  const { default: pg } = await import('pg');
  return {
    url,
    directory: dir,
    dataDirectory: data,
    async createDatabase(name: string) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://test@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    async restart(whileDown) {
      await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], owner);
      try {
        await whileDown?.();
      } finally {
        await run(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start'], owner);
      }
    },
    async stop() {
      try {
        await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], owner);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Resolves once some session of the current database waits for a lock (a test's transaction
 * blocked by another's), polling pg_stat_activity through `read`, which must run on a session that
 * is not the waiting one; fails after 10 s.
 */
export async function someoneWaitsForALock(read: (sql: string) => Promise<{ n: number } | undefined>): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 5))) {
    const row = await read("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
    if (row!.n > 0) return;
  }
  throw new Error('no session came to wait for a lock within 10 s');
}
