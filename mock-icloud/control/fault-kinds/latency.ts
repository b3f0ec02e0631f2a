import { z } from 'zod';
import { defineFaultKind } from './define.js';

export const latency = defineFaultKind({
  name: 'latency',
  doc: '`latencyMs` more, plus up to `latencyJitterMs` drawn from `seed`; adds to any other answer',
  params: {
    latencyMs: z
      .number({ error: 'must be between 0 and 600000' })
      .min(0, 'must be between 0 and 600000')
      .max(600_000, 'must be between 0 and 600000')
      .describe('milliseconds added before answering, 0–600000'),
    latencyJitterMs: z
      .number({ error: 'must be whole milliseconds' })
      .int('must be whole milliseconds')
      .min(0, 'must be whole milliseconds')
      .optional()
      .describe('up to this many more milliseconds, drawn from seed'),
  },
  withAnswer: true,
  apply({ rule, outcome, random }) {
    outcome.delayMs += rule.latencyMs + Math.floor(random() * (rule.latencyJitterMs ?? 0));
  },
});
