/**
 * The request log: one line per CalDAV request (origin, account, method, path, status, duration
 * and the fault kind when a fault acted), written with pino, which writes JSON lines cheaply
 * enough to leave on in a load test and which log shippers read as they are.
 */
import type { Response } from 'express';
import { pino, type Logger } from 'pino';
import type { JournalEntry } from '../control/journal.js';
import { BODY_LIMIT, bounded } from '../control/journal.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(level: string): level is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(level);
}

/** The mock's logger: JSON lines on stdout at `level`. */
export function createLogger(level: LogLevel): Logger {
  return pino({ name: 'mock-icloud', level, base: undefined });
}

/** Logs a journalled request: info, or error for a 500 no fault asked for (a bug in the mock). */
export function logRequest(logger: Logger, entry: JournalEntry): void {
  const { seq: _seq, at: _at, requestBody: _request, responseBody: _response, ...line } = entry;
  const level = entry.status >= 500 && entry.fault === undefined ? 'error' : 'info';
  logger[level](line, `${entry.method} ${entry.path} ${entry.status}`);
}

/**
 * Keeps a copy of the first BODY_LIMIT bytes a response writes (and counts the rest), for a
 * journal with bodies. Returns the body so far, bounded.
 */
export function captureResponseBody(res: Response): () => string {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  const keep = (chunk: unknown, encoding: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    total += bytes.length;
    if (keptBytes < BODY_LIMIT) {
      const room = BODY_LIMIT - keptBytes;
      kept.push(bytes.subarray(0, room));
      keptBytes += Math.min(room, bytes.length);
    }
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.write = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    return write(...args);
  }) as Response['write'];
  res.end = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    return end(...args);
  }) as Response['end'];
  return () => bounded(Buffer.concat(kept), BODY_LIMIT, total);
}
