import { describe, expect, it } from 'vitest';
import { startMockICloud } from '../index.js';
import { latencyProfile } from './latency-profile.js';

describe('the icloud latency profile', () => {
  it("[F13] draws around CalendarServer's targets: medians 100 ms GET, 250 ms PUT/REPORT, about 5% past 3x, none past 30 s", () => {
    const draw = latencyProfile({ profile: 'icloud', seed: 7 });
    const sample = (method: string) => Array.from({ length: 20_000 }, () => draw(method)).sort((a, b) => a - b);
    const get = sample('GET');
    const report = sample('REPORT');
    expect(get[10_000]).toBeGreaterThan(90);
    expect(get[10_000]).toBeLessThan(110);
    expect(report[10_000]).toBeGreaterThan(225);
    expect(report[10_000]).toBeLessThan(275);
    const beyond = report.filter((ms) => ms > 750).length / report.length;
    expect(beyond).toBeGreaterThan(0.04);
    expect(beyond).toBeLessThan(0.06);
    expect(report.at(-1)).toBeLessThanOrEqual(30_000);
  });

  it('[F13] repeats exactly for a seed, and is off unless asked for (delays observed without sleeping)', async () => {
    const a = latencyProfile({ profile: 'icloud', seed: 3 });
    const b = latencyProfile({ profile: 'icloud', seed: 3 });
    expect(Array.from({ length: 50 }, () => a('PUT'))).toEqual(Array.from({ length: 50 }, () => b('PUT')));
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    for (const latency of [undefined, { profile: 'icloud' as const, seed: 3 }]) {
      const mock = await startMockICloud({ sleep, latency });
      try {
        await fetch(`${mock.gatewayUrl}`, { method: 'OPTIONS' });
      } finally {
        await mock.close();
      }
    }
    expect(waits).toEqual([latencyProfile({ profile: 'icloud', seed: 3 })('OPTIONS')]);
  });
});
