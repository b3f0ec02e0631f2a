/**
 * The request log (one pino line per CalDAV request: origin, account, method, path, status,
 * duration, fault and its kind) and the journal's durations and, when asked, bodies.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BODY_LIMIT, bounded, Journal } from '../control/journal.js';
import { logRequest } from '../http/request-log.js';
import type { RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, basic, gateway, partition, PROPFIND_PRINCIPAL, startDemo, vevent } from './helpers.js';

let mock: RunningMockICloud | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

/** A pino logger writing into an array of parsed lines. */
function collectingLogger(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

const home = `/${ALICE.dsid}/calendars/home/`;

describe('request log', () => {
  it('writes one line per CalDAV request with origin, account, method, path, status, duration and the fault that acted', async () => {
    const { logger, lines } = collectingLogger();
    mock = await startDemo({ logger, sleep: async () => undefined });
    await gateway(mock).propfind('/').set('Authorization', aliceAuth).set('Depth', '0').send(PROPFIND_PRINCIPAL).expect(207);
    await gateway(mock).propfind('/').set('Authorization', basic(ALICE.appleId, ALICE.regularPassword)).send(PROPFIND_PRINCIPAL).expect(401);
    mock.control.addFault({ kind: 'unavailable', count: 1, retryAfter: 30 });
    mock.control.addFault({ kind: 'latency', latencyMs: 5, count: 1 });
    await partition(mock).propfind(home).set('Authorization', aliceAuth).set('Depth', '0').send(PROPFIND_PRINCIPAL).expect(503);
    await gateway(mock).get('/__mock/journal').expect(200); // the control plane is not CalDAV: no line
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 30, origin: 'gateway', account: ALICE.appleId, method: 'PROPFIND', path: '/', status: 207, msg: 'PROPFIND / 207' });
    expect(lines[0]!.durationMs).toEqual(expect.any(Number));
    expect(lines[0]).not.toHaveProperty('fault');
    expect(lines[1]).toMatchObject({ status: 401, reason: expect.stringMatching(/^regular-password: /), account: ALICE.appleId });
    expect(lines[2]).toMatchObject({ origin: 'partition', method: 'PROPFIND', path: home, status: 503, fault: 'fault-1,fault-2', faultKind: 'unavailable,latency' });
  });

  it('logs a 500 a fault asked for at info, and one nobody asked for (a bug in the mock) at error', async () => {
    const { logger, lines } = collectingLogger();
    mock = await startDemo({ logger });
    mock.control.addFault({ kind: 'server-error', count: 1 });
    await gateway(mock).propfind('/').set('Authorization', aliceAuth).send(PROPFIND_PRINCIPAL).expect(500);
    expect(lines[0]).toMatchObject({ level: 30, status: 500, faultKind: 'server-error' });
    logRequest(logger, { seq: 9, at: '', origin: 'gateway', method: 'REPORT', path: '/', status: 500, durationMs: 1, reason: 'internal error: boom' });
    expect(lines[1]).toMatchObject({ level: 50, status: 500, reason: 'internal error: boom', msg: 'REPORT / 500' });
  });

  it('is silent by default in-process, and refuses a level that is none', async () => {
    await expect(startDemo({ logLevel: 'loud' as never })).rejects.toThrow('logLevel: "loud" is not a level; use one of fatal, error, warn, info, debug, trace, silent');
    const { logger, lines } = collectingLogger('warn');
    mock = await startDemo({ logger });
    await gateway(mock).propfind('/').set('Authorization', aliceAuth).send(PROPFIND_PRINCIPAL).expect(207);
    expect(lines).toEqual([]);
  });
});

describe('journal durations and bodies', () => {
  it('records how long each request took and the kinds of the faults that acted', async () => {
    mock = await startDemo({ sleep: async () => undefined });
    mock.control.addFault({ kind: 'too-many-requests', count: 1 });
    await gateway(mock).propfind('/').set('Authorization', aliceAuth).send(PROPFIND_PRINCIPAL).expect(429);
    await gateway(mock).propfind('/').set('Authorization', aliceAuth).send(PROPFIND_PRINCIPAL).expect(207);
    const [first, second] = mock.control.journal();
    expect(first).toMatchObject({ status: 429, fault: 'fault-1', faultKind: 'too-many-requests', durationMs: expect.any(Number) });
    expect(second!.durationMs).toBeGreaterThanOrEqual(0);
    expect(second).not.toHaveProperty('faultKind');
    expect(second).not.toHaveProperty('requestBody'); // bodies only when asked
  });

  it('keeps request and response bodies when asked, each bounded with a truncation mark', async () => {
    mock = await startDemo({ journalBodies: true });
    const ics = vevent('journal-body-1');
    await partition(mock).put(`${home}journal-body-1.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(ics).expect(201);
    await partition(mock).get(`${home}journal-body-1.ics`).set('Authorization', aliceAuth).expect(200);
    const big = vevent('journal-body-2', undefined, undefined, `DESCRIPTION:${'x'.repeat(100_000)}`.replace(/(.{74})/g, '$1\r\n '));
    await partition(mock).put(`${home}journal-body-2.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(big).expect(201);
    await partition(mock).get(`${home}journal-body-2.ics`).set('Authorization', aliceAuth).expect(200);
    const [put, get, bigPut, bigGet] = mock.control.journal();
    expect(put!.requestBody).toBe(ics);
    expect(put!.responseBody).toBe('');
    expect(get!.requestBody).toBeUndefined(); // a GET's handler reads no body
    expect(get!.responseBody).toContain('UID:journal-body-1');
    expect(bigPut!.requestBody).toMatch(new RegExp(`…\\[truncated: ${Buffer.byteLength(big)} bytes in all\\]$`));
    expect(bigPut!.requestBody!.startsWith(big.slice(0, 1000))).toBe(true);
    expect(bigGet!.responseBody).toMatch(/…\[truncated: \d+ bytes in all\]$/);
    expect(Buffer.byteLength(bigGet!.responseBody!.replace(/…\[truncated.*$/, ''))).toBe(BODY_LIMIT);
  });
});

describe('bounded bodies', () => {
  it('cuts on a character boundary and says how long the body was', () => {
    expect(bounded(Buffer.from('short'))).toBe('short');
    const euro = Buffer.from('€'.repeat(10)); // 3 bytes each
    expect(bounded(euro, 7)).toBe('€€…[truncated: 30 bytes in all]');
    expect(bounded(Buffer.from('abc'), 2, 5000)).toBe('ab…[truncated: 5000 bytes in all]');
  });

  it("drops the oldest bodies past the journal's budget, keeping the entries", () => {
    const journal = new Journal(100, 10);
    const entry = { at: '', origin: 'gateway' as const, method: 'PUT', path: '/', status: 201, durationMs: 1 };
    journal.record({ ...entry, requestBody: '123456' });
    journal.record({ ...entry, requestBody: 'abcdef' });
    const [first, second] = journal.list();
    expect(first).not.toHaveProperty('requestBody');
    expect(second!.requestBody).toBe('abcdef');
  });
});
