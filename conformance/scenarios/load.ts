/**
 * Reading scenario files: YAML → a checked Scenario, or a ScenarioError naming the file, the step
 * and the key that is wrong, so QA can fix a file without reading TypeScript. Every step's
 * arguments and every matcher are checked here, before anything runs; a misspelt key fails the
 * load, never silently does nothing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { loadWorldFile, validateWorld, WorldError } from '../../mock-icloud/index.js';
import { givenSchema } from './given-schema.js';
import type { Scenario, ScenarioGiven, Step } from './schema.js';
import { STEP_BY_NAME, STEPS } from './steps/index.js';
import { describeIssues } from './zod-issues.js';

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** Every .yaml/.yml file under the given files or folders, sorted, once. */
export function findScenarioFiles(paths: string[]): string[] {
  const files = new Set<string>();
  const walk = (path: string) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) throw new ScenarioError(`${path}: no such file or folder`);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
    else if (/\.ya?ml$/.test(path)) files.add(resolve(path));
  };
  paths.forEach(walk);
  return [...files].sort();
}

/** The top level; `given` and each step are checked on their own so messages can name the step. */
export const scenarioHead = z.strictObject({
  name: z.string().trim().min(1, 'a sentence saying what the scenario shows'),
  rules: z.array(z.string().regex(/^[A-Z]\d+$/, 'a rule ID such as A1')).min(1, 'list the rule IDs the scenario checks, such as [A1, A2]'),
  description: z.string().optional(),
  given: z.unknown(),
  steps: z.array(z.unknown()).min(1, 'at least one step'),
});

export function loadScenario(file: string, root = process.cwd()): Scenario {
  const where = relative(root, file) || file;
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(file, 'utf8'), { prettyErrors: true });
  } catch (error) {
    throw new ScenarioError(`${where}: not valid YAML: ${(error as Error).message}`);
  }
  const head = check(scenarioHead, doc, where);
  return {
    file,
    name: head.name,
    rules: head.rules,
    description: head.description,
    given: parseGiven(head.given ?? {}, `${where}, given`, file),
    steps: head.steps.map((s, i) => parseStep(s, `${where}, step ${i + 1}`, i + 1)),
  };
}

function check<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw new ScenarioError(describeIssues(result.error, schema, where));
  return result.data;
}

function parseGiven(input: unknown, where: string, file: string): ScenarioGiven {
  const given = check(givenSchema, input, where);
  return { ...given, icloud: checkWorld(given.icloud, `${where}.icloud`, file) };
}

/**
 * The iCloud world is checked with the mock's own validation now, not when the mock starts: an
 * inline world the mock would take as it is (say, an account without fullName) otherwise shows up
 * much later as a 500 to a PROPFIND, far from the line that is wrong.
 */
function checkWorld(icloud: string | Record<string, unknown>, where: string, file: string): ScenarioGiven['icloud'] {
  try {
    if (typeof icloud !== 'string') return validateWorld(icloud) as unknown as Record<string, unknown>;
    loadWorldFile(resolve(dirname(file), icloud));
    return icloud;
  } catch (error) {
    if (error instanceof WorldError) throw new ScenarioError(`${where}: ${error.message}`);
    throw error;
  }
}

function parseStep(input: unknown, where: string, index: number): Step {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ScenarioError(`${where}: expected a mapping such as "- sync: alice"`);
  const { expectError, ...rest } = input as Record<string, unknown>;
  const names = Object.keys(rest);
  if (names.length !== 1) throw new ScenarioError(`${where}: a step has exactly one action (found ${names.join(', ') || 'none'}); actions are ${STEPS.map((s) => s.name).join(', ')}`);
  const kind = names[0];
  const definition = STEP_BY_NAME.get(kind);
  if (!definition) throw new ScenarioError(`${where}: unknown action "${kind}"; actions are ${STEPS.map((s) => s.name).join(', ')}`);
  if (expectError !== undefined && (typeof expectError !== 'string' || kind === 'expect')) {
    throw new ScenarioError(`${where} (${kind}).expectError: ${kind === 'expect' ? 'an expect step cannot be expected to fail' : 'the text of the expected error code or message'}`);
  }
  const args = check(definition.schema, rest[kind], `${where} (${kind})`);
  return { kind, args, expectError, index, source: YAML.stringify(input, { lineWidth: 0 }).trimEnd() };
}
