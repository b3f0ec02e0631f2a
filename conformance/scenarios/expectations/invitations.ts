import { z } from 'zod';
import { oneOrMany, whole } from '../args/vocabulary.js';
import { defineExpectation } from './define-expectation.js';

const entry = z.strictObject({
  to: z.string().optional().describe('the attendee address (mailto: optional, any case); none: to anyone'),
  method: z.enum(['REQUEST', 'CANCEL']).optional().describe('the iTIP method; none: either'),
  count: whole(0, 'exactly this many (default: at least one)').optional(),
});

/**
 * What iCloud's implicit scheduling sent over the whole scenario, read from the mock's invitation
 * sink (mock-icloud/scheduling/): `{ count: 0 }` pins that nothing was sent to anyone.
 */
export const invitations = defineExpectation({
  name: 'invitations',
  doc: "iTIP messages iCloud's implicit scheduling sent over the whole scenario (the mock's invitation sink): `to` an attendee, `method` REQUEST or CANCEL; no `count`: at least one",
  args: oneOrMany(entry),
  check(run, matchers) {
    return matchers.flatMap((m) => {
      const found = run.mock.control.invitations({ to: m.to, method: m.method });
      const ok = m.count === undefined ? found.length > 0 : found.length === m.count;
      if (ok) return [];
      return [
        {
          message: `expected ${m.count === undefined ? 'at least one' : String(m.count)} invitation(s) like this, found ${found.length}`,
          expected: m,
          actual: run.mock.control.invitations().map((i) => `${i.method} to ${i.to} (${i.delivery}) for ${i.uid}${i.summary ? ` "${i.summary}"` : ''}`),
        },
      ];
    });
  },
});
