import { describe, expect, it } from 'vitest';
import { FaultEngine, FaultSpecError } from './faults.js';

const req = (method = 'PROPFIND', path = '/1/calendars/home/', account = 'a@example.com') => ({ method, path, account });

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

  it('refuses malformed rules', () => {
    const engine = new FaultEngine();
    expect(() => engine.add({ kind: 'nope' as never })).toThrow(FaultSpecError);
    expect(() => engine.add({ kind: 'latency' })).toThrow(/latencyMs/);
    expect(() => engine.add({ kind: 'unavailable', count: 0 })).toThrow(/count/);
  });
});
