/**
 * Fault injection: rules that make the mock fail the way iCloud fails, on demand (dossier §9.14–15).
 *
 * A rule names a kind and, optionally, which requests it hits (account, calendar, method, path
 * prefix) and for how many of them. Rules are checked before authentication, in the order added;
 * the first answering rule wins, while latency and per-request effects (omit-etag) accumulate.
 */
import { DavError } from '../http/errors.js';
import type { RequestEffects } from '../dav/context.js';

export const FAULT_KINDS = ['unavailable', 'server-error', 'too-many-requests', 'latency', 'omit-etag', 'truncate-sync'] as const;
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
  /** Hit only the next N matching requests (default: every one until removed). */
  count?: number;
  /** Seconds, sent as `Retry-After` with `unavailable` and `too-many-requests`. */
  retryAfter?: number;
  /** Milliseconds added before answering, with `latency`. */
  latencyMs?: number;
  /** With `truncate-sync`: answer sync-collection with at most this many members, then 507 (RFC 6578 §3.6). */
  pageSize?: number;
}

export interface Fault extends FaultSpec {
  id: string;
  /** Requests this rule has hit so far. */
  hits: number;
}

export interface RequestFacts {
  method: string;
  path: string;
  account?: string;
}

export interface FaultOutcome {
  /** Answer the request with this instead of serving it. */
  error?: DavError;
  delayMs: number;
  effects: Partial<RequestEffects>;
  /** Ids of the rules that hit, for the journal. */
  applied: string[];
}

export class FaultSpecError extends Error {}

export class FaultEngine {
  private rules: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    validate(spec);
    const fault: Fault = { ...spec, match: spec.match && { ...spec.match }, id: `fault-${this.nextId++}`, hits: 0 };
    this.rules.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.rules.map((r) => ({ ...r }));
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
      if (!matches(rule.match, facts)) continue;
      if (rule.kind === 'omit-etag' && facts.method !== 'PUT') continue;
      if (rule.kind === 'truncate-sync' && facts.method !== 'REPORT') continue;
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
        case 'latency':
          outcome.delayMs += rule.latencyMs ?? 0;
          break;
        case 'omit-etag':
          outcome.effects.omitEtagOnPut = true;
          break;
        case 'truncate-sync':
          outcome.effects.syncPageSize = rule.pageSize;
          break;
      }
    }
    this.rules = this.rules.filter((r) => r.count === undefined || r.hits < r.count);
    return outcome;
  }
}

function retryAfter(rule: Fault): Record<string, string> {
  return rule.retryAfter === undefined ? {} : { 'Retry-After': String(rule.retryAfter) };
}

function matches(match: FaultMatch | undefined, facts: RequestFacts): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== facts.method) return false;
  if (match.path && !facts.path.startsWith(match.path)) return false;
  if (match.account && match.account.toLowerCase() !== facts.account) return false;
  if (match.calendar) {
    const segments = facts.path.split('?')[0].split('/');
    if (segments[2] !== 'calendars' || safeDecode(segments[3] ?? '') !== match.calendar) return false;
  }
  return true;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function validate(spec: FaultSpec): void {
  if (!FAULT_KINDS.includes(spec.kind)) throw new FaultSpecError(`unknown fault kind "${spec.kind}"; use one of ${FAULT_KINDS.join(', ')}`);
  if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1)) throw new FaultSpecError('count must be a whole number of at least 1');
  if (spec.retryAfter !== undefined && (!Number.isInteger(spec.retryAfter) || spec.retryAfter < 0)) throw new FaultSpecError('retryAfter must be whole seconds');
  if (spec.kind === 'truncate-sync' && !(Number.isInteger(spec.pageSize) && spec.pageSize! >= 1)) throw new FaultSpecError('a truncate-sync fault needs pageSize, a whole number of at least 1');
  if (spec.kind === 'latency' && !(Number.isFinite(spec.latencyMs) && spec.latencyMs! >= 0 && spec.latencyMs! <= 600_000)) {
    throw new FaultSpecError('a latency fault needs latencyMs between 0 and 600000');
  }
}
