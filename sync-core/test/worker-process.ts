/**
 * `icloud-sync worker` in a process of its own, from the TypeScript sources (no build needed),
 * for the workers test and the workers bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../common/project-root.js';

export function startWorker(db: string, id: string, options: string[]): ChildProcess {
  const run = "import('./sync-core/cli.ts').then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })";
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', run, '--', '--db', db, 'worker', '--worker-id', id, ...options], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout!.resume();
  return child;
}
