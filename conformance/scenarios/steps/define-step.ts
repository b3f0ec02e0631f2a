/**
 * One scenario step: its name in YAML, a line of documentation (the README's step table is made
 * from it), the schema its arguments must fit (checked when the file loads, so a misspelt key
 * fails at once), and what it does. `shorthand` names the key a scalar fills (`sync: alice`).
 */
import type { z } from 'zod';
import type { DriverCapability } from '../../driver/driver.js';
import { withShorthand } from '../args/shorthand.js';
import type { ScenarioRun } from '../run-state.js';
import type { Step } from '../schema.js';

export type StepGroup = 'platform' | 'icloud' | 'faults' | 'running' | 'checking';

export interface StepDefinition {
  name: string;
  group: StepGroup;
  doc: string;
  args: z.ZodType;
  shorthand?: string;
  /** What the loader validates: `args`, also accepting the scalar shorthand and an empty value. */
  schema: z.ZodType;
  /** Driver capabilities these arguments need; a driver without them skips the scenario. */
  needs?(args: unknown): DriverCapability[];
  run(run: ScenarioRun, args: unknown, step: Step): Promise<void> | void;
}

export function defineStep<S extends z.ZodType>(definition: {
  name: string;
  group: StepGroup;
  doc: string;
  args: S;
  shorthand?: string;
  needs?(args: z.output<S>): DriverCapability[];
  run(run: ScenarioRun, args: z.output<S>, step: Step): Promise<void> | void;
}): StepDefinition {
  return { ...definition, schema: withShorthand(definition.args, definition.shorthand), needs: definition.needs as StepDefinition['needs'], run: definition.run as StepDefinition['run'] };
}
