/**
 * How the CalDAV client sends one request and reads its answer.
 *
 * The default goes through undici's dispatcher API on the keep-alive agent (keep-alive.ts). Node's
 * fetch costs far more per request: a WHATWG Request and Response, web streams for both bodies
 * and an AbortSignal.timeout each time. A steady polling cycle is one small REPORT per connection,
 * and fetch was most of the engine's own time in it (about 0.6 ms of CPU per REPORT against the
 * mock, against 0.15 ms here).
 *
 * A `fetch` passed in by the caller (tests that watch or cut requests, proxies) is used as it is,
 * through the same interface, so the client above does not know which one it has.
 */
import type { Dispatcher } from 'undici';
import { calDavAgent } from './keep-alive.js';

/** One answer, whatever sent the request. */
export interface Exchange {
  readonly status: number;
  /** A response header, several values joined with ", "; null when absent. */
  header(name: string): string | null;
  text(): Promise<string>;
  /**
   * The body as text, piece by piece as it arrives (a character cut between two pieces of bytes
   * comes whole in the next), with text()'s size limit. Stopping early drops the rest.
   */
  pieces(): AsyncIterable<string>;
  /** Drops the rest of the body, so the connection can carry the next request. */
  discard(): Promise<void>;
}

export interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** Sends one request, never following redirects (the client decides which to follow). */
export type Send = (url: string, request: Outgoing) => Promise<Exchange>;

export interface SendLimits {
  /** How long to wait for the headers, and for each part of the body. */
  timeoutMs: number;
  /** Bytes an answer's body may have: a server streaming without end must not fill the memory. */
  maxAnswerBytes: number;
}

/** A body as text, refused once it passes `limit` bytes (the rest is not read). */
export async function readBounded(body: AsyncIterable<Uint8Array>, limit: number, cancel: () => unknown): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size = withinLimit(size + chunk.byteLength, limit, cancel);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `size`, or a refusal (the rest of the body cancelled) once it passes `limit`. */
function withinLimit(size: number, limit: number, cancel: () => unknown): number {
  if (size <= limit) return size;
  cancel();
  throw new Error(`the answer is larger than ${limit} bytes`);
}

/**
 * A body as text, piece by piece, refused once it passes `limit` bytes (the rest is not read).
 * Decoded exactly as readBounded decodes the whole (Buffer's UTF-8: a byte order mark kept,
 * malformed bytes as U+FFFD), a character cut between two chunks held back until it is whole.
 *
 * Not TextDecoder's streaming mode, nor StringDecoder: both gave the XML reader strings it read
 * about twice as slowly (a 500-event multiget answer: 4.7 ms against 2.5 ms); Buffer's decoder
 * gives ASCII text in V8's compact one-byte form.
 */
export async function* piecesBounded(body: AsyncIterable<Uint8Array> | null, limit: number, cancel: () => unknown): AsyncGenerator<string> {
  let size = 0;
  let held: Buffer | undefined;
  for await (const chunk of body ?? []) {
    size = withinLimit(size + chunk.byteLength, limit, cancel);
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (held) bytes = Buffer.concat([held, bytes]);
    const cut = bytes.length - incompleteTail(bytes);
    held = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : undefined;
    const text = bytes.toString('utf8', 0, cut);
    if (text) yield text;
  }
  if (held) yield held.toString('utf8');
}

/**
 * How many bytes at the end of `bytes` start a UTF-8 character that is not complete in it. The
 * text before them decodes as it would within the whole: a byte that is not a continuation byte
 * always starts a fresh character, even after a malformed one.
 */
export function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: its lead is further back
    const length = b >= 0xf8 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0; // complete, or malformed: decoded now either way
}

/** `pieces`, calling `finished` however the reading ends (done, failed, or stopped by the reader). */
async function* finishing(pieces: AsyncIterable<string>, finished: () => void): AsyncGenerator<string> {
  try {
    yield* pieces;
  } finally {
    finished();
  }
}

/**
 * The default: undici's `request` on the keep-alive agent. `timeoutMs` bounds the wait for the
 * answer's headers and every pause while its body arrives, so a large answer that keeps coming is
 * not cut off, and a server that stops answering is; a whole answer gets ten times as long, so one
 * that trickles without end is cut off too.
 */
export function undiciSend(limits: SendLimits): Send {
  return async (url, request) => {
    const target = new URL(url);
    const abort = new AbortController();
    const deadline = setTimeout(() => abort.abort(new Error(`no complete answer within ${(limits.timeoutMs * 10) / 1000} s`)), limits.timeoutMs * 10);
    deadline.unref();
    const finished = () => clearTimeout(deadline);
    try {
      const answer = await calDavAgent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: request.body,
        headersTimeout: limits.timeoutMs,
        bodyTimeout: limits.timeoutMs,
        signal: abort.signal,
      });
      return {
        status: answer.statusCode,
        header: (name) => {
          const value = answer.headers[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
        },
        text: () => readBounded(answer.body, limits.maxAnswerBytes, () => answer.body.destroy()).finally(finished),
        pieces: () =>
          finishing(
            piecesBounded(answer.body, limits.maxAnswerBytes, () => answer.body.destroy()),
            finished,
          ),
        discard: () => answer.body.dump().finally(finished),
      };
    } catch (error) {
      finished();
      throw error;
    }
  };
}

/** An exchange read from a fetch Response; `response` is what tsdav's calls are given back. */
export interface FetchExchange extends Exchange {
  readonly response: Response;
}

export function fetchExchange(response: Response, maxAnswerBytes: number): FetchExchange {
  return {
    response,
    status: response.status,
    header: (name) => response.headers.get(name),
    text: async () => (response.body ? readBounded(response.body, maxAnswerBytes, () => response.body?.cancel().catch(() => undefined)) : ''),
    pieces: () => piecesBounded(response.body, maxAnswerBytes, () => response.body?.cancel().catch(() => undefined)),
    discard: async () => {
      await response.body?.cancel();
    },
  };
}

/** A caller's fetch as a Send, with a timeout on each request (body included). */
export function fetchSend(fetchFn: typeof fetch, limits: SendLimits): Send {
  return async (url, request) => fetchExchange(await fetchFn(url, { ...request, redirect: 'manual', signal: AbortSignal.timeout(limits.timeoutMs) }), limits.maxAnswerBytes);
}
