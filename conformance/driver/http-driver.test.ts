/**
 * The HTTP driver protocol end to end: the generic server in front of a driver, the HttpDriver
 * client in front of the server. What a scenario sees must not change (ids, refusals with their
 * codes, capabilities), and every way an adapter or a request can be wrong gets a precise answer.
 * (The whole suite through the reference adapter is in scenarios/suite.test.ts.)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../scenarios/runner.js';
import { ALICE_SYNCED, GIVEN_ALICE, loadYaml } from '../scenarios/test-support.js';
import type { DriverCapability, DriverFactory, SyncEngineDriver } from './driver.js';
import { DriverError, DriverProtocolError, httpDriver } from './http-driver.js';
import { startDriverServer, type RunningDriverServer } from './http-server.js';
import { startReferenceAdapter } from './reference-adapter.js';
import { SyncCoreDriver } from './sync-core-driver.js';

/** A driver whose operations are the given functions; anything else is an error naming it. */
function stub(methods: Partial<Record<keyof SyncEngineDriver, (...args: never[]) => unknown>>, log: string[] = []): DriverFactory {
  return async () =>
    new Proxy({ name: 'stub', capabilities: new Set<DriverCapability>(['poll']) } as unknown as SyncEngineDriver, {
      get(target, key) {
        if (key in target) return (target as unknown as Record<string | symbol, unknown>)[key];
        if (key === 'then') return undefined; // not a promise: the factory's answer is the driver itself
        return async (...args: unknown[]) => {
          log.push(`${String(key)} ${JSON.stringify(args)}`);
          const method = methods[key as keyof SyncEngineDriver] as ((...a: unknown[]) => unknown) | undefined;
          if (key === 'close') return undefined;
          if (!method) throw new Error(`stub has no ${String(key)}`);
          return method(...args);
        };
      },
    });
}

const post = async (server: RunningDriverServer, path: string, body: unknown, init: RequestInit = {}) => {
  const response = await fetch(new URL(path, server.url), { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), ...init });
  return { status: response.status, body: (await response.json()) as { session: string; error: { code: string; message: string } } };
};

describe('the reference adapter (sync-core over HTTP)', () => {
  let adapter: RunningDriverServer;
  beforeAll(async () => {
    adapter = await startReferenceAdapter(0);
  });
  afterAll(() => adapter.close());

  it('binds 127.0.0.1 and says who it is and what it can do', async () => {
    expect(adapter.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const answer = await (await fetch(new URL('v1/capabilities', adapter.url))).json();
    expect(answer).toEqual({ protocol: 1, name: 'sync-core', capabilities: [...new SyncCoreDriver({ now: 0 }).capabilities].sort() });
  });

  it('refuses what is not the protocol, saying what is', async () => {
    const { session } = (await post(adapter, 'v1/open', { now: 0 })).body;
    expect(await post(adapter, 'v1/nope', {})).toEqual({
      status: 404,
      body: { error: { code: 'unknown-operation', message: expect.stringContaining('no operation "nope"; operations are open, close, createSubAccount') } },
    });
    expect((await post(adapter, 'v2/book', {})).body.error.code).toBe('unsupported-version');
    expect((await fetch(new URL('v1/book', adapter.url))).status).toBe(405);
    expect((await post(adapter, 'v1/capabilities', {})).status).toBe(405);
    expect(await post(adapter, 'v1/book', '{not json')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid-request', message: expect.stringContaining('the body must be a JSON object') } },
    });
    const misspelt = await post(adapter, 'v1/book', { session, calendarId: 'cal_1', strat: 1, contactId: 'con_1' });
    expect(misspelt).toMatchObject({ status: 400, body: { error: { code: 'invalid-request' } } });
    expect(misspelt.body.error.message).toContain('/v1/book request: unknown key "strat" (expected one of session, calendarId, start, contactId, title)');
    expect(misspelt.body.error.message).toContain('/v1/book request.start: required');
    expect((await post(adapter, 'v1/setClock', { session, now: 'tomorrow' })).body.error.message).toBe('/v1/setClock request.now: expected number, found "tomorrow"');
    expect(await post(adapter, 'v1/events', { session: 's999', userId: 'u' })).toMatchObject({ status: 404, body: { error: { code: 'unknown-session' } } });
    expect((await post(adapter, 'v1/close', { session })).status).toBe(200);
    expect((await post(adapter, 'v1/close', { session })).body.error.code).toBe('unknown-session'); // closed for good
  });

  it('passes an engine refusal to the scenario with its rule code, as in-process', async () => {
    const driver = await httpDriver(adapter.url)({ now: Date.parse('2026-11-21T09:00:00Z') });
    try {
      const sub = await driver.createSubAccount({ name: 'Acme' });
      const alice = await driver.createUser({ subAccountId: sub, name: 'Alice', email: 'a@acme.test', timeZone: 'Europe/London' });
      const calendar = await driver.createCalendar({ subAccountId: sub, name: 'Simple', type: 'simple', memberIds: [alice] });
      const refusal = await driver.enableICloudSync(calendar.id).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(DriverError);
      expect(refusal).toMatchObject({ code: 'calendar-type-not-supported', message: expect.stringContaining('Round Robin') });
      expect(await driver.connection(alice)).toBeUndefined(); // null on the wire, undefined to the harness
    } finally {
      await driver.close();
    }
  });

  it('a scenario with an expected refusal and crash points passes over HTTP', async () => {
    const scenario = loadYaml(
      `name: over http\nrules: [D3]\n${GIVEN_ALICE}\nsteps:\n${ALICE_SYNCED}  - sync: { user: alice, interruptAfterRequests: 1 }\n  - expect: { report: { outcome: failed } }\n  - sync: { user: alice, loseAnswerOf: 1 }\n  - sync: alice\n  - expect: { report: { outcome: ok } }\n  - choose: { user: alice, linked: Nope }\n    expectError: unknown-calendar\n`,
    );
    expect(await runScenario(scenario, { driver: httpDriver(adapter.url) })).toMatchObject({ passed: true });
  });
});

describe('the generic server in front of any driver', () => {
  it('answers the engine’s error code, or engine-error when it has none; closes open sessions when it stops', async () => {
    const log: string[] = [];
    const server = await startDriverServer(
      stub(
        {
          createSubAccount: () => 'sub-1',
          book: () => {
            throw Object.assign(new Error('that slot is taken'), { code: 'slot-unavailable' });
          },
          cancel: () => {
            throw new Error('boom');
          },
        },
        log,
      ),
    );
    const driver = await httpDriver(server.url)({ now: 0 });
    expect(driver.name).toBe('stub');
    expect([...driver.capabilities]).toEqual(['poll']);
    expect(await driver.createSubAccount({ name: 'Acme' })).toBe('sub-1');
    await expect(driver.book({ calendarId: 'c', start: 0, contactId: 'k' })).rejects.toMatchObject({ name: 'DriverError', code: 'slot-unavailable', message: 'that slot is taken' });
    await expect(driver.cancel('e')).rejects.toMatchObject({ code: 'engine-error', message: 'boom' });
    await server.close();
    expect(log).toContain('close []');
    expect(log).toContain('book [{"calendarId":"c","start":0,"contactId":"k"}]'); // the session stays on the wire
  });

  it('an engine that hangs fails its scenario at the step, naming the operation and the limit; the run goes on', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let syncs = 0;
    const hangsOnSecondSync: DriverFactory = async (options) => {
      const driver = new SyncCoreDriver(options);
      const sync = driver.sync.bind(driver);
      driver.sync = async (...args) => (++syncs === 2 ? released.then(() => sync(...args)) : sync(...args));
      return driver;
    };
    const server = await startDriverServer(hangsOnSecondSync);
    try {
      const scenario = loadYaml(`name: hangs\nrules: [D3]\n${GIVEN_ALICE}\nsteps:\n${ALICE_SYNCED}  - sync: alice\n  - expect: { report: { outcome: ok } }\n`);
      const driver = httpDriver(server.url, { timeoutMs: 200 });
      const hung = await runScenario(scenario, { driver });
      expect(hung).toMatchObject({ passed: false });
      expect(JSON.stringify(hung)).toContain(`POST /v1/sync did not answer within 0.2 s (--driver-timeout)`);
      release();
      expect(await runScenario(scenario, { driver })).toMatchObject({ passed: true }); // the next scenario runs as usual
    } finally {
      release();
      await server.close();
    }
  });

  it('serves a driver lacking a capability: the scenario is skipped over HTTP, naming it', async () => {
    const without: DriverFactory = async (options) => {
      const driver = new SyncCoreDriver(options);
      Object.defineProperty(driver, 'capabilities', { value: new Set([...driver.capabilities].filter((c) => c !== 'crash-after-request')) });
      return driver;
    };
    const server = await startDriverServer(without);
    try {
      const scenario = loadYaml(`name: lost answer\nrules: [D3]\n${GIVEN_ALICE}\nsteps:\n${ALICE_SYNCED}  - sync: { user: alice, loseAnswerOf: 2 }\n`);
      expect(await runScenario(scenario, { driver: httpDriver(server.url) })).toMatchObject({ passed: false, skipped: 'the sync-core driver lacks crash-after-request' });
    } finally {
      await server.close();
    }
  });
});

describe('the HTTP client checks what an adapter answers', () => {
  let fake: ReturnType<typeof createServer>;
  let url: string;
  const answers: Record<string, [number, string]> = {
    '/v1/capabilities': [200, JSON.stringify({ protocol: 1, name: 'fake', capabilities: ['poll'] })],
    '/v1/open': [200, JSON.stringify({ session: 'x' })],
    '/v1/createSubAccount': [200, JSON.stringify({ id: 5 })],
    '/v1/createContact': [500, 'Internal Server Error'],
    '/v1/cancel': [400, JSON.stringify({ error: { code: 'invalid-request', message: 'eventId: required' } })],
    '/v1/deleteEvent': [422, JSON.stringify({ oops: true })],
  };
  beforeAll(async () => {
    fake = createServer((req, res) => {
      if (req.url === '/v1/sync') return; // an engine that hangs: never answers
      const [status, body] = answers[req.url ?? ''] ?? [404, '{}'];
      res.writeHead(status).end(body);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`; // no trailing slash: the client adds it
  });
  afterAll(() => new Promise<void>((resolve) => fake.close(() => resolve())));

  it('names the operation and the key of an answer outside the protocol; a protocol refusal is never an engine error', async () => {
    const driver = await httpDriver(url)({ now: 0 });
    await expect(driver.createSubAccount({ name: 'a' })).rejects.toThrow(
      new DriverProtocolError(`the driver at ${url}/: POST /v1/createSubAccount answered outside the protocol: answer.id: Invalid input: expected string, received number`),
    );
    await expect(driver.createContact({ subAccountId: 's', name: 'n' })).rejects.toThrow('POST /v1/createContact answered 500 with a body that is not JSON: Internal Server Error');
    await expect(driver.cancel('e')).rejects.toThrow('POST /v1/cancel refused the request (400 invalid-request): eventId: required');
    await expect(driver.deleteEvent('e')).rejects.toThrow('POST /v1/deleteEvent answered 422 without { error: { code, message } }: {"oops":true}');
  });

  it('an operation the adapter does not answer in time fails naming it and the limit, and the next one is asked', async () => {
    const driver = await httpDriver(url, { timeoutMs: 200 })({ now: 0 });
    await expect(driver.sync('icl_1')).rejects.toThrow(new DriverProtocolError(`the driver at ${url}/: POST /v1/sync did not answer within 0.2 s (--driver-timeout)`));
    await expect(driver.cancel('e')).rejects.toThrow('POST /v1/cancel refused the request (400 invalid-request)');
  });

  it('refuses capabilities it does not know, and says when nothing listens', async () => {
    answers['/v1/capabilities'] = [200, JSON.stringify({ protocol: 1, name: 'fake', capabilities: ['time-travel'] })];
    await expect(httpDriver(url)({ now: 0 })).rejects.toThrow(/GET \/v1\/capabilities answered outside the protocol: answer\.capabilities\[0\]: /);
    const closed = await startDriverServer(stub({}));
    await closed.close();
    await expect(httpDriver(closed.url)({ now: 0 })).rejects.toThrow(/^cannot reach the driver at http:\/\/127\.0\.0\.1:\d+\/: GET \/v1\/capabilities: .*ECONNREFUSED/);
  });
});
