/**
 * Fault injection: rules that make the mock fail the way iCloud fails, on demand (dossier §9.14–15,
 * issue 5). Emulators are chosen largely for the failures the real service will not produce when
 * asked, so every kind here is one a sync client must survive.
 *
 * A rule has a kind and may be scoped to requests (account, calendar, method, path prefix), to a
 * stretch of the mock's clock (`from`/`until`), to a share of requests (`probability`, drawn from a
 * generator seeded per rule, so runs repeat), and to a number of them (`after` matching requests
 * are let through first, then `count` are hit). Rules are checked before authentication, in the
 * order added: the first answering rule wins, while latency and per-request effects accumulate.
 *
 * What each kind takes, where it applies and what it does is its record in fault-kinds/; this
 * module knows the scoping every rule shares and evaluates rules without naming any kind.
 */
import { z } from 'zod';
import { seededRandom } from '../../common/random.js';
import { canonicalAppleId } from '../store/apple-id.js';
import { parseWith, strict } from '../world/schema.js';
import type { FaultKindDefinition, FaultOutcome, RequestFacts } from './fault-kinds/define.js';
import { calendarOf } from './fault-kinds/define.js';
import { FAULT_KIND_DEFINITIONS } from './fault-kinds/index.js';

export type { FaultOutcome, RequestFacts } from './fault-kinds/define.js';
export { FAULT_KIND_DEFINITIONS } from './fault-kinds/index.js';

type Definitions = typeof FAULT_KIND_DEFINITIONS;
export type FaultKind = Definitions[number]['name'];
export const FAULT_KINDS = FAULT_KIND_DEFINITIONS.map((d) => d.name) as unknown as readonly [FaultKind, ...FaultKind[]];

const DEFINITIONS = new Map<string, FaultKindDefinition>(FAULT_KIND_DEFINITIONS.map((d) => [d.name, d as unknown as FaultKindDefinition]));

export interface FaultMatch {
  /** Apple ID named in the request's credentials. */
  account?: string;
  /** Collection name: the `<name>` in `/<dsid>/calendars/<name>/`. */
  calendar?: string;
  method?: string;
  /** Path prefix. */
  path?: string;
}

/** The scoping every rule has, whatever its kind. */
export interface FaultScope {
  match?: FaultMatch;
  /** Let this many matching requests through before the rule starts hitting. */
  after?: number;
  /** Hit only this many matching requests (default: every one until removed). */
  count?: number;
  /** Only while the mock's clock is at or after this time (ISO). */
  from?: string;
  /** Only while the mock's clock is before this time (ISO). */
  until?: string;
  /** Hit each matching request with this probability (0–1), drawn from `seed`. */
  probability?: number;
  seed?: number;
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type ParamsOf<D> = D extends FaultKindDefinition<string, infer P> ? (keyof P extends never ? Record<never, never> : z.input<z.ZodObject<P>>) : never;
/** Every kind's parameters (`retryAfter`, `latencyMs`, …), each optional at this level; validation checks them per kind. */
export type FaultParams = Partial<UnionToIntersection<ParamsOf<Definitions[number]>>>;

export type FaultSpec = { kind: FaultKind } & FaultScope & FaultParams;

export type Fault = FaultSpec & {
  id: string;
  /** Matching requests seen (including those let through by `after`). */
  seen: number;
  /** Requests this rule has hit so far. */
  hits: number;
};

export class FaultSpecError extends Error {}

const whole = (min: number, what: string) =>
  z
    .number({ error: `must be ${what}` })
    .int(`must be ${what}`)
    .min(min, `must be ${what}`)
    .optional();
const isoTime = z
  .string({ error: 'must be an ISO time' })
  .refine((t) => !Number.isNaN(Date.parse(t)), 'must be an ISO time')
  .optional();

const text = (description: string) => z.string({ error: 'must be text' }).optional().describe(description);

/** The scoping keys, in the order error messages and docs list them. */
export const faultScopeShape = {
  match: strict({
    account: text("the Apple ID in the request's credentials"),
    calendar: text('the collection name in /<dsid>/calendars/<name>/'),
    method: text('the HTTP method'),
    path: text('a path prefix'),
  })
    .optional()
    .describe('which requests the rule looks at'),
  after: whole(0, 'a whole number of requests').describe('matching requests let through first'),
  count: whole(1, 'a whole number of at least 1').describe('matching requests hit, then the rule is removed (default: until removed)'),
  from: isoTime.describe("only while the mock's clock is at or after this ISO time"),
  until: isoTime.describe("only while the mock's clock is before this ISO time"),
  probability: z
    .number({ error: 'must be between 0 and 1' })
    .min(0, 'must be between 0 and 1')
    .max(1, 'must be between 0 and 1')
    .optional()
    .describe('the share of matching requests hit, drawn from seed'),
  seed: z.number({ error: 'must be a number' }).optional().describe('seeds probability and any draw the kind makes, so runs repeat'),
};

const kindError = (input: unknown) => `unknown fault kind "${String(input)}"; use one of ${FAULT_KINDS.join(', ')}`;

/** One kind's rule: its name, the scoping, its own parameters, nothing else. */
function kindSchema(definition: FaultKindDefinition) {
  return strict({ kind: z.literal(definition.name), ...faultScopeShape, ...definition.params });
}

/**
 * A fault rule, as `POST /__mock/faults`, `mock.control.addFault`, `--fault`, `--faults FILE` and
 * a scenario's `fault:` step give it: one strict mapping per kind, so a key the kind does not take
 * is refused by name (a `cout: 1` would otherwise make a rule that never expires).
 */
export const faultSpecSchema = z.discriminatedUnion(
  'kind',
  FAULT_KIND_DEFINITIONS.map((d) => kindSchema(d as unknown as FaultKindDefinition)) as unknown as [ReturnType<typeof kindSchema>, ...ReturnType<typeof kindSchema>[]],
  { error: (issue) => (issue.code === 'invalid_union' ? kindError((issue.input as { kind?: unknown } | undefined)?.kind) : undefined) },
);

/**
 * Every kind's keys in one mapping (`kind` any of them, each parameter optional): what an editor
 * offers for a rule (the scenario JSON Schema, the README's step table). Not a check of its own:
 * use it with parseFaultSpec, which holds each kind to its own keys.
 */
export const anyFaultSpecShape = {
  kind: z.enum(FAULT_KINDS).describe('the fault kind (README: Faults)'),
  ...faultScopeShape,
  ...(Object.fromEntries(FAULT_KIND_DEFINITIONS.flatMap((d) => Object.entries(d.params).map(([k, v]) => [k, (v as z.ZodType).optional()]))) as Record<string, z.ZodOptional>),
};

/** Checks a fault rule from any source, or throws FaultSpecError naming the key and the problem. */
export function parseFaultSpec(input: unknown, root = 'fault'): FaultSpec {
  const definition = typeof input === 'object' && input !== null ? DEFINITIONS.get(String((input as { kind?: unknown }).kind)) : undefined;
  if (definition) {
    // A required parameter missing: say what the kind needs it for, not only that it is required.
    for (const [key, schema] of Object.entries(definition.params)) {
      if ((input as Record<string, unknown>)[key] === undefined && !(schema as z.ZodType).safeParse(undefined).success) {
        throw new FaultSpecError(`${root}: a ${definition.name} fault needs ${key} (${(schema as z.ZodType).description ?? 'see the README'})`);
      }
    }
  } else if (typeof input === 'object' && input !== null && 'kind' in input) {
    throw new FaultSpecError(`${root}.kind: ${kindError((input as { kind: unknown }).kind)}`);
  }
  return parseWith(faultSpecSchema, input, root, (message) => new FaultSpecError(message)) as FaultSpec;
}

/**
 * The `--fault` flag's text (`unavailable:retryAfter=30,count=2,account=a@b`) as a checked rule:
 * `match` keys by name, numbers where the kind's schema wants a number.
 */
export function parseFaultFlag(flag: string): FaultSpec {
  const [kind = '', rest = ''] = flag.split(/:(.*)/s, 2);
  const definition = DEFINITIONS.get(kind);
  if (!definition) throw new FaultSpecError(`kind: ${kindError(kind)}`);
  const { match: matchSchema, ...scope } = faultScopeShape;
  const matchKeys = Object.keys((matchSchema.unwrap() as z.ZodObject).shape);
  const keys: Record<string, z.ZodType> = { ...scope, ...definition.params };
  const spec: Record<string, unknown> = { kind };
  const match: Record<string, string> = {};
  for (const pair of rest.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FaultSpecError(`"${pair}" is not key=value`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (matchKeys.includes(key)) match[key] = value;
    else if (key in keys) {
      if (!wantsNumber(keys[key]!)) spec[key] = value;
      else if (value.trim() === '' || !Number.isFinite(Number(value))) throw new FaultSpecError(`${key} must be a number (got "${value}")`);
      else spec[key] = Number(value);
    } else throw new FaultSpecError(`unknown key "${key}" for a ${kind} fault (expected one of: ${[...matchKeys, ...Object.keys(keys)].join(', ')})`);
  }
  if (Object.keys(match).length) spec.match = match;
  return parseFaultSpec(spec);
}

/** The keys `--fault` takes, for its help: the scoping every kind has, then each kind's own. */
export function faultFlagKeys(): string {
  const { match, ...scope } = faultScopeShape;
  const own = new Map<string, string[]>();
  for (const d of FAULT_KIND_DEFINITIONS) {
    const keys = Object.keys(d.params).join(', ');
    if (keys) own.set(keys, [...(own.get(keys) ?? []), d.name]);
  }
  return `${[...Object.keys((match.unwrap() as z.ZodObject).shape), ...Object.keys(scope)].join(', ')}; ${[...own].map(([keys, kinds]) => `${keys} (${kinds.join(', ')})`).join('; ')}`;
}

/** Whether a parameter's schema, under optional and refinements, is a number. */
function wantsNumber(schema: z.ZodType): boolean {
  let def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
  while (def.innerType ?? (def.type === 'pipe' ? def.in : undefined)) def = ((def.innerType ?? def.in) as unknown as { _zod: { def: typeof def } })._zod.def;
  return def.type === 'number';
}

/** Whether a kind counts this request (some wait for a method, some for one REPORT's parsed body). */
function appliesTo(definition: FaultKindDefinition, facts: RequestFacts): boolean {
  if (definition.report) return facts.report === definition.report;
  if (facts.report !== undefined) return false; // already evaluated for this request
  return definition.methods === undefined || definition.methods.includes(facts.method);
}

type Rule = Fault & { random: () => number; definition: FaultKindDefinition };

export class FaultEngine {
  private rules: Rule[] = [];
  private nextId = 1;

  add(input: FaultSpec): Fault {
    const spec = parseFaultSpec(input);
    const fault = {
      ...spec,
      match: spec.match && { ...spec.match },
      id: `fault-${this.nextId++}`,
      seen: 0,
      hits: 0,
      random: seededRandom(spec.seed ?? this.nextId),
      definition: DEFINITIONS.get(spec.kind)!,
    };
    this.rules.push(fault);
    return strip(fault);
  }

  list(): Fault[] {
    return this.rules.map(strip);
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  evaluate(facts: RequestFacts): FaultOutcome {
    const outcome: FaultOutcome = { delayMs: 0, effects: {}, applied: [], kinds: [] };
    for (const rule of this.rules) {
      if (!matches(rule.match, facts) || !appliesTo(rule.definition, facts)) continue;
      if (rule.from !== undefined && facts.now < Date.parse(rule.from)) continue;
      if (rule.until !== undefined && facts.now >= Date.parse(rule.until)) continue;
      rule.seen++;
      if (rule.after !== undefined && rule.seen <= rule.after) continue;
      if (rule.probability !== undefined && rule.random() >= rule.probability) continue;
      if (outcome.error && !rule.definition.withAnswer) continue;
      rule.hits++;
      outcome.applied.push(rule.id);
      outcome.kinds.push(rule.kind);
      rule.definition.apply({ rule: rule as never, facts, outcome, random: rule.random });
    }
    this.rules = this.rules.filter((r) => r.count === undefined || r.hits < r.count);
    return outcome;
  }
}

function strip(rule: Rule): Fault {
  const { random: _random, definition: _definition, ...rest } = rule;
  return { ...rest };
}

function matches(match: FaultMatch | undefined, facts: RequestFacts): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== facts.method) return false;
  if (match.path && !facts.path.startsWith(match.path)) return false;
  if (match.account && canonicalAppleId(match.account) !== facts.account) return false;
  if (match.calendar && calendarOf(facts.path) !== match.calendar) return false;
  return true;
}
