/**
 * The mock in its own process for the sync-core benches, as iCloud is in production: its work
 * (serving thousands of objects) runs beside the engine's on the other core instead of inside the
 * engine's event loop, so the figures are the engine's. Seeded from a world written to a temporary
 * file; driven afterwards through its control plane.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../common/project-root.js';

export interface MockProcess {
  gatewayUrl: string;
  /** The mock's process, for the benches' CPU figures (cpu.ts). */
  pid: number;
  /** A control-plane call (`POST accounts`, `PUT clock`…); throws on an error answer. */
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startMockProcess(options: { world?: unknown; clock?: number } = {}): Promise<MockProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-world-'));
  // No request log: a line per request on a pipe costs the mock more than the request itself.
  const args = ['--import', 'tsx', 'mock-icloud/bench/serve.ts', '--port', '0', '--partition-port', '0', '--log-level', 'silent'];
  if (options.world) {
    writeFileSync(join(dir, 'world.json'), JSON.stringify(options.world));
    args.push('--world', join(dir, 'world.json'));
  }
  if (options.clock !== undefined) args.push('--clock', new Date(options.clock).toISOString());
  const child = spawn(process.execPath, args, { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const gatewayUrl = await new Promise<string>((resolve, reject) => {
    const read = (d: Buffer) => {
      output += String(d);
      const g = /gateway: (\S+)/.exec(output);
      if (g && /partition: \S+/.test(output)) {
        child.stdout!.off('data', read);
        child.stdout!.resume(); // anything printed later is dropped
        resolve(g[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.once('exit', (code) => reject(new Error(`mock exited ${code}: ${output}`)));
  });
  return {
    gatewayUrl,
    pid: child.pid!,
    control: controlAt(gatewayUrl),
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** MockProcess.control for the mock at `gatewayUrl`, from any process (a bench's child included). */
export function controlAt(gatewayUrl: string): MockProcess['control'] {
  return async (method, path, body) => {
    const res = await fetch(new URL(`__mock/${path}`, gatewayUrl), { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
}
