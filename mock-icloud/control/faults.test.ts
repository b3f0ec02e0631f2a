import { describe, expect, it } from 'vitest';
import { FaultEngine, FaultSpecError } from './faults.js';

const req = (method = 'PROPFIND', path = '/1/calendars/home/', account = 'a@example.com', now = Date.parse('2026-11-21T09:00:00Z')) => ({ method, path, account, now });

describe('FaultEngine', () => {
  it('expires a counted rule after its hits', () => {
    const engine = new FaultEngine();
    engine.add({ kind: 'unavailable', count: 1, retryAfter: 5 });
    const first = engine.evaluate(req());
    expect(first.error?.status).toBe(503);
    expect(first.error?.headers['Retry-After']).toBe('5');
    expect(engine.evaluate(req()).error).toBeUndefined();
    expect(engine.list()).toEqual([]);
  });

  it('matches by account, calendar, method and path prefix', () => {
    const engine = new FaultEngine();
    engine.add({ kind: 'server-error', match: { account: 'A@example.com', calendar: 'work', method: 'report' } });
    expect(engine.evaluate(req('REPORT', '/1/calendars/work/')).error?.status).toBe(500);
    expect(engine.evaluate(req('REPORT', '/1/calendars/home/')).error).toBeUndefined();
    expect(engine.evaluate(req('PUT', '/1/calendars/work/x.ics')).error).toBeUndefined();
    expect(engine.evaluate(req('REPORT', '/1/calendars/work/', 'b@example.com')).error).toBeUndefined();
  });

  it('adds latencies and per-request effects alongside an answering fault', () => {
    const engine = new FaultEngine();
    engine.add({ kind: 'latency', latencyMs: 100 });
    engine.add({ kind: 'latency', latencyMs: 50 });
    engine.add({ kind: 'omit-etag' });
    const put = engine.evaluate(req('PUT', '/1/calendars/home/x.ics'));
    expect(put).toMatchObject({ delayMs: 150, effects: { omitEtagOnPut: true }, applied: ['fault-1', 'fault-2', 'fault-3'] });
    expect(engine.evaluate(req('GET')).effects.omitEtagOnPut).toBeUndefined();
  });

  it('waits `after` matching requests, then hits `count`', () => {
    const engine = new FaultEngine();
    engine.add({ kind: 'server-error', after: 2, count: 1 });
    expect([1, 2, 3, 4].map(() => engine.evaluate(req()).error?.status)).toEqual([undefined, undefined, 500, undefined]);
  });

  it('applies only inside its time window', () => {
    const engine = new FaultEngine();
    engine.add({ kind: 'unavailable', from: '2026-11-21T10:00:00Z', until: '2026-11-21T11:00:00Z' });
    expect(engine.evaluate(req('PROPFIND', '/', 'a', Date.parse('2026-11-21T09:59:59Z'))).error).toBeUndefined();
    expect(engine.evaluate(req('PROPFIND', '/', 'a', Date.parse('2026-11-21T10:00:00Z'))).error?.status).toBe(503);
    expect(engine.evaluate(req('PROPFIND', '/', 'a', Date.parse('2026-11-21T11:00:00Z'))).error).toBeUndefined();
  });

  it('hits a seeded share of requests, the same share on every run', () => {
    const pattern = () => {
      const engine = new FaultEngine();
      engine.add({ kind: 'server-error', probability: 0.3, seed: 42 });
      return Array.from({ length: 200 }, () => (engine.evaluate(req()).error ? 1 : 0));
    };
    const first = pattern();
    expect(pattern()).toEqual(first);
    const hits = first.reduce<number>((a, b) => a + b, 0);
    expect(hits).toBeGreaterThan(40);
    expect(hits).toBeLessThan(80);
  });

  it('draws latency jitter from the seed', () => {
    const delays = () => {
      const engine = new FaultEngine();
      engine.add({ kind: 'latency', latencyMs: 100, latencyJitterMs: 50, seed: 3 });
      return Array.from({ length: 20 }, () => engine.evaluate(req()).delayMs);
    };
    const first = delays();
    expect(delays()).toEqual(first);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...first)).toBeLessThan(150);
    expect(new Set(first).size).toBeGreaterThan(5);
  });

  it('counts only the methods a kind applies to', () => {
    const engine = new FaultEngine();
    engine.add({ kind: 'forbidden-write', count: 1 });
    expect(engine.evaluate(req('REPORT')).error).toBeUndefined();
    expect(engine.evaluate(req('PUT', '/1/calendars/home/x.ics')).error?.status).toBe(403);
    expect(engine.evaluate(req('PUT', '/1/calendars/home/x.ics')).error).toBeUndefined();
  });

  it('counts report-specific faults only on the report they act on', () => {
    const engine = new FaultEngine();
    engine.add({ kind: 'multiget-404', count: 1 });
    expect(engine.evaluate(req('REPORT')).applied).toEqual([]); // before the body is parsed
    expect(engine.evaluate({ ...req('REPORT'), report: 'sync-collection' }).applied).toEqual([]);
    expect(engine.evaluate({ ...req('REPORT'), report: 'calendar-multiget' }).effects.multigetMissing).toBe(true);
    expect(engine.list()).toEqual([]);
  });

  it('refuses malformed rules', () => {
    const engine = new FaultEngine();
    expect(() => engine.add({ kind: 'nope' as never })).toThrow(FaultSpecError);
    expect(() => engine.add({ kind: 'latency' })).toThrow(/latencyMs/);
    expect(() => engine.add({ kind: 'unavailable', count: 0 })).toThrow(/count/);
    expect(() => engine.add({ kind: 'unavailable', probability: 2 })).toThrow(/probability/);
    expect(() => engine.add({ kind: 'unavailable', from: 'soon' })).toThrow(/ISO/);
    expect(() => engine.add({ kind: 'truncate-sync' })).toThrow(/pageSize/);
  });
});
