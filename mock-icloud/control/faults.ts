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
 */
import { seededRandom } from '../../common/random.js';
import { DavError } from '../http/errors.js';
import { z } from 'zod';
import { canonicalAppleId } from '../store/apple-id.js';
import { parseWith, strict } from '../world/schema.js';
import type { RequestEffects } from '../dav/context.js';

export const FAULT_KINDS = [
  'unavailable', // 503, optionally with Retry-After
  'too-many-requests', // 429, optionally with Retry-After
  'server-error', // 500
  'forbidden-write', // 403 on PUT/DELETE/PROPPATCH/MKCALENDAR: iCloud refusing a payload it dislikes
  'reset', // the connection is cut half-way through the response
  'latency', // added delay (latencyMs, plus up to latencyJitterMs)
  'omit-etag', // PUT answered without an ETag header
  'truncate-sync', // sync-collection in pages of pageSize with 507 (RFC 6578 §3.6)
  'multiget-404', // multiget answers 404 for hrefs sync-collection just listed (eventual consistency)
  'touch-etags', // every object in the calendar gets a new etag, same content
  'duplicate-dtstamp', // objects read (GET, REPORT calendar-data) carry an extra DTSTAMP: the time of the read; etag unchanged
  'revoke-password', // the account's app-specific passwords are revoked, then the request is served
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultMatch {
  /** Apple ID named in the request's credentials. */
  account?: string;
  /** Collection name: the `<name>` in `/<dsid>/calendars/<name>/`. */
  calendar?: string;
  method?: string;
  /** Path prefix. */
  path?: string;
}

export interface FaultSpec {
  kind: FaultKind;
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
  /** Seconds, sent as `Retry-After` with `unavailable` and `too-many-requests`. */
  retryAfter?: number;
  /** Milliseconds added before answering, with `latency`. */
  latencyMs?: number;
  /** With `latency`: up to this many more milliseconds, drawn from `seed`. */
  latencyJitterMs?: number;
  /** With `truncate-sync`: answer sync-collection with at most this many members, then 507. */
  pageSize?: number;
}

export interface Fault extends FaultSpec {
  id: string;
  /** Matching requests seen (including those let through by `after`). */
  seen: number;
  /** Requests this rule has hit so far. */
  hits: number;
}

export interface RequestFacts {
  method: string;
  path: string;
  account?: string;
  now: number;
  /**
   * Set when the REPORT body has been parsed (e.g. `calendar-multiget`): only the kinds that act on
   * one report type are considered then, and only then, so they count the requests they affect.
   */
  report?: string;
}

export interface FaultOutcome {
  /** Answer the request with this instead of serving it. */
  error?: DavError;
  /** Cut the connection half-way through the response. */
  reset?: boolean;
  delayMs: number;
  effects: Partial<RequestEffects>;
  /** Accounts whose app-specific passwords must be revoked before serving. */
  revokeFor?: string;
  /** The calendar whose objects get new etags before serving. */
  touchCalendar?: { account?: string; calendar: string };
  /** Ids of the rules that hit, for the journal. */
  applied: string[];
}

export class FaultSpecError extends Error {}

const whole = (min: number, what: string) => z.number({ error: `must be ${what}` }).int(`must be ${what}`).min(min, `must be ${what}`).optional();
const isoTime = z.string({ error: 'must be an ISO time' }).refine((t) => !Number.isNaN(Date.parse(t)), 'must be an ISO time').optional();

/**
 * A fault rule, as `POST /__mock/faults`, `mock.control.addFault`, `--faults FILE` and a scenario's
 * `fault:` step give it. Unknown keys are refused by name (a `cout: 1` would otherwise make a rule
 * that never expires).
 */
export const faultSpecSchema = strict({
  kind: z.enum(FAULT_KINDS, { error: (issue) => `unknown fault kind "${String(issue.input)}"; use one of ${FAULT_KINDS.join(', ')}` }),
  match: strict({
    account: z.string({ error: 'must be text' }).optional(),
    calendar: z.string({ error: 'must be text' }).optional(),
    method: z.string({ error: 'must be text' }).optional(),
    path: z.string({ error: 'must be text' }).optional(),
  }).optional(),
  after: whole(0, 'a whole number of requests'),
  count: whole(1, 'a whole number of at least 1'),
  from: isoTime,
  until: isoTime,
  probability: z.number({ error: 'must be between 0 and 1' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  seed: z.number({ error: 'must be a number' }).optional(),
  retryAfter: whole(0, 'whole seconds'),
  latencyMs: z.number({ error: 'must be between 0 and 600000' }).min(0, 'must be between 0 and 600000').max(600_000, 'must be between 0 and 600000').optional(),
  latencyJitterMs: whole(0, 'whole milliseconds'),
  pageSize: whole(1, 'a whole number of at least 1'),
})
  .refine((f) => f.kind !== 'latency' || f.latencyMs !== undefined, 'a latency fault needs latencyMs between 0 and 600000')
  .refine((f) => f.kind !== 'truncate-sync' || f.pageSize !== undefined, 'a truncate-sync fault needs pageSize, a whole number of at least 1');

/** Checks a fault rule from any source, or throws FaultSpecError naming the key and the problem. */
export function parseFaultSpec(input: unknown, root = 'fault'): FaultSpec {
  return parseWith(faultSpecSchema, input, root, (message) => new FaultSpecError(message)) as FaultSpec;
}

const WRITE_METHODS = new Set(['PUT', 'DELETE', 'PROPPATCH', 'MKCALENDAR', 'MKCOL']);

export class FaultEngine {
  private rules: Array<Fault & { random: () => number }> = [];
  private nextId = 1;

  add(input: FaultSpec): Fault {
    const spec = parseFaultSpec(input);
    const fault = { ...spec, match: spec.match && { ...spec.match }, id: `fault-${this.nextId++}`, seen: 0, hits: 0, random: seededRandom(spec.seed ?? this.nextId) };
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
    const outcome: FaultOutcome = { delayMs: 0, effects: {}, applied: [] };
    for (const rule of this.rules) {
      if (!matches(rule.match, facts) || !appliesTo(rule.kind, facts)) continue;
      if (rule.from !== undefined && facts.now < Date.parse(rule.from)) continue;
      if (rule.until !== undefined && facts.now >= Date.parse(rule.until)) continue;
      rule.seen++;
      if (rule.after !== undefined && rule.seen <= rule.after) continue;
      if (rule.probability !== undefined && rule.random() >= rule.probability) continue;
      if (outcome.error && rule.kind !== 'latency') continue;
      rule.hits++;
      outcome.applied.push(rule.id);
      switch (rule.kind) {
        case 'unavailable':
          outcome.error = new DavError(503, `fault ${rule.id}: service unavailable`, { kind: 'empty' }, retryAfter(rule));
          break;
        case 'too-many-requests':
          outcome.error = new DavError(429, `fault ${rule.id}: too many requests`, { kind: 'empty' }, retryAfter(rule));
          break;
        case 'server-error':
          outcome.error = new DavError(500, `fault ${rule.id}: internal server error`, { kind: 'empty' });
          break;
        case 'forbidden-write':
          outcome.error = new DavError(403, `fault ${rule.id}: write refused (iCloud rejects payloads it dislikes with 403)`, { kind: 'empty' });
          break;
        case 'reset':
          outcome.reset = true;
          break;
        case 'latency':
          outcome.delayMs += (rule.latencyMs ?? 0) + Math.floor(rule.random() * (rule.latencyJitterMs ?? 0));
          break;
        case 'omit-etag':
          outcome.effects.omitEtagOnPut = true;
          break;
        case 'truncate-sync':
          outcome.effects.syncPageSize = rule.pageSize;
          break;
        case 'multiget-404':
          outcome.effects.multigetMissing = true;
          break;
        case 'duplicate-dtstamp':
          outcome.effects.duplicateDtstamp = true;
          break;
        case 'touch-etags': {
          const calendar = rule.match?.calendar ?? calendarOf(facts.path);
          if (calendar) outcome.touchCalendar = { account: facts.account, calendar };
          break;
        }
        case 'revoke-password':
          outcome.revokeFor = rule.match?.account ?? facts.account;
          break;
      }
    }
    this.rules = this.rules.filter((r) => r.count === undefined || r.hits < r.count);
    return outcome;
  }
}

function strip(rule: Fault & { random?: unknown }): Fault {
  const { random: _random, ...rest } = rule;
  return { ...rest };
}

/** Kinds that only make sense for some methods or reports do not count other requests. */
function appliesTo(kind: FaultKind, facts: RequestFacts): boolean {
  switch (kind) {
    case 'truncate-sync':
      return facts.report === 'sync-collection';
    case 'multiget-404':
      return facts.report === 'calendar-multiget';
    default:
      if (facts.report !== undefined) return false; // already evaluated for this request
      if (kind === 'omit-etag') return facts.method === 'PUT';
      if (kind === 'duplicate-dtstamp') return READ_METHODS.has(facts.method);
      if (kind === 'forbidden-write') return WRITE_METHODS.has(facts.method);
      return true;
  }
}

/** Requests that read objects' bytes: where iCloud's read-time DTSTAMP shows. */
const READ_METHODS = new Set(['GET', 'HEAD', 'REPORT']);

function retryAfter(rule: Fault): Record<string, string> {
  return rule.retryAfter === undefined ? {} : { 'Retry-After': String(rule.retryAfter) };
}

function calendarOf(path: string): string | undefined {
  const segments = path.split('?')[0].split('/');
  return segments[2] === 'calendars' && segments[3] ? safeDecode(segments[3]) : undefined;
}

function matches(match: FaultMatch | undefined, facts: RequestFacts): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== facts.method) return false;
  if (match.path && !facts.path.startsWith(match.path)) return false;
  if (match.account && canonicalAppleId(match.account) !== facts.account) return false;
  if (match.calendar && calendarOf(facts.path) !== match.calendar) return false;
  return true;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
