/**
 * One sync in a process of its own (crash-child.ts), killed with SIGKILL just before sending, or
 * just after the answer to, its k-th request. Shared by the crash tests (crash.test.ts,
 * import-batches.test.ts).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { projectRoot } from '../../common/project-root.js';

/** 'killed', or how the run ended when it never reached request k ('exit 0: completed after N requests'). */
export async function syncInChild(database: string, connectionId: string, now: number, k: number, mode: 'before' | 'after'): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-core/test/crash-child.ts', database, connectionId, String(now), String(k), mode], {
    cwd: projectRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const [code, signal] = await once(child, 'exit');
  return signal === 'SIGKILL' ? 'killed' : `exit ${code}: ${out.trim()}`;
}
