/**
 * `icloud-conformance protocol` against the in-process mock: the table, the deviation lists, and
 * the exit status (0 clean, 1 on an unexpected failure, 2 on a usage error).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolMain } from './cli.js';
import { MOCK_ACCOUNT, startMock } from './targets/mock.js';
import type { RunningTarget } from './targets/index.js';

describe('icloud-conformance protocol', () => {
  let mock: RunningTarget;
  beforeAll(async () => {
    mock = await startMock(false);
  });
  afterAll(() => mock.stop());

  async function run(...args: string[]): Promise<{ code: number; text: string }> {
    const lines: string[] = [];
    const code = await protocolMain(args, (line) => lines.push(line));
    return { code, text: lines.join('\n') };
  }

  const login = () => ['--target', mock.address.url, '--user', MOCK_ACCOUNT.appleId, '--password', MOCK_ACCOUNT.appPassword];

  it('runs every icloud case against the mock and exits 0: the mock has no deviation under its own profile', async () => {
    const { code, text } = await run(...login(), '--deviations', 'mock-icloud');
    expect(text).toMatch(/^ {2}icloud\.calendar-query\.collection-response +PASS /m);
    expect(text).toMatch(/^ {2}get\.if-none-match +PASS /m);
    expect(text).toMatch(/\d+ cases: \d+ passed, 0 failed, 0 known deviations, 0 stale deviations/);
    expect(code).toBe(0);
  });

  it("shows the mock's iCloud choices as deviations under the RFC profile", async () => {
    const { code, text } = await run(...login(), '--profile', 'rfc', '--deviations', 'mock-rfc', '--only', 'put.');
    expect(text).toMatch(/^ {2}put\.without-dtend +DEVIATION +known deviation: iCloud behaviour/m);
    expect(code).toBe(0);
  });

  it('exits 1 when a case fails that no deviation list expects', async () => {
    const { code, text } = await run(...login(), '--profile', 'rfc', '--only', 'put.');
    expect(text).toMatch(/^ {2}put\.without-dtend +FAIL /m);
    expect(code).toBe(1);
  });

  it('reports a stale deviation when a listed case passes', async () => {
    const { code, text } = await run(...login(), '--profile', 'rfc', '--deviations', 'xandikos', '--only', 'auth.');
    expect(text).toMatch(/^ {2}auth\.no-credentials +STALE +listed as a deviation but passed/m);
    expect(text).toContain('the "xandikos" deviation list is stale');
    expect(code).toBe(0);
  });

  it('fails every case with the reason when the credentials are wrong', async () => {
    const { code, text } = await run('--target', mock.address.url, '--user', MOCK_ACCOUNT.appleId, '--password', 'not-the-password', '--only', 'propfind.depth-0');
    expect(text).toContain('discovery: the server refused the credentials');
    expect(code).toBe(1);
  });

  it('lists the cases of a profile', async () => {
    const { code, text } = await run('--list', '--profile', 'rfc');
    expect(text).toMatch(/^sync-collection\.invalid-token +RFC 6578/m);
    expect(text).not.toContain('icloud.');
    expect(code).toBe(0);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('--target', 'not a url')).code).toBe(2);
    expect((await run(...login(), '--profile', 'caldav')).code).toBe(2);
    expect((await run(...login(), '--deviations', 'nobody')).code).toBe(2);
    expect((await run(...login(), '--only', 'no-such-case')).code).toBe(2);
    expect((await run('--target', mock.address.url, '--user', 'someone')).code).toBe(2);
  });
});
