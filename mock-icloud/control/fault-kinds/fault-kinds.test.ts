/**
 * The fault kinds as records: every file here is registered, each kind is held to its own
 * parameters wherever a rule comes from, and the --fault flag reads its keys from the record.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAULT_KIND_DEFINITIONS, FAULT_KINDS, FaultEngine, FaultSpecError, parseFaultFlag, parseFaultSpec } from '../faults.js';

const HELPERS = new Set(['define.ts', 'index.ts', 'retry-after.ts']);

describe('fault-kind records', () => {
  it('every record file in fault-kinds/ is registered, once, under its file name', () => {
    const files = readdirSync(fileURLToPath(new URL('.', import.meta.url))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !HELPERS.has(f));
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual([...FAULT_KINDS].sort());
    expect(new Set(FAULT_KINDS).size).toBe(FAULT_KINDS.length);
    expect(FAULT_KIND_DEFINITIONS.every((d) => d.doc.length > 0)).toBe(true);
  });

  it("refuses a parameter the kind does not take, listing the kind's keys", () => {
    expect(() => parseFaultSpec({ kind: 'latency', latencyMs: 5, retryAfter: 5 })).toThrow(
      'fault: unknown key "retryAfter" (expected one of: kind, match, after, count, from, until, probability, seed, latencyMs, latencyJitterMs)',
    );
    expect(() => parseFaultSpec({ kind: 'server-error', pageSize: 5 })).toThrow(/unknown key "pageSize"/);
    expect(parseFaultSpec({ kind: 'unavailable', retryAfter: 5, count: 1 })).toEqual({ kind: 'unavailable', retryAfter: 5, count: 1 });
  });

  it('says what a missing required parameter is for', () => {
    expect(() => parseFaultSpec({ kind: 'latency' })).toThrow('fault: a latency fault needs latencyMs (milliseconds added before answering, 0–600000)');
    expect(() => parseFaultSpec({ kind: 'truncate-sync' }, 'body')).toThrow('body: a truncate-sync fault needs pageSize (sync-collection members per page)');
    expect(() => parseFaultSpec({ kind: 'explode' })).toThrow('fault.kind: unknown fault kind "explode"; use one of unavailable, too-many-requests,');
    expect(() => parseFaultSpec({})).toThrow(FaultSpecError);
  });

  it('reads --fault text with the keys and types of the kind', () => {
    expect(parseFaultFlag('latency:latencyMs=200,latencyJitterMs=50,seed=3,method=REPORT,from=2026-11-21T10:00:00Z')).toEqual({
      kind: 'latency',
      latencyMs: 200,
      latencyJitterMs: 50,
      seed: 3,
      from: '2026-11-21T10:00:00Z',
      match: { method: 'REPORT' },
    });
    expect(parseFaultFlag('touch-etags:calendar=work,count=1')).toEqual({ kind: 'touch-etags', count: 1, match: { calendar: 'work' } });
    expect(() => parseFaultFlag('unavailable:latencyMs=5')).toThrow(
      'unknown key "latencyMs" for a unavailable fault (expected one of: account, calendar, method, path, after, count, from, until, probability, seed, retryAfter)',
    );
    expect(() => parseFaultFlag('unavailable:count=two')).toThrow('count must be a number (got "two")');
    expect(() => parseFaultFlag('unavailable:count')).toThrow('"count" is not key=value');
    expect(() => parseFaultFlag('latency')).toThrow(/needs latencyMs/);
  });

  it('applies each kind where its record says, and only there', () => {
    const engine = new FaultEngine();
    engine.add({ kind: 'omit-etag' });
    engine.add({ kind: 'duplicate-dtstamp' });
    const req = (method: string, report?: string) => ({ method, path: '/1/calendars/home/x.ics', account: 'a@example.com', now: 0, report });
    expect(engine.evaluate(req('PUT')).kinds).toEqual(['omit-etag']);
    expect(engine.evaluate(req('GET')).kinds).toEqual(['duplicate-dtstamp']);
    expect(engine.evaluate(req('PROPFIND')).kinds).toEqual([]);
    expect(engine.evaluate(req('REPORT', 'calendar-multiget')).kinds).toEqual([]); // the second look at a REPORT is for report kinds only
  });
});

describe('--fault help', () => {
  it("lists the scoping keys and each kind's own, from the records", async () => {
    const { faultFlagKeys } = await import('../faults.js');
    expect(faultFlagKeys()).toBe(
      'account, calendar, method, path, after, count, from, until, probability, seed; retryAfter (unavailable, too-many-requests); latencyMs, latencyJitterMs (latency); pageSize (truncate-sync)',
    );
  });
});
