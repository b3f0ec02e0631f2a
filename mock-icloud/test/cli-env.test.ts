/**
 * The command configured from the environment, as in a container: PORT, PARTITION_PORT, HOST,
 * WORLD, CLOCK, FAULT, PUBLIC_GATEWAY_URL, PUBLIC_PARTITION_URL; a flag wins over its variable;
 * `--port 0` alone puts both origins on free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, aliceAuth, texts } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }),
  );
});

/** Starts the command with only these variables (and PATH), resolves once it printed `until`. */
async function run(args: string[], env: Record<string, string>, until = /^account: carol@example\.com.*\n/m): Promise<{ out: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/mock-icloud.js', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => until.test(out) && resolve());
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  return { out, child };
}

const field = (out: string, name: string) => out.match(new RegExp(`^${name}: (\\S+)`, 'm'))?.[1];

describe('mock-icloud configured from the environment', () => {
  it('reads HOST, PORT, PARTITION_PORT, WORLD, CLOCK, FAULT and the public URLs', async () => {
    const { out } = await run([], {
      HOST: '0.0.0.0',
      PORT: '0',
      PARTITION_PORT: '0',
      WORLD: 'fixtures/worlds/demo.yaml',
      CLOCK: '2026-11-21T09:00:00Z',
      FAULT: 'latency:latencyMs=1,method=GET; unavailable:count=1,method=REPORT',
      PUBLIC_GATEWAY_URL: 'http://gateway.example.test:49153/',
      PUBLIC_PARTITION_URL: 'http://partition.example.test:49154',
      MOCK_ICLOUD_CONTROL_TOKEN: 'env-control-token-0123456789',
    });
    expect(field(out, 'gateway')).toBe('http://gateway.example.test:49153/');
    expect(field(out, 'partition')).toBe('http://partition.example.test:49154/');
    expect(out).toContain('fault: fault-1 latency');
    expect(out).toContain('fault: fault-2 unavailable');
    const [, gatewayPort] = out.match(/^listening: 0\.0\.0\.0 ports (\d+) \(gateway\) and (\d+) \(partition\)$/m)!;
    // The real port answers; the home-set names the public partition URL; the clock is pinned.
    const res = await fetch(`http://127.0.0.1:${gatewayPort}/${ALICE.dsid}/principal/`, {
      method: 'PROPFIND',
      headers: { Authorization: aliceAuth, Depth: '0' },
      body: '<propfind xmlns="DAV:"><prop><calendar-home-set xmlns="urn:ietf:params:xml:ns:caldav"/></prop></propfind>',
    });
    expect(res.status).toBe(207);
    expect(texts(await res.text(), 'href')).toContain(`http://partition.example.test:49154/${ALICE.dsid}/calendars/`);
    // Bound beyond loopback: the control plane wants the token.
    expect((await fetch(`http://127.0.0.1:${gatewayPort}/__mock/clock`)).status).toBe(401);
    const clock = (await (await fetch(`http://127.0.0.1:${gatewayPort}/__mock/clock`, { headers: { Authorization: 'Bearer env-control-token-0123456789' } })).json()) as { now: string };
    expect(clock.now).toBe('2026-11-21T09:00:00.000Z');
  });

  it('lets a flag win over its variable', async () => {
    const { out } = await run(['--port', '0', '--world', 'fixtures/worlds/demo.yaml'], { PORT: '1', WORLD: 'fixtures/worlds/does-not-exist.yaml', HOST: '127.0.0.1' });
    expect(field(out, 'gateway')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(out).toContain('account: alice@example.com');
  });

  it('puts both origins on free ports with --port 0 alone, and binds 0.0.0.0 without advertising it', async () => {
    const { out } = await run(['--port', '0', '--host', '0.0.0.0', '--control-token', 'flag-control-token-0123456789'], {}, /^control: .*\n/m);
    const gateway = field(out, 'gateway')!;
    const partition = field(out, 'partition')!;
    expect(gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(partition).toMatch(/^http:\/\/localhost:\d+\/$/);
    expect(partition.split(':')[2]).not.toBe('8444/');
    expect(out).not.toMatch(/gateway: http:\/\/0\.0\.0\.0/);
    const health = await fetch(`${gateway}__mock/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
  });

  it('refuses a bad port or public URL from the environment', async () => {
    const child = spawn(process.execPath, ['bin/mock-icloud.js'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toContain('ports must be whole numbers');
    const bad = spawn(process.execPath, ['bin/mock-icloud.js', '--port', '0'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PUBLIC_PARTITION_URL: 'http://0.0.0.0:8444/' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let badErr = '';
    bad.stderr.on('data', (d) => (badErr += d));
    const [badCode] = await once(bad, 'exit');
    expect(badCode).toBe(1);
    expect(badErr).toMatch(/publicPartitionUrl: .*wildcard/);
    const open = spawn(process.execPath, ['bin/mock-icloud.js', '--port', '0', '--host', '0.0.0.0'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let openErr = '';
    open.stderr.on('data', (d) => (openErr += d));
    const [openCode] = await once(open, 'exit');
    expect(openCode).toBe(1);
    expect(openErr).toMatch(/control token/);
  });
});
