import { z } from 'zod';
import { key } from '../args/vocabulary.js';
import { userOf } from '../lookups.js';
import { defineExpectation } from './define-expectation.js';

export const connection = defineExpectation({
  name: 'connection',
  doc: 'the connection the engine stored for a user: `status` active, reconnect_required, or none (no connection)',
  args: z.strictObject({ user: key('user'), status: z.enum(['active', 'reconnect_required', 'none']).optional() }),
  async check(run, spec) {
    const user = userOf(run, spec.user);
    // What the engine has stored, not what the scenario connected: a refused connect stores none.
    const stored = await run.driver.connection(user.id);
    const ok = spec.status === 'none' ? !stored : !!stored && (spec.status === undefined || stored.status === spec.status);
    return ok ? [] : [{ message: `connection of ${spec.user} differs`, expected: spec, actual: stored ? { status: stored.status, reason: stored.reason } : { status: 'none' } }];
  },
});
