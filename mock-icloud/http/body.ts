/**
 * Reads request bodies with a hard size limit, before any parsing, so an oversized upload costs
 * the server nothing but the bytes it discards. Limits are iCloud-unknown ([U]); see FIDELITY.md.
 */
import type { Request } from 'express';
import { DavError } from './errors.js';

export const LIMITS = {
  /** PROPFIND/REPORT/PROPPATCH/MKCALENDAR bodies. */
  xmlBytes: 1024 * 1024,
  /** A calendar object resource (PUT). */
  icalendarBytes: 2 * 1024 * 1024,
};

export function readBody(req: Request, limit: number): Promise<string> {
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
      if (!refused) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (!refused) reject(err);
    });
  });
}
