/**
 * Serves any SyncEngineDriver over the HTTP driver protocol (http-protocol.ts, PROTOCOL.md): one
 * session per scenario, each a fresh driver from the factory. A team whose engine is written in
 * TypeScript can wrap it in a SyncEngineDriver and serve it with this; other languages implement
 * the same few routes themselves. Binds 127.0.0.1 unless told otherwise: it drives an engine that
 * holds credentials, and nothing but the harness on this machine should reach it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { describeIssues } from '../scenarios/zod-issues.js';
import type { DriverFactory, SyncEngineDriver } from './driver.js';
import { OPERATIONS, PREFIX, PROTOCOL_VERSION, SESSION, type Operation, type OperationName } from './http-protocol.js';

/** Requests are small (the largest is a patch); anything bigger is a mistake, not a scenario. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface DriverServerOptions {
  port?: number;
  host?: string;
}

export interface RunningDriverServer {
  /** The base URL to give `--driver`, ending in a slash. */
  url: string;
  /** Stops listening and closes every session still open. */
  close(): Promise<void>;
}

class ProtocolError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startDriverServer(factory: DriverFactory, options: DriverServerOptions = {}): Promise<RunningDriverServer> {
  const sessions = new Map<string, SyncEngineDriver>();
  let opened = 0;
  // GET /v1/capabilities needs a driver's name and capabilities before any scenario opens one: ask
  // a throwaway engine once.
  let described: Promise<{ name: string; capabilities: string[] }> | undefined;
  const describe = () =>
    (described ??= (async () => {
      const probe = await factory({ now: 0 });
      try {
        return { name: probe.name, capabilities: [...probe.capabilities].sort() };
      } finally {
        await probe.close();
      }
    })());

  const handle = async (req: IncomingMessage): Promise<unknown> => {
    const path = new URL(req.url ?? '/', 'http://driver').pathname;
    const match = /^\/v(\d+)\/([^/]+)$/.exec(path);
    if (!match) throw new ProtocolError(404, 'unknown-operation', `no such route ${path}; operations are POST ${PREFIX}/<operation> and GET ${PREFIX}/capabilities`);
    if (Number(match[1]) !== PROTOCOL_VERSION) throw new ProtocolError(404, 'unsupported-version', `this adapter speaks protocol version ${PROTOCOL_VERSION} (${PREFIX}/…), not v${match[1]}`);
    const name = match[2];
    if (name === 'capabilities') {
      if (req.method !== 'GET') throw new ProtocolError(405, 'method-not-allowed', `${PREFIX}/capabilities is read with GET`);
      return { protocol: PROTOCOL_VERSION, ...(await describe()) };
    }
    if (name !== 'open' && name !== 'close' && !Object.hasOwn(OPERATIONS, name)) {
      throw new ProtocolError(404, 'unknown-operation', `no operation "${name}"; operations are open, close, ${Object.keys(OPERATIONS).join(', ')}`);
    }
    if (req.method !== 'POST') throw new ProtocolError(405, 'method-not-allowed', `${PREFIX}/${name} is called with POST and a JSON body`);
    const body = await readJson(req);
    if (name === 'open') {
      const request = parse(SESSION.open.request, body, name);
      const driver = await factory({ now: request.now, ...(request.window ? { window: request.window } : {}) });
      const session = `s${++opened}`;
      sessions.set(session, driver);
      return { session };
    }
    if (name === 'close') {
      const { session } = parse(SESSION.close.request, body, name);
      const driver = sessionDriver(session);
      sessions.delete(session);
      await driver.close();
      return {};
    }
    const operation = OPERATIONS[name as OperationName] as unknown as Operation;
    const { session, ...request } = parse(operation.request, body, name) as { session: string };
    return operation.serve(sessionDriver(session), request);
  };

  const sessionDriver = (session: string) => {
    const driver = sessions.get(session);
    if (!driver) throw new ProtocolError(404, 'unknown-session', `no open session "${session}" (open one with POST ${PREFIX}/open; a closed session cannot be used again)`);
    return driver;
  };

  const server = createServer((req, res) => {
    handle(req).then(
      (answer) => send(res, 200, answer),
      (error: unknown) => {
        if (error instanceof ProtocolError) return send(res, error.status, { error: { code: error.code, message: error.message } });
        // Anything the engine throws is its answer to the operation: the scenario may expect it.
        const e = error as Error & { code?: unknown };
        send(res, 422, { error: { code: typeof e.code === 'string' && e.code ? e.code : 'engine-error', message: e.message || String(error) } });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // keep-alive sockets of the harness would hold close() open
      await closed;
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((d) => d.close()));
    },
  };
}

function parse<S extends z.ZodType>(schema: S, body: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(body, { reportInput: true });
  if (!result.success) throw new ProtocolError(400, 'invalid-request', describeIssues(result.error, schema, `${PREFIX}/${operation} request`).replaceAll('\n', '; '));
  return result.data;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ProtocolError(413, 'request-too-large', `a request body is at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProtocolError(400, 'invalid-request', `the body must be a JSON object: ${(error as Error).message}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
