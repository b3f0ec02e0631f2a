/**
 * Conditional request headers for writes (RFC 9110 §13.1): `If-Match` and `If-None-Match`.
 * A stale `If-Match` is iCloud's 412 (dossier §5, [S]); `If-None-Match: *` on an existing resource too.
 */
import type { Request } from 'express';
import { preconditionFailed } from './errors.js';

/** The etags of an If-Match/If-None-Match header, weak ones compared as strong (RFC 9110 §8.8.3.2). */
export function etagList(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .filter(Boolean);
}

export function checkConditions(req: Request, currentEtag: string | undefined): void {
  const ifMatch = req.headers['if-match'];
  if (typeof ifMatch === 'string') {
    if (currentEtag === undefined) throw preconditionFailed(`If-Match ${ifMatch} but the resource does not exist`);
    const tags = etagList(ifMatch);
    if (!tags.includes('*') && !tags.includes(currentEtag)) throw preconditionFailed(`If-Match ${ifMatch} does not match the current etag ${currentEtag}`);
  }
  const ifNoneMatch = req.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && currentEtag !== undefined) {
    const tags = etagList(ifNoneMatch);
    if (tags.includes('*')) throw preconditionFailed('If-None-Match: * but the resource already exists');
    if (tags.includes(currentEtag)) throw preconditionFailed(`If-None-Match ${ifNoneMatch} matches the current etag`);
  }
}
