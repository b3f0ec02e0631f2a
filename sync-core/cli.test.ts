/**
 * The icloud-sync command against the mock: set up a user, connect, choose calendars, sync,
 * book and read availability, all through the CLI with its state in a SQLite file.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockICloud, type RunningMockICloud } from '../mock-icloud/index.js';
import { DEMO_WORLD } from '../mock-icloud/test/helpers.js';
import { main } from './cli.js';

let mock: RunningMockICloud;
const dir = mkdtempSync(join(tmpdir(), 'icloud-sync-cli-'));
const db = join(dir, 'state.sqlite');
beforeAll(async () => {
  mock = await startMockICloud({ world: DEMO_WORLD, clock: '2026-11-21T09:00:00Z' });
});
afterAll(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<{ code: number; text: string; json: () => any }> {
  const lines: string[] = [];
  // Results (stdout) and errors (stderr) together, in order: these tests read what a user sees.
  const code = await main(
    ['--db', db, ...args],
    (l) => lines.push(l),
    (l) => lines.push(l),
  );
  const text = lines.join('\n');
  return { code, text, json: () => JSON.parse(text) };
}

describe('icloud-sync', () => {
  it('sets up, connects, chooses calendars, syncs, books and shows availability', async () => {
    const user = (await run('--json', 'user', 'add', '--sub-account', 'Acme', '--name', 'Alice', '--email', 'a@acme.test', '--time-zone', 'Europe/London')).json();
    const contact = (await run('--json', 'contact', 'add', '--sub-account', 'Acme', '--name', 'Carla')).json();
    const calendar = (await run('--json', 'calendar', 'add', '--sub-account', 'Acme', '--name', 'Massage', '--type', 'service', '--member', user.id)).json();
    expect(calendar.icloudSync).toBe(true);

    const refused = await run('connect', '--user', user.id, '--apple-id', 'alice@example.com', '--app-password', 'not-an-app-password', '--server', mock.gatewayUrl);
    expect(refused.code).toBe(1);
    expect(refused.text).toContain('use an app-specific password from appleid.apple.com');

    const connected = await run('connect', '--user', user.id, '--apple-id', 'alice@example.com', '--app-password', 'abcd-efgh-ijkl-mnop', '--server', mock.gatewayUrl);
    expect(connected.code).toBe(0);
    const connectionId = /connection (\S+):/.exec(connected.text)![1];
    expect(connected.text).toContain('Work');
    expect(connected.text).not.toContain('UK Holidays');

    const subscribed = await run('choose', '--connection', connectionId, '--linked', 'UK Holidays');
    expect(subscribed.code).toBe(1);
    expect(subscribed.text).toContain('subscribed calendar');
    const chosen = await run('choose', '--connection', connectionId, '--linked', 'Work', '--conflict', 'Home');
    expect(chosen.text).toMatch(/linked\s+Work/);
    expect(chosen.text).toMatch(/conflict\s+Home/);

    const synced = await run('sync', '--connection', connectionId);
    expect(synced.code).toBe(0);
    expect(synced.text).toMatch(/: ok — pulled \d+ new/);

    const booked = await run('book', '--calendar', calendar.id, '--start', '2026-11-24T15:30:00Z', '--contact', contact.id);
    expect(booked.code).toBe(1);
    expect(booked.text).toMatch(/busy|unavailable|not free/i);
    expect((await run('book', '--calendar', calendar.id, '--start', '2026-11-24T10:00:00Z', '--contact', contact.id)).code).toBe(0);
    const pushed = await run('--json', 'sync', '--connection', connectionId);
    expect(pushed.json()[0].pushed.created).toBe(1);

    const availability = await run('availability', '--user', user.id, '--from', '2026-11-24T15:00:00Z', '--to', '2026-11-24T17:00:00Z');
    expect(availability.text.split('\n')).toEqual(['free 2026-11-24T16:00:00.000Z – 2026-11-24T16:30:00.000Z', 'free 2026-11-24T16:30:00.000Z – 2026-11-24T17:00:00.000Z']);
    expect((await run('status')).text).toContain(`${connectionId} alice@example.com user ${user.id}: active`);
  });

  it('seals the stored app-specific passwords with ICLOUD_SYNC_SECRET_KEY, and then needs it to sync', async () => {
    const connectionId = /^(\S+) alice@example.com/m.exec((await run('status')).text)![1];
    const keyless = await run('seal-passwords');
    expect(keyless.code).toBe(1);
    expect(keyless.text).toContain('no secret key was given');
    const malformed = await run('--secret-key', 'too-short', 'status');
    expect(malformed.code).toBe(1);
    expect(malformed.text).toContain('openssl rand -base64 32');
    process.env.ICLOUD_SYNC_SECRET_KEY = randomBytes(32).toString('base64');
    try {
      expect((await run('seal-passwords')).text).toBe('1 app-specific password sealed');
      expect((await run('sync', '--connection', connectionId)).text).toMatch(/: ok/);
    } finally {
      delete process.env.ICLOUD_SYNC_SECRET_KEY;
    }
    const withoutKey = await run('sync', '--connection', connectionId);
    expect(withoutKey.text).toMatch(/failed/);
    expect(withoutKey.text).toContain('stored encrypted: give the secret key it was sealed with (ICLOUD_SYNC_SECRET_KEY');
  });

  it('explains bad usage with exit code 2', async () => {
    const res = await run('sync');
    expect(res.code).toBe(2);
    expect(res.text).toContain('--connection is required');
    expect((await run('frobnicate')).text).toContain('unknown command "frobnicate"');
  });

  it('runs as the installed command', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/icloud-sync.js', '--help'], { cwd: root });
    expect(stdout).toMatch(/^Usage: icloud-sync/);
  });
});
