/**
 * The installed command, as `npx mock-icloud` runs it: it prints the gateway URL once it accepts
 * connections, serves the world, and stops cleanly on SIGTERM and SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function start(args: string[]): { child: ChildProcess; output: () => string; line: (pattern: RegExp) => Promise<RegExpMatchArray> } {
  const child = spawn(process.execPath, ['bin/mock-icloud.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (d) => {
    out += d;
    waiters.splice(0).forEach((w) => w());
  });
  child.stderr!.on('data', (d) => {
    out += d;
    waiters.splice(0).forEach((w) => w());
  });
  const line = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = out.match(pattern);
        if (m) return resolve(m);
        if (child.exitCode !== null) return reject(new Error(`exited ${child.exitCode}: ${out}`));
        waiters.push(check);
      };
      child.once('exit', check);
      check();
    });
  return { child, output: () => out, line };
}

describe('mock-icloud command', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('serves the demo world and stops on %s', async (signal) => {
    const mock = start(['--port', '0', '--partition-port', '0', '--world', 'fixtures/worlds/demo.yaml', '--clock', '2026-11-21T09:00:00Z']);
    const [, gateway] = await mock.line(/gateway: (http:\/\/127\.0\.0\.1:\d+\/)\n/);
    await mock.line(/account: carol@example\.com/);
    expect(mock.output()).toContain('account: alice@example.com (DSID 10000001001), app-specific password abcd-efgh-ijkl-mnop');
    const res = await fetch(gateway, {
      method: 'PROPFIND',
      headers: { Authorization: `Basic ${Buffer.from('alice@example.com:abcd-efgh-ijkl-mnop').toString('base64')}`, Depth: '0' },
      body: '<propfind xmlns="DAV:"><prop><current-user-principal/></prop></propfind>',
    });
    expect(res.status).toBe(207);
    expect(await res.text()).toContain('/10000001001/principal/');
    // The request log (--log-level, default info): one JSON line per request on stdout.
    const [logLine] = await mock.line(/^\{.*"msg":"PROPFIND \/ 207"\}$/m);
    expect(JSON.parse(logLine)).toMatchObject({
      level: 30,
      name: 'mock-icloud',
      origin: 'gateway',
      account: 'alice@example.com',
      method: 'PROPFIND',
      path: '/',
      status: 207,
      durationMs: expect.any(Number),
    });
    mock.child.kill(signal);
    const [code] = await once(mock.child, 'exit');
    expect(code).toBe(0);
  });

  it('explains a bad world file and exits non-zero', async () => {
    const mock = start(['--port', '0', '--partition-port', '0', '--world', 'fixtures/worlds/does-not-exist.yaml']);
    const [code] = await once(mock.child, 'exit');
    expect(code).toBe(1);
    expect(mock.output()).toMatch(/cannot read world file .*does-not-exist\.yaml: ENOENT/);
  });

  it('switches faults on from flags and from a faults file', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = `${mkdtempSync(`${tmpdir()}/faults-`)}/faults.yaml`;
    writeFileSync(file, '- { kind: latency, latencyMs: 1, match: { method: GET } }\n');
    const mock = start(['--port', '0', '--partition-port', '0', '--world', 'fixtures/worlds/demo.yaml', '--fault', 'unavailable:retryAfter=30,count=1,account=alice@example.com', '--faults', file]);
    const [, gateway] = await mock.line(/gateway: (http:\/\/127\.0\.0\.1:\d+\/)\n/);
    await mock.line(/fault: fault-2 latency/);
    expect(mock.output()).toContain('fault: fault-1 unavailable {"account":"alice@example.com"}');
    const headers = { Authorization: `Basic ${Buffer.from('alice@example.com:abcd-efgh-ijkl-mnop').toString('base64')}`, Depth: '0' };
    const first = await fetch(gateway, { method: 'PROPFIND', headers });
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('30');
    expect((await fetch(gateway, { method: 'PROPFIND', headers })).status).toBe(207);
    mock.child.kill('SIGTERM');
    await once(mock.child, 'exit');
  });

  it('explains a malformed fault flag', async () => {
    const mock = start(['--port', '0', '--partition-port', '0', '--fault', 'explode']);
    const [code] = await once(mock.child, 'exit');
    expect(code).toBe(2); // refused while parsing, as any malformed option
    expect(mock.output()).toContain('unknown fault kind "explode"');
  });

  it('refuses unknown options with usage', async () => {
    const mock = start(['--bogus']);
    const [code] = await once(mock.child, 'exit');
    expect(code).toBe(2);
    expect(mock.output()).toContain("error: unknown option '--bogus'");
    expect(mock.output()).toContain('--help');
  });
});
