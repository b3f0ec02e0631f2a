import { DavError } from '../../http/errors.js';
import { defineFaultKind } from './define.js';

export const forbiddenWrite = defineFaultKind({
  name: 'forbidden-write',
  doc: '403 on writes, as iCloud refuses payloads it dislikes',
  params: {},
  methods: ['PUT', 'DELETE', 'PROPPATCH', 'MKCALENDAR', 'MKCOL'],
  apply({ rule, outcome }) {
    outcome.error = new DavError(403, `fault ${rule.id}: write refused (iCloud rejects payloads it dislikes with 403)`, { kind: 'empty' });
  },
});
