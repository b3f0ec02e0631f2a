import { DavError } from '../../http/errors.js';
import { defineFaultKind } from './define.js';
import { retryAfterHeaders, retryAfterParam } from './retry-after.js';

export const tooManyRequests = defineFaultKind({
  name: 'too-many-requests',
  doc: '429, with `Retry-After` when set',
  params: retryAfterParam,
  apply({ rule, outcome }) {
    outcome.error = new DavError(429, `fault ${rule.id}: too many requests`, { kind: 'empty' }, retryAfterHeaders(rule));
  },
});
