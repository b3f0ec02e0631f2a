/**
 * The client's guards hold on both transports (transport.ts): the default (undici's dispatcher on
 * the keep-alive pool) and a fetch the caller passes in. One case list, run against each, with the
 * cases a transport is excused from written down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CalDavClient } from './client.js';
import { piecesBounded } from './transport.js';
import { AuthRefusedError, ServiceUnavailableError, UnexpectedResponseError } from './errors.js';

const ANSWER = '<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:"><d:sync-token>token-1</d:sync-token></d:multistatus>';
const AUTH = `Basic ${Buffer.from('a@example.com:pass-word').toString('base64')}`;

type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Handler): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += String(d)));
    req.on('end', () => handler(Object.assign(req, { body }), res));
  });
  server.on('connection', () => connections++);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cal/`, connections: () => connections };
}

const multistatus = (res: ServerResponse) => {
  res.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8' });
  res.end(ANSWER);
};

const TRANSPORTS = {
  default: {} as { fetch?: typeof fetch },
  'a fetch passed in': { fetch: (input: Parameters<typeof fetch>[0], init?: RequestInit) => fetch(input, init) },
};
/** What a transport is excused from, and why. */
const SKIP: Record<keyof typeof TRANSPORTS, Record<string, string>> = {
  default: {},
  'a fetch passed in': { 'keeps one connection across REPORTs': "Node's fetch closes a connection after a body under a method it does not know (REPORT)" },
};

for (const [transport, extra] of Object.entries(TRANSPORTS) as [keyof typeof TRANSPORTS, (typeof TRANSPORTS)[keyof typeof TRANSPORTS]][]) {
  describe(`the CalDAV client over ${transport}`, () => {
    const client = (url: string, timeoutMs?: number) => new CalDavClient({ serverUrl: url, appleId: 'a@example.com', password: 'pass-word', timeoutMs, ...extra });
    const test = (name: string, fn: () => Promise<void>) => {
      const excused = SKIP[transport][name];
      if (excused) it.skip(`${name} (skipped: ${excused})`, fn);
      else it(name, fn);
    };

    test('keeps one connection across REPORTs', async () => {
      const server = await serve((_req, res) => multistatus(res));
      const c = client(server.url);
      for (let i = 0; i < 10; i++) expect((await c.syncChanges(server.url, null)).token).toBe('token-1');
      // undici waits one event-loop turn before it reuses a socket, so a request sent right after an
      // answer may open a second one; never one per request.
      expect(server.connections()).toBeLessThanOrEqual(2);
    });

    test('sends the REPORT as written, with credentials, and reads the answer', async () => {
      const seen: string[] = [];
      const server = await serve((req, res) => {
        seen.push(`${req.method} ${req.headers.authorization} ${req.headers['content-type']} ${req.body.includes('<d:sync-token>abc</d:sync-token>')}`);
        multistatus(res);
      });
      expect((await client(server.url).syncChanges(server.url, 'abc')).token).toBe('token-1');
      expect(seen).toEqual([`REPORT ${AUTH} text/xml; charset=utf-8 true`]);
    });

    test('follows a partition move with the credentials, and a foreign redirect not at all', async () => {
      const partition = await serve((req, res) => (req.headers.authorization === AUTH ? multistatus(res) : res.writeHead(401).end()));
      const gateway = await serve((_req, res) => res.writeHead(301, { Location: partition.url.replace('127.0.0.1', 'localhost') }).end());
      expect((await client(gateway.url).syncChanges(gateway.url, null)).token).toBe('token-1');

      const foreign = await serve((_req, res) => res.writeHead(302, { Location: 'https://example.com/elsewhere/' }).end());
      await expect(client(foreign.url).syncChanges(foreign.url, null)).rejects.toThrow(UnexpectedResponseError);
    });

    test('turns 401 into AuthRefusedError and 503 into ServiceUnavailableError with Retry-After', async () => {
      const refused = await serve((_req, res) => res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' }).end('no'));
      await expect(client(refused.url).syncChanges(refused.url, null)).rejects.toThrow(AuthRefusedError);
      const busy = await serve((_req, res) => res.writeHead(503, { 'Retry-After': '120' }).end('later'));
      const error = await client(busy.url)
        .syncChanges(busy.url, null)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect((error as ServiceUnavailableError).retryAfterMs).toBe(120_000);
    });

    test('turns a refused connection and a server that never answers into network failures', async () => {
      const closed = await serve(() => undefined);
      await new Promise((r) => servers.pop()!.close(r)); // nothing listens on its port now
      await expect(client(closed.url).syncChanges(closed.url, null)).rejects.toMatchObject({ status: 'network' });
      const silent = await serve(() => undefined); // reads the request, never answers
      await expect(client(silent.url, 200).syncChanges(silent.url, null)).rejects.toMatchObject({ status: 'network' });
    });

    test('cuts off an answer larger than maxAnswerBytes, and one that trickles without end', async () => {
      const big = await serve((_req, res) => {
        res.writeHead(207, { 'Content-Type': 'application/xml' });
        res.end(`<d:multistatus xmlns:d="DAV:">${'<d:response/>'.repeat(200_000)}</d:multistatus>`); // 2.6 MB
      });
      const small = new CalDavClient({ serverUrl: big.url, appleId: 'a@example.com', password: 'pass-word', maxAnswerBytes: 1_000_000, ...extra });
      await expect(small.syncChanges(big.url, null)).rejects.toThrow(/cut off \(the answer is larger than 1000000 bytes\)/);

      let drip: NodeJS.Timeout | undefined;
      const trickle = await serve((_req, res) => {
        res.writeHead(207, { 'Content-Type': 'application/xml' });
        drip = setInterval(() => res.write(' '), 20); // never ends, never pauses long
      });
      try {
        await expect(client(trickle.url, 100).syncChanges(trickle.url, null)).rejects.toMatchObject({ status: 'network' });
      } finally {
        clearInterval(drip);
      }
    });

    test('reads an answer sent a byte at a time, characters cut between bytes included', async () => {
      const answer = Buffer.from(
        '<?xml version="1.0" encoding="utf-8"?>\r\n<d:multistatus xmlns:d="DAV:"><d:response><d:href>/cal/caf\u00e9-\ud83d\ude00.ics</d:href><d:propstat><d:prop><d:getetag>"e1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response><d:sync-token>t\u00e9-2</d:sync-token></d:multistatus>',
      );
      const server = await serve((_req, res) => {
        res.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8' });
        let at = 0;
        const next = () => (at < answer.length ? res.write(answer.subarray(at, ++at), () => setImmediate(next)) : res.end());
        next();
      });
      const page = await client(server.url).syncChanges(server.url, null);
      expect(page.token).toBe('t\u00e9-2');
      expect(page.changed).toEqual([{ href: `${server.url}caf%C3%A9-%F0%9F%98%80.ics`, etag: '"e1"' }]);
    });

    test('refuses a malformed answer as soon as it shows, without waiting for the rest', async () => {
      let hold: NodeJS.Timeout | undefined;
      const server = await serve((_req, res) => {
        res.writeHead(207, { 'Content-Type': 'application/xml' });
        res.write('<d:multistatus xmlns:d="DAV:"><d:response><d:href>/cal/a.ics</d:response>');
        hold = setInterval(() => res.write(' '), 20); // the rest never comes
      });
      try {
        // The timeout is far away: read whole, this would end as a network failure after 10 s.
        const error = await client(server.url, 1_000)
          .syncChanges(server.url, null)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnexpectedResponseError);
        expect((error as Error).message).toMatch(/<\/d:response> closes <d:href>/);
      } finally {
        clearInterval(hold);
      }
    });

    test('refuses a short malformed answer, read whole by its length, as malformed', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(207, { 'Content-Type': 'application/xml' });
        res.end('<d:multistatus xmlns:d="DAV:"><d:response><d:href>/cal/a.ics</d:response></d:multistatus>');
      });
      const error = await client(server.url)
        .syncChanges(server.url, null)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect((error as Error).message).toMatch(/<\/d:response> closes <d:href>/);
    });

    test('turns an answer cut off half-way into a network failure, not a malformed answer', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(207, { 'Content-Type': 'application/xml' });
        res.write('<d:multistatus xmlns:d="DAV:"><d:response><d:href>/cal/a.ics</d:href>', () => res.destroy());
      });
      await expect(client(server.url).syncChanges(server.url, null)).rejects.toMatchObject({ status: 'network' });
    });

    test('GET reads the object and its etag, and a 404 as nothing', async () => {
      const server = await serve((req, res) => {
        if (req.url === '/cal/a.ics') res.writeHead(200, { 'Content-Type': 'text/calendar', ETag: '"e1"' }).end('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
        else res.writeHead(404).end('not here');
      });
      const c = client(server.url);
      expect(await c.get(`${server.url}a.ics`)).toEqual({ href: `${server.url}a.ics`, etag: '"e1"', data: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' });
      expect(await c.get(`${server.url}b.ics`)).toBeNull();
    });
  });
}

describe('piecesBounded', () => {
  const seed = process.env.PIECES_SEED ? Number(process.env.PIECES_SEED) : Date.now() % 2_147_483_647;
  const read = async (chunks: Uint8Array[]) => {
    const out: string[] = [];
    const body = (async function* () {
      yield* chunks;
    })();
    for await (const piece of piecesBounded(body, Infinity, () => undefined)) out.push(piece);
    return out.join('');
  };

  it(`decodes any bytes, cut anywhere, as the whole body is decoded, malformed ones included (seed ${seed})`, async () => {
    console.log(`piecesBounded property test seed: ${seed} (replay with PIECES_SEED=${seed})`);
    // Whole characters of one to four bytes, and single bytes biased towards UTF-8's lead and
    // continuation bytes, so that cut and broken characters are common.
    const character = fc.constantFrom('a', '\u00e9', '\u20ac', '\ud83d\ude00').map((c) => [...Buffer.from(c)]);
    const byte = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc0, max: 0xff })).map((b) => [b]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(character, byte), { maxLength: 20 }), fc.array(fc.nat(40), { maxLength: 6 }), async (parts, cuts) => {
        const whole = Buffer.from(parts.flat());
        const at = [...new Set(cuts.map((c) => Math.min(c, whole.length)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((from, i) => whole.subarray(from, at[i] ?? whole.length));
        expect(await read(chunks)).toBe(whole.toString('utf8'));
      }),
      { seed, numRuns: 3000 },
    );
    expect(await read([Buffer.from([0x61, 0xe2, 0x82]), Buffer.from([0xac, 0x62])])).toBe('a\u20acb');
    expect(await read([Buffer.from([0x61, 0xf0, 0x9f])])).toBe(Buffer.from([0x61, 0xf0, 0x9f]).toString('utf8'));
  });
});
