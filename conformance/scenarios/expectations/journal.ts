import { z } from 'zod';
import { oneOrMany, whole } from '../args/vocabulary.js';
import { defineExpectation } from './define-expectation.js';

const entry = z.strictObject({
  account: z.string().optional(),
  method: z.string().optional(),
  status: z.number().int().optional(),
  reason: z.string().optional().describe("text in the mock's reason for a refusal, e.g. revoked-app-password"),
  fault: z.boolean().optional().describe('true: a fault rule answered it'),
  count: whole(0, 'exactly this many (default: at least one)').optional(),
});

export const journal = defineExpectation({
  name: 'journal',
  doc: "requests in the mock's journal over the whole scenario: `reason`: a text of the mock's reason for a refusal; `fault: true`: a fault rule answered; no `count`: at least one",
  args: oneOrMany(entry),
  check(run, matchers) {
    return matchers.flatMap((m) => {
      const entries = run.mock.control
        .journal({ account: m.account, method: m.method, status: m.status })
        .filter((e) => (m.reason === undefined || (e.reason ?? '').includes(m.reason)) && (m.fault === undefined || !!e.fault === m.fault));
      const ok = m.count === undefined ? entries.length > 0 : entries.length === m.count;
      if (ok) return [];
      const failed = run.mock.control.journal({ account: m.account }).filter((e) => e.status >= 400);
      return [
        {
          message: `expected ${m.count === undefined ? 'at least one' : String(m.count)} journal entr(ies) like this, found ${entries.length}`,
          expected: m,
          actual: failed.map((e) => `${e.method} ${e.path} → ${e.status}${e.reason ? ` (${e.reason})` : ''}`).slice(-12),
        },
      ];
    });
  },
});
