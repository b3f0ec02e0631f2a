/**
 * Spawning a CalDAV server as a child process: a free loopback port, a temporary directory,
 * readiness by polling HTTP (never a fixed sleep), and a stop that always reaps the process and
 * removes the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * The first executable found: the override (an environment variable such as RADICALE_BIN, used
 * alone when set), else explicit candidates, then PATH.
 */
export function findExecutable(name: string, candidates: string[], override?: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const paths = override ? [override] : [...candidates, ...dirs.map((d) => join(d, name))];
  for (const path of paths) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

export interface SpawnedServer {
  child: ChildProcess;
  /** Everything the process wrote, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `command args`, then polls `readyUrl` until any HTTP answer arrives (up to `timeoutMs`),
 * failing early with the process's output if it exits first. `cleanup` runs after the process is gone.
 */
export async function spawnServer(options: {
  name: string;
  command: string;
  args: string[];
  readyUrl: string;
  timeoutMs?: number;
  cleanup?: () => void;
  env?: NodeJS.ProcessEnv;
}): Promise<SpawnedServer> {
  const { name, command, args, readyUrl, timeoutMs = 20_000 } = options;
  let log = '';
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  child.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8000)));
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  // A safety net: never leave a server behind if the test process ends without afterAll.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    options.cleanup?.();
  };

  const deadline = Date.now() + timeoutMs;
  let running = true;
  void exited.then(() => (running = false));
  for (;;) {
    if (spawnError || !running) {
      await stop();
      throw new Error(`${name} (${command}) did not start: ${spawnError?.message ?? `exited with code ${child.exitCode}`}\n${log}`);
    }
    try {
      await fetch(readyUrl, { method: 'OPTIONS', signal: AbortSignal.timeout(1000) });
      break; // any HTTP answer means it is serving
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not answer on ${readyUrl} within ${timeoutMs} ms\n${log}`);
    }
    // A short pause between polls, cut short if the process exits.
    await Promise.race([new Promise((r) => setTimeout(r, 50)), exited]);
  }
  return { child, output: () => log, stop };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
