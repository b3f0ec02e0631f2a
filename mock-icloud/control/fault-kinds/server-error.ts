import { DavError } from '../../http/errors.js';
import { defineFaultKind } from './define.js';

export const serverError = defineFaultKind({
  name: 'server-error',
  doc: '500',
  params: {},
  apply({ rule, outcome }) {
    outcome.error = new DavError(500, `fault ${rule.id}: internal server error`, { kind: 'empty' });
  },
});
