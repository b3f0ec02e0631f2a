/**
 * One `expect:` matcher: its key under `expect:`, a line of documentation, the schema of its
 * arguments (checked at load), and the check, which returns every mismatch it finds (empty: as
 * expected) with what was expected beside what was there.
 */
import type { z } from 'zod';
import { withShorthand } from '../args/shorthand.js';
import type { ScenarioRun } from '../run-state.js';

export interface Mismatch {
  message: string;
  expected?: unknown;
  actual?: unknown;
}

export interface ExpectationDefinition {
  name: string;
  doc: string;
  args: z.ZodType;
  shorthand?: string;
  schema: z.ZodType;
  check(run: ScenarioRun, args: unknown): Promise<Mismatch[]> | Mismatch[];
}

export function defineExpectation<S extends z.ZodType>(definition: {
  name: string;
  doc: string;
  args: S;
  shorthand?: string;
  check(run: ScenarioRun, args: z.output<S>): Promise<Mismatch[]> | Mismatch[];
}): ExpectationDefinition {
  return { ...definition, schema: withShorthand(definition.args, definition.shorthand), check: definition.check as ExpectationDefinition['check'] };
}
