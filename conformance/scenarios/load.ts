/**
 * Reading scenario files: YAML → a checked Scenario, or a ScenarioError naming the file, the step
 * and the key that is wrong, so QA can fix a file without reading TypeScript.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import YAML from 'yaml';
import { loadWorldFile, validateWorld, WorldError } from '../../mock-icloud/index.js';
import { EXPECTATION_KINDS, STEP_KINDS, type Scenario, type ScenarioGiven, type Step, type StepKind } from './schema.js';

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

const DEFAULT_NOW = '2026-11-21T09:00:00Z';

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

export function loadScenario(file: string, root = process.cwd()): Scenario {
  const where = relative(root, file) || file;
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(file, 'utf8'), { prettyErrors: true });
  } catch (error) {
    throw new ScenarioError(`${where}: not valid YAML: ${(error as Error).message}`);
  }
  const o = asObject(doc, where, ['name', 'rules', 'description', 'given', 'steps']);
  if (typeof o.name !== 'string' || !o.name.trim()) throw new ScenarioError(`${where}: "name" is required`);
  if (!Array.isArray(o.rules) || o.rules.length === 0 || !o.rules.every((r) => typeof r === 'string' && /^[A-Z]\d+$/.test(r))) {
    throw new ScenarioError(`${where}: "rules" must list rule IDs such as [A1, A2]`);
  }
  if (!Array.isArray(o.steps) || o.steps.length === 0) throw new ScenarioError(`${where}: "steps" must be a non-empty list`);
  return {
    file,
    name: o.name.trim(),
    rules: o.rules as string[],
    description: typeof o.description === 'string' ? o.description : undefined,
    given: parseGiven(o.given, where, file),
    steps: o.steps.map((s, i) => parseStep(s, `${where}, step ${i + 1}`, i + 1)),
  };
}

function parseGiven(input: unknown, where: string, file: string): ScenarioGiven {
  const g = asObject(input ?? {}, `${where}: given`, ['now', 'icloud', 'platform', 'window']);
  const now = g.now === undefined ? DEFAULT_NOW : g.now instanceof Date ? g.now.toISOString() : String(g.now);
  if (Number.isNaN(Date.parse(now))) throw new ScenarioError(`${where}: given.now is not an ISO time: ${now}`);
  if (g.icloud === undefined) throw new ScenarioError(`${where}: given.icloud is required (a world file such as ../worlds/demo.yaml)`);
  const icloud = checkWorld(g.icloud, where, file);
  const platform = asObject(g.platform ?? { subAccounts: [] }, `${where}: given.platform`, ['subAccounts']);
  const subAccounts = (Array.isArray(platform.subAccounts) ? platform.subAccounts : []).map((sa, i) => {
    const s = asObject(sa, `${where}: given.platform.subAccounts[${i}]`, ['name', 'users', 'contacts', 'calendars']);
    return {
      name: String(s.name ?? `Sub-account ${i + 1}`),
      users: (s.users ?? {}) as ScenarioGiven['platform']['subAccounts'][number]['users'],
      contacts: (s.contacts ?? {}) as ScenarioGiven['platform']['subAccounts'][number]['contacts'],
      calendars: (s.calendars ?? {}) as ScenarioGiven['platform']['subAccounts'][number]['calendars'],
    };
  });
  return { now, icloud, platform: { subAccounts }, window: g.window as ScenarioGiven['window'] };
}

function parseStep(input: unknown, where: string, index: number): Step {
  const o = asObject(input, where);
  const keys = Object.keys(o).filter((k) => k !== 'expectError');
  if (keys.length !== 1) throw new ScenarioError(`${where}: a step has exactly one action (found ${keys.join(', ') || 'none'}); actions are ${Object.keys(STEP_KINDS).join(', ')}`);
  const kind = keys[0];
  if (!(kind in STEP_KINDS)) throw new ScenarioError(`${where}: unknown action "${kind}"; actions are ${Object.keys(STEP_KINDS).join(', ')}`);
  const raw = o[kind];
  const args: Record<string, unknown> = raw === null || raw === undefined ? {} : typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : { value: raw };
  if (kind === 'expect') {
    for (const k of Object.keys(args)) {
      if (!(k in EXPECTATION_KINDS)) throw new ScenarioError(`${where}: unknown expectation "${k}"; expectations are ${Object.keys(EXPECTATION_KINDS).join(', ')}`);
    }
  }
  return { kind: kind as StepKind, args, expectError: o.expectError === undefined ? undefined : String(o.expectError), index };
}

/**
 * The iCloud world is checked with the mock's own validation now, not when the mock starts: an
 * inline world the mock would take as it is (say, an account without fullName) otherwise shows up
 * much later as a 500 to a PROPFIND, far from the line that is wrong.
 */
function checkWorld(icloud: unknown, where: string, file: string): ScenarioGiven['icloud'] {
  try {
    if (typeof icloud !== 'string') return validateWorld(icloud) as unknown as Record<string, unknown>;
    loadWorldFile(resolve(dirname(file), icloud));
    return icloud;
  } catch (error) {
    if (error instanceof WorldError) throw new ScenarioError(`${where}: given.icloud: ${error.message}`);
    throw error;
  }
}

function asObject(value: unknown, where: string, allowed?: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScenarioError(`${where}: expected a mapping`);
  if (allowed) for (const k of Object.keys(value)) if (!allowed.includes(k)) throw new ScenarioError(`${where}: unknown key "${k}" (expected one of ${allowed.join(', ')})`);
  return value as Record<string, unknown>;
}
