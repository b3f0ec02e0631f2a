import { z } from 'zod';
import { defineFaultKind } from './define.js';

export const truncateSync = defineFaultKind({
  name: 'truncate-sync',
  doc: 'sync-collection in pages of `pageSize`, each ending in 507 with a continuation token (RFC 6578 §3.6)',
  params: {
    pageSize: z
      .number({ error: 'must be a whole number of at least 1' })
      .int('must be a whole number of at least 1')
      .min(1, 'must be a whole number of at least 1')
      .describe('sync-collection members per page'),
  },
  report: 'sync-collection',
  apply({ rule, outcome }) {
    outcome.effects.syncPageSize = rule.pageSize;
  },
});
