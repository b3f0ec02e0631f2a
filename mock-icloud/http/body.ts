/**
 * Reads request bodies with a hard size limit, before any parsing, so an oversized upload costs
 * the server nothing but the bytes it discards. Limits are iCloud-unknown ([U]); see FIDELITY.md.
 */
import type { Request } from 'express';
import { gunzipSync } from 'node:zlib';
import { badRequest, DavError } from './errors.js';

export const LIMITS = {
  /** PROPFIND/REPORT/PROPPATCH/MKCALENDAR bodies. */
  xmlBytes: 1024 * 1024,
  /** A calendar object resource (PUT). */
  icalendarBytes: 2 * 1024 * 1024,
  /**
   * hrefs in one calendar-multiget: Apple CalendarServer's MaxMultigetWithDataHrefs default
   * (twistedcaldav/stdconfig.py); more is 403 `DAV:number-of-matches-within-limits`.
   */
  multigetHrefs: 5000,
  /**
   * calendar-data bytes in one REPORT answer. calendar-query and calendar-multiget answers that
   * would carry more are refused with 403 `DAV:number-of-matches-within-limits` (CalendarServer's
   * answer for a REPORT that matches too much); sync-collection is truncated instead, with a 507
   * and a token that continues (RFC 6578 §3.6), so a client can always page through.
   */
  reportDataBytes: 32 * 1024 * 1024,
};

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a body as UTF-8, refusing malformed sequences (overlong forms, surrogates, truncation,
 * stray continuation bytes) instead of storing U+FFFD in their place. A byte order mark is dropped.
 */
export function decodeUtf8(bytes: Buffer, invalid: (reason: string) => DavError = (reason) => badRequest(reason)): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw invalid(`request body is not valid UTF-8 at byte ${firstInvalidUtf8(bytes)}`);
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629 §4). */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const [n, lo, hi] =
      c >= 0xc2 && c <= 0xdf
        ? [1, 0x80, 0xbf]
        : c === 0xe0
          ? [2, 0xa0, 0xbf]
          : c === 0xed
            ? [2, 0x80, 0x9f]
            : c >= 0xe1 && c <= 0xef
              ? [2, 0x80, 0xbf]
              : c === 0xf0
                ? [3, 0x90, 0xbf]
                : c === 0xf4
                  ? [3, 0x80, 0x8f]
                  : c >= 0xf1 && c <= 0xf3
                    ? [3, 0x80, 0xbf]
                    : [0, 0, 0];
    if (n === 0) return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return b.length;
}

/**
 * Undoes a request's Content-Encoding. Apple's clients send gzip bodies (an iPhone's MKCALENDAR in
 * vdirsyncer PR #567; review row 4), so gzip is accepted, its decompressed size held to the same
 * limit as a plain body (a small bomb costs nothing); any other coding is 415 (RFC 9110 §15.5.16).
 */
export function decodeContent(encoding: string | string[] | undefined, bytes: Buffer, limit: number): Buffer {
  const codings = String(encoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  let out = bytes;
  for (const coding of codings.reverse()) {
    if (coding !== 'gzip' && coding !== 'x-gzip') throw new DavError(415, `Content-Encoding "${coding}" is not supported (gzip is)`, { kind: 'empty' }, { 'Accept-Encoding': 'gzip' });
    try {
      out = gunzipSync(out, { maxOutputLength: limit });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new DavError(413, `gzip body inflates past the ${limit}-byte limit`, { kind: 'empty' });
      throw badRequest(`request body is not valid gzip: ${(error as Error).message}`);
    }
  }
  return out;
}

/** Reads a body within `limit` bytes and decodes it as UTF-8 (a 400 from `invalid` otherwise). */
export function readBody(req: Request, limit: number, invalid?: (reason: string) => DavError): Promise<string> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const refuse = (n: number) => {
      refused = true;
      chunks.length = 0;
      // Keep reading (and discarding) so the 413 reaches the client instead of a reset connection.
      reject(new DavError(413, `request body of ${n}+ bytes exceeds the ${limit}-byte limit`, { kind: 'empty' }, { Connection: 'close' }));
    };
    if (Number.isFinite(declared) && declared > limit) refuse(declared);
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) refuse(size);
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      try {
        resolve(decodeUtf8(decodeContent(req.headers['content-encoding'], Buffer.concat(chunks), limit), invalid));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', (err) => {
      if (!refused) reject(err);
    });
  });
}
