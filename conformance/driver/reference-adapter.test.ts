/**
 * `icloud-sync driver --port P`, the installed command a team runs beside its CI job: it needs no
 * other option, prints its URL on the first line, serves the protocol, and stops cleanly on SIGTERM.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../common/project-root.js';

const BIN = join(projectRoot(), 'bin', 'icloud-sync.js');
const run = promisify(execFile);

describe('icloud-sync driver', () => {
  it('serves sync-core on 127.0.0.1, prints its URL, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'driver', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const [url] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const capabilities = await (await fetch(new URL('v1/capabilities', url))).json();
      expect(capabilities).toMatchObject({ protocol: 1, name: 'sync-core', capabilities: expect.arrayContaining(['crash-before-request', 'crash-after-request']) });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('refuses a port that is not one, and a missing --port, with exit 2 on stderr', async () => {
    for (const [args, message] of [
      [['driver', '--port', 'abc'], '--port must be a whole number from 0 to 65535, not "abc"'],
      [['driver'], '--port is required'],
      [['driver', '--port', '1', '--db', 'x'], "Unknown option '--db'"],
    ] as const) {
      const failure = await run(process.execPath, [BIN, ...args]).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure?.code, args.join(' ')).toBe(2);
      expect(failure?.stderr).toContain(`icloud-sync driver: ${message}`);
      expect(failure?.stdout).toBe('');
    }
  });
});
