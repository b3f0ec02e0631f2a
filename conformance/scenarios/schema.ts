/**
 * The scenario file format (fixtures/scenarios/**.yaml), written by QA without TypeScript:
 *
 *   name: …                     what the scenario shows, in a sentence
 *   rules: [A1, A2]             the RULES.md IDs it checks
 *   description: …              optional, longer
 *   given:                      the starting world (given-schema.ts)
 *   steps:                      actions and expectations, in order (steps/, expectations/)
 *
 * Users, contacts, calendars and booked events get short keys (alice, carla, massage, appt1) that
 * later steps use. The loader (load.ts) validates every part against the zod schemas and names the
 * file, step and key of every mistake; scenario.schema.json is generated from the same schemas.
 */
import type { z } from 'zod';
import type { givenSchema } from './given-schema.js';

export type ScenarioGiven = z.output<typeof givenSchema> & {
  /** A world file path (relative to the scenario) or an inline world, already validated. */
  icloud: string | Record<string, unknown>;
};

export interface Step {
  /** The step's name, e.g. `book` or `icloud.change`. */
  kind: string;
  /** Arguments as the step's schema parsed them (defaults filled, shorthand expanded). */
  args: unknown;
  /** The step must fail with an error whose code or message contains this (any case). */
  expectError?: string;
  /** 1-based position in the file, for messages. */
  index: number;
  /** The step as the file wrote it (YAML), for reports a reader compares with the file. */
  source?: string;
}

export interface Scenario {
  file: string;
  name: string;
  rules: string[];
  description?: string;
  given: ScenarioGiven;
  steps: Step[];
}
