/**
 * `expect:` runs every matcher it names and collects every mismatch, so a failing step shows all
 * that is wrong at once. A matcher that cannot even run (say, an unknown user key) is one more
 * mismatch, not the end of the others.
 */
import { z } from 'zod';
import type { Mismatch } from '../expectations/define-expectation.js';
import { EXPECTATIONS } from '../expectations/index.js';
import { StepFailure } from '../step-failure.js';
import { defineStep } from './define-step.js';

export class ExpectationsFailed extends Error {
  constructor(readonly mismatches: Mismatch[]) {
    super(mismatches.map((m) => m.message).join('; '));
    this.name = 'ExpectationsFailed';
  }
}

export const expectStep = defineStep({
  name: 'expect',
  group: 'checking',
  doc: 'check the state with the matchers below; every one that fails is reported',
  args: z.strictObject(Object.fromEntries(EXPECTATIONS.map((e) => [e.name, e.schema.optional()]))),
  async run(run, args) {
    const mismatches: Mismatch[] = [];
    for (const definition of EXPECTATIONS) {
      const a = (args as Record<string, unknown>)[definition.name];
      if (a === undefined) continue;
      try {
        mismatches.push(...(await definition.check(run, a)).map((m) => ({ ...m, message: `${definition.name}: ${m.message}` })));
      } catch (error) {
        const e = error as Error;
        mismatches.push({ message: `${definition.name}: ${e.message}`, ...(e instanceof StepFailure ? { expected: e.expected, actual: e.actual } : {}) });
      }
    }
    if (mismatches.length) throw new ExpectationsFailed(mismatches);
  },
});
