/**
 * `icloud-sync worker` in a process of its own, from the TypeScript sources (no build needed),
 * for the workers test and the workers bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../common/project-root.js';

export function startWorker(db: string, id: string, options: string[], io: { stderr?: 'inherit' | 'pipe' } = {}): ChildProcess {
  const run = "import('./sync-core/cli.ts').then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })";
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', run, '--', '--db', db, 'worker', '--worker-id', id, ...options], {
    cwd: projectRoot(),
    stdio: ['ignore', 'pipe', io.stderr ?? 'inherit'],
  });
  child.stdout!.resume();
  return child;
}

/** Resolves with the first line `stream` writes that matches `pattern` (rejects if it ends first). */
export function lineMatching(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      const found = lines.find((line) => pattern.test(line));
      if (found !== undefined) {
        stream.off('data', onData);
        stream.off('end', onEnd);
        resolve(found);
      }
    };
    const onEnd = () => reject(new Error(`the stream ended before a line matching ${pattern}`));
    stream.on('data', onData);
    stream.once('end', onEnd);
  });
}
