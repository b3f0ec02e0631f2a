import { z } from 'zod';
import { FAULT_KINDS } from '../../../mock-icloud/index.js';
import { isoTime, whole } from '../args/vocabulary.js';
import { defineStep } from './define-step.js';

/** The mock's fault rule (mock-icloud/control/faults.ts FaultSpec), checked at load. */
const faultSpec = z.strictObject({
  kind: z.enum(FAULT_KINDS),
  match: z.strictObject({ account: z.string().optional(), calendar: z.string().optional(), method: z.string().optional(), path: z.string().optional().describe('path prefix') }).optional(),
  after: whole(0, 'matching requests let through first').optional(),
  count: whole(1, 'matching requests hit, then the rule stops').optional(),
  from: isoTime.optional(),
  until: isoTime.optional(),
  probability: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
  retryAfter: whole(0, 'seconds, sent as Retry-After').optional(),
  latencyMs: z.number().min(0).max(600_000).optional(),
  latencyJitterMs: whole(0, 'more milliseconds, drawn from seed').optional(),
  pageSize: whole(1, 'sync-collection members per page (truncate-sync)').optional(),
});

export const fault = defineStep({
  name: 'fault',
  group: 'faults',
  doc: 'make the mock fail with a fault rule, e.g. `{ kind: unavailable, retryAfter: 60, count: 1 }` (kinds and scoping: see Faults)',
  args: faultSpec,
  shorthand: 'kind',
  run(run, a) {
    run.mock.control.addFault(a);
  },
});
