/**
 * The recording proxy: any CalDAV client is pointed at it as if it were iCloud; it forwards each
 * request to the upstream, answers the client with the upstream's answer, and writes the exchange
 * to a HAR file.
 *
 * Like the mock it has two origins: the gateway (`http://127.0.0.1:P/`, standing for
 * caldav.icloud.com) and the partition (`http://localhost:Q/`, standing for pNN-caldav.icloud.com,
 * another host name so clients that only switch hosts when the name differs still switch). When
 * the upstream names its partition (calendar-home-set, a Location), the partition origin forwards
 * there, and absolute hrefs to either upstream origin are rewritten to the proxy's.
 *
 * Built on node:http(s) rather than fetch: CalDAV methods, the Host header and the raw bytes must
 * go through untouched, and the timings HAR asks for come from the socket events.
 *
 * The capture records the upstream's side (the URLs and bodies the upstream saw and sent), not the
 * rewritten copy the client got, and is anonymised on every write (anonymise.ts).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { renameSync, writeFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { Anonymiser } from './anonymise.js';
import { harContent, toHar, type CaptureOrigin, type Har, type HarEntry, type HarHeader } from './har.js';
import { homeSetOrigins, isXml, rewriteHrefs, rewriteUrl, type OriginMapping } from './rewrite.js';
import { listen, stop } from '../http/listen.js';

export interface RecordingProxyOptions {
  /** The server to record, e.g. `https://caldav.icloud.com/`. */
  upstream: string;
  /** Gateway port; 0 picks a free one. Default 0. */
  port?: number;
  /** Partition port; 0 picks a free one. Default 0. */
  partitionPort?: number;
  /** Where the HAR goes, rewritten after every exchange. Default: kept in memory only. */
  out?: string;
  /** Default true. false keeps credentials and private values: for tests of the anonymiser only. */
  anonymise?: boolean;
  /** Told about every exchange and every problem, one line each (default: nothing). */
  log?: (line: string) => void;
}

export interface RunningRecordingProxy {
  /** Give this to the client as the server URL. */
  gatewayUrl: string;
  partitionUrl: string;
  /** The capture as it is (or would be) written. */
  har(): Har;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length', 'accept-encoding']);
const REQUEST_TIMEOUT_MS = 60_000;

export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RunningRecordingProxy> {
  const upstream = parseUpstream(options.upstream);
  const log = options.log ?? (() => undefined);
  const anonymiser = new Anonymiser();
  const raw: HarEntry[] = [];
  /** Upstream partition origins, in the order learnt; the first is served on the partition port. */
  const partitions: string[] = [];
  let proxyOrigins = { gateway: '', partition: '' };
  let user: string | undefined;

  const render = (): Har => {
    const anonymise = options.anonymise ?? true;
    const entries = anonymise ? raw.map((e) => anonymiser.anonymiseEntry(e)) : raw;
    const shownUser = user === undefined ? undefined : anonymise ? anonymiser.apply(user) : user;
    return toHar(entries, { gateway: upstream, partitions: partitions.map((p) => (anonymise ? anonymiser.apply(p) : p)), anonymised: anonymise, ...(shownUser ? { user: shownUser } : {}) });
  };
  const write = () => {
    if (!options.out) return;
    // Whole file, atomically: a reader (or a crash) never sees half a capture.
    const tmp = `${options.out}.partial`;
    writeFileSync(tmp, `${JSON.stringify(render(), null, 2)}\n`);
    renameSync(tmp, options.out);
  };
  write();

  /** upstream → proxy, for answers; proxy → upstream, for requests. */
  const toProxy = (): OriginMapping[] => [{ from: upstream, to: proxyOrigins.gateway }, ...(partitions[0] ? [{ from: partitions[0], to: proxyOrigins.partition }] : [])];
  const toUpstream = (): OriginMapping[] => [
    { from: proxyOrigins.gateway, to: upstream },
    { from: proxyOrigins.partition, to: partitions[0] ?? upstream },
  ];

  const learnPartition = (origin: string) => {
    if (origin === upstream || partitions.includes(origin)) return;
    partitions.push(origin);
    anonymiser.learnPartitionHost(new URL(origin).hostname);
    if (partitions.length === 1) log(`partition: ${origin} is served on ${proxyOrigins.partition}/`);
    else log(`warning: a second partition ${origin}: its hrefs are not rewritten (the proxy has one partition origin)`);
  };

  const handle = (role: CaptureOrigin) => async (req: IncomingMessage, res: ServerResponse) => {
    const started = new Date();
    try {
      const body = await readBody(req);
      const target = new URL(req.url ?? '/', role === 'partition' ? (partitions[0] ?? upstream) : upstream);
      const headers = forwardHeaders(req.headers, toUpstream());
      let sentBody = body;
      if (body.length && isXml(req.headers['content-type'])) sentBody = Buffer.from(rewriteHrefs(body.toString('utf8'), toUpstream()));
      headers['content-length'] = String(sentBody.length);
      headers.host = target.host;
      headers['accept-encoding'] = 'identity';

      const answer = await send(target, req.method ?? 'GET', headers, sentBody);
      let responseBody = decode(answer.body, answer.headers['content-encoding']);
      const contentType = answer.headers['content-type'];
      const location = answer.headers.location;
      if (isXml(contentType)) for (const origin of homeSetOrigins(responseBody.toString('utf8'))) learnPartition(origin);
      if (location && /^https?:/i.test(location)) learnPartition(new URL(location).origin);

      const auth = req.headers.authorization;
      if (auth?.startsWith('Basic ')) {
        const token = auth.slice(6).trim();
        const decoded = Buffer.from(token, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        user ??= decoded.slice(0, colon);
        anonymiser.learnCredentials(decoded.slice(0, colon), decoded.slice(colon + 1), token);
      }
      const entry = harEntry(role, started, target, req.method ?? 'GET', headers, sentBody, answer, responseBody, auth !== undefined);
      anonymiser.learnEntry(entry);
      raw.push(entry);
      write();
      log(`${req.method} ${target.pathname} → ${answer.status}`);

      // The client's copy: the upstream's origins replaced by the proxy's.
      if (isXml(contentType)) responseBody = Buffer.from(rewriteHrefs(responseBody.toString('utf8'), toProxy()));
      const out = forwardHeaders(answer.headers, toProxy());
      if (answer.headers['content-encoding'] && responseBody !== answer.body) delete out['content-encoding'];
      out['content-length'] = String(responseBody.length);
      res.writeHead(answer.status, answer.statusText, out);
      res.end(req.method === 'HEAD' ? undefined : responseBody);
    } catch (error) {
      const message = `${req.method} ${req.url}: upstream ${upstream} did not answer: ${(error as Error).message}`;
      log(`error: ${message}`);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${message}\n`);
    }
  };

  // The handler settles every request itself (its own try/catch answers 502): nothing to await here.
  const serve = (role: CaptureOrigin) => (req: IncomingMessage, res: ServerResponse) => void handle(role)(req, res);
  const gateway = createServer(serve('gateway'));
  const partition = createServer(serve('partition'));
  const partitionV6 = createServer(serve('partition'));
  try {
    await listen(partition, options.partitionPort ?? 0, '127.0.0.1');
    // `localhost` may resolve to ::1 first; serve it there too where the machine has it.
    await listen(partitionV6, (partition.address() as AddressInfo).port, '::1').catch(() => undefined);
    await listen(gateway, options.port ?? 0, '127.0.0.1');
  } catch (error) {
    await Promise.all([stop(gateway), stop(partition), stop(partitionV6)]);
    throw error;
  }
  proxyOrigins = { gateway: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`, partition: `http://localhost:${(partition.address() as AddressInfo).port}` };
  return {
    gatewayUrl: `${proxyOrigins.gateway}/`,
    partitionUrl: `${proxyOrigins.partition}/`,
    har: render,
    close: async () => {
      await Promise.all([stop(gateway), stop(partition), stop(partitionV6)]);
      write();
    },
  };
}

/** `https://caldav.icloud.com/` → its origin; anything but an http(s) URL is refused with a reason. */
export function parseUpstream(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--upstream "${text}" is not a URL (expected e.g. https://caldav.icloud.com/)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--upstream "${text}" must be http:// or https://`);
  return url.origin;
}

interface UpstreamAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  timings: { send: number; wait: number; receive: number; connect: number };
}

function send(target: URL, method: string, headers: Record<string, string>, body: Buffer): Promise<UpstreamAnswer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let connected = t0;
    let sent = t0;
    let firstByte = t0;
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, { method, headers, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      firstByte = performance.now();
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('error', reject);
      response.on('end', () => {
        const end = performance.now();
        resolve({
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          headers: response.headers,
          body: Buffer.concat(chunks),
          timings: { connect: round(connected - t0), send: round(sent - connected), wait: round(firstByte - sent), receive: round(end - firstByte) },
        });
      });
    });
    request.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', () => (connected = performance.now()));
      else connected = performance.now();
    });
    request.on('finish', () => (sent = performance.now()));
    request.on('timeout', () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    request.on('error', reject);
    request.end(body);
  });
}

function harEntry(
  role: CaptureOrigin,
  started: Date,
  target: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
  answer: UpstreamAnswer,
  responseBody: Buffer,
  authorised: boolean,
): HarEntry {
  const requestHeaders: HarHeader[] = Object.entries(headers).map(([name, value]) => ({ name, value }));
  const responseHeaders: HarHeader[] = [];
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.push({ name, value: v });
  }
  const { connect, send: sendTime, wait, receive } = answer.timings;
  const location = answer.headers.location ?? '';
  return {
    startedDateTime: started.toISOString(),
    time: round(connect + sendTime + wait + receive),
    request: {
      method,
      url: target.href,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: requestHeaders,
      queryString: [...target.searchParams].map(([name, value]) => ({ name, value })),
      ...(body.length ? { postData: { mimeType: headers['content-type'] ?? '', text: body.toString('utf8') } } : {}),
      headersSize: -1,
      bodySize: body.length,
      ...(authorised ? { _authorization: answer.status === 401 ? ('refused' as const) : ('basic' as const) } : {}),
    },
    response: {
      status: answer.status,
      statusText: answer.statusText,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: responseHeaders,
      content: harContent(responseBody, String(answer.headers['content-type'] ?? '')),
      redirectURL: location,
      headersSize: -1,
      bodySize: answer.body.length,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, ssl: -1, connect, send: sendTime, wait, receive },
    _origin: role,
  };
}

/** Headers to pass on: hop-by-hop ones dropped, origins in Location/Destination re-addressed. */
function forwardHeaders(headers: IncomingHttpHeaders, mappings: OriginMapping[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = name === 'location' || name === 'content-location' || name === 'destination' ? rewriteUrl(text, mappings) : text;
  }
  // Several Set-Cookie headers cannot be joined with commas.
  if (Array.isArray(headers['set-cookie'])) out['set-cookie'] = headers['set-cookie'] as unknown as string;
  return out;
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.toLowerCase()) {
    case 'gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      return body;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const round = (ms: number) => Math.max(0, Math.round(ms * 1000) / 1000);
