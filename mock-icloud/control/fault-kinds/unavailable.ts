import { DavError } from '../../http/errors.js';
import { defineFaultKind } from './define.js';
import { retryAfterHeaders, retryAfterParam } from './retry-after.js';

export const unavailable = defineFaultKind({
  name: 'unavailable',
  doc: '503, with `Retry-After` when `retryAfter` is set',
  params: retryAfterParam,
  apply({ rule, outcome }) {
    outcome.error = new DavError(503, `fault ${rule.id}: service unavailable`, { kind: 'empty' }, retryAfterHeaders(rule));
  },
});
