/**
 * Quirks chosen from the command line (`--quirk`, `--quirks`), the container's environment
 * (`QUIRKS`) and the programmatic API (`startMockICloud({ quirks })`).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const started: Array<Record<string, unknown>> = [];
vi.mock('../server.js', () => ({
  startMockICloud: async (options: Record<string, unknown>) => {
    started.push(options);
    return {
      gatewayUrl: 'http://127.0.0.1:1/',
      partitionUrl: 'http://localhost:2/',
      ports: { gateway: 1, partition: 2 },
      control: { listAccounts: () => [], addFault: () => ({}) },
      close: async () => undefined,
    };
  },
}));

afterEach(() => {
  started.length = 0;
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
});

describe('the mock-icloud command', () => {
  const io = () => {
    const lines: string[] = [];
    return { lines, io: { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(l) } };
  };

  it('[F81] passes --quirk, --quirks and QUIRKS to startMockICloud, with the latency profile and token lifetime', async () => {
    const { main } = await import('../cli.js');
    const a = io();
    expect(
      await main(
        ['--port', '0', '--quirk', 'recurrenceExpansion', '--quirks', 'dtstampAtRead=always,stripStandardTimezones', '--latency-profile', 'icloud:9', '--sync-token-lifetime-days', '30'],
        {},
        a.io,
      ),
    ).toBe(0);
    expect(await main(['--port', '0'], { QUIRKS: 'full-listing,implicitScheduling=off', LATENCY_PROFILE: 'icloud' }, a.io)).toBe(0);
    expect(started[0]).toMatchObject({
      quirks: { recurrenceExpansion: 'expand', dtstampAtRead: 'always', stripStandardTimezones: 'on' },
      latency: { profile: 'icloud', seed: 9 },
      syncTokenLifetimeDays: 30,
    });
    expect(started[1]).toMatchObject({ quirks: { expiredSyncToken: 'full-listing', implicitScheduling: 'off' }, latency: { profile: 'icloud' } });
  });

  it('[F81] refuses an unknown quirk, from a flag or QUIRKS, with exit 2 before anything listens', async () => {
    const { main } = await import('../cli.js');
    const a = io();
    expect(await main(['--port', '0', '--quirk', 'teleport'], {}, a.io)).toBe(2);
    expect(await main(['--port', '0'], { QUIRKS: 'teleport' }, a.io)).toBe(2);
    expect(started).toEqual([]);
    expect(a.lines.join('\n')).toContain('unknown quirk "teleport"');
  });
});
