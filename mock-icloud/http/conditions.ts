/**
 * Conditional request headers (RFC 9110 §13.1): `If-Match` and `If-None-Match`, evaluated in the
 * order of §13.2.2. A stale `If-Match` is iCloud's 412 (dossier §5, [S]); `If-None-Match: *` on an
 * existing resource too.
 *
 * If-Match uses the strong comparison (§13.1.1, §8.8.3.2): a weak tag `W/"…"` never matches, so a
 * client cannot overwrite or delete a resource on the strength of a weak validator. If-None-Match
 * uses the weak comparison (§13.1.2): `W/"x"` and `"x"` both name the current representation.
 */
import type { Request } from 'express';
import { preconditionFailed } from './errors.js';

/** The entity-tags of an If-Match/If-None-Match header as sent (`*`, `"x"`, `W/"x"`). */
export function etagList(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** RFC 9110 §8.8.3.2: both strong, and the same opaque tag. */
export function strongMatch(tag: string, current: string): boolean {
  return !tag.startsWith('W/') && !current.startsWith('W/') && tag === current;
}

/** RFC 9110 §8.8.3.2: the same opaque tag, whether either is weak. */
export function weakMatch(tag: string, current: string): boolean {
  return tag.replace(/^W\//, '') === current.replace(/^W\//, '');
}

export type ConditionOutcome = 'proceed' | 'not-modified';

/**
 * Evaluates If-Match, then If-None-Match, against the resource's current etag (undefined: it does
 * not exist). Throws 412 when a condition fails; on GET/HEAD a matching If-None-Match is
 * `not-modified` (304) instead.
 */
export function checkConditions(req: Request, currentEtag: string | undefined): ConditionOutcome {
  const ifMatch = req.headers['if-match'];
  if (typeof ifMatch === 'string') {
    if (currentEtag === undefined) throw preconditionFailed(`If-Match ${ifMatch} but the resource does not exist`);
    const tags = etagList(ifMatch);
    if (!tags.includes('*') && !tags.some((t) => strongMatch(t, currentEtag))) {
      const weak = tags.some((t) => t.startsWith('W/') && weakMatch(t, currentEtag));
      throw preconditionFailed(
        `If-Match ${ifMatch} does not match the current etag ${currentEtag}${weak ? ' (If-Match uses the strong comparison: a weak W/ tag never matches, RFC 9110 §13.1.1)' : ''}`,
      );
    }
  }
  const ifNoneMatch = req.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && currentEtag !== undefined) {
    const tags = etagList(ifNoneMatch);
    const hit = tags.includes('*') || tags.some((t) => weakMatch(t, currentEtag));
    if (hit) {
      if (req.method === 'GET' || req.method === 'HEAD') return 'not-modified';
      throw preconditionFailed(tags.includes('*') ? 'If-None-Match: * but the resource already exists' : `If-None-Match ${ifNoneMatch} matches the current etag`);
    }
  }
  return 'proceed';
}
