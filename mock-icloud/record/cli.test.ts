/**
 * The record and world-from-capture subcommands: bad input is one clear line (no stack trace), and
 * a capture becomes a world file on stdout that the mock's own loader accepts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWorldText } from '../world/files.js';
import { recordMain, worldFromCaptureMain } from './cli.js';
import { toHar } from './har.js';

const dir = mkdtempSync(join(tmpdir(), 'record-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(main: typeof recordMain, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (l) => err.push(...l.split('\n')) });
  return { code, out: out.join(''), err };
}

describe('world-from-capture command', () => {
  it('a missing file: one line naming it', async () => {
    const r = await run(worldFromCaptureMain, [join(dir, 'nope.har')]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`mock-icloud world-from-capture: cannot read capture ${join(dir, 'nope.har')}: ENOENT`]);
  });

  it('a file that is not JSON, and JSON that is not HAR: one line each, with the place', async () => {
    writeFileSync(join(dir, 'text.har'), 'hello');
    writeFileSync(
      join(dir, 'bad.har'),
      JSON.stringify({
        log: { version: '1.2', entries: [{ startedDateTime: 'x', time: 1, request: { method: 'GET', url: '/relative', headers: [] }, response: { status: 200, headers: [], content: {} } }] },
      }),
    );
    const text = await run(worldFromCaptureMain, [join(dir, 'text.har')]);
    expect(text.err).toHaveLength(1);
    expect(text.err[0]).toMatch(/text\.har: not a HAR file \(not JSON/);
    const bad = await run(worldFromCaptureMain, [join(dir, 'bad.har')]);
    expect(bad.err).toEqual([`mock-icloud world-from-capture: ${join(dir, 'bad.har')}: not a HAR 1.2 capture: log.entries[0].request.url: not an absolute URL`]);
  });

  it('an empty capture gives a loadable world with the one account', async () => {
    writeFileSync(join(dir, 'empty.har'), JSON.stringify(toHar([], { gateway: 'https://caldav.icloud.com', partitions: [], anonymised: true, user: 'appleid-1@example.invalid' })));
    const r = await run(worldFromCaptureMain, [join(dir, 'empty.har')]);
    expect(r.code).toBe(0);
    expect(parseWorldText(r.out).accounts.map((a) => a.appleId)).toEqual(['appleid-1@example.invalid']);
  });
});

describe('record command', () => {
  it('refuses a missing --out or a bad upstream with one line', async () => {
    const missing = await run(recordMain, ['--upstream', 'https://caldav.icloud.com/']);
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toBe('mock-icloud record: --upstream and --out are required');
    const bad = await run(recordMain, ['--upstream', 'ftp://x', '--out', join(dir, 'c.har')]);
    expect(bad.err).toEqual(['mock-icloud record: --upstream "ftp://x" must be http:// or https://']);
  });
});
