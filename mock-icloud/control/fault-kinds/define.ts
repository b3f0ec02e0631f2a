/**
 * One fault kind as one record, the way WireMock's faults each apply themselves: its name, what
 * the client sees (the README's fault table), the parameters it takes beyond the scoping every rule
 * has (a zod shape: the control plane, the --fault flag, --faults files and scenario steps all
 * validate with it), the requests it applies to, and what it does to the answer. The engine
 * (../faults.ts) knows no kind by name, so adding one is a file here and its line in index.ts.
 */
import type { z } from 'zod';
import type { RequestEffects } from '../../dav/context.js';
import type { DavError } from '../../http/errors.js';

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
  /** Kinds of the rules that hit, in the same order, for the request log. */
  kinds: string[];
}

/** What a kind's `apply` gets: the rule that hit (its parameters checked), the request, the answer so far. */
export interface FaultHit<P> {
  rule: P & { id: string; match?: { account?: string; calendar?: string; method?: string; path?: string } };
  facts: RequestFacts;
  outcome: FaultOutcome;
  /** The rule's seeded generator (`seed`), for kinds that draw. */
  random: () => number;
}

/** The reports a kind can wait for: it is then evaluated only once the REPORT body is parsed. */
export type ReportName = 'sync-collection' | 'calendar-multiget';

export interface FaultKindDefinition<N extends string = string, P extends z.ZodRawShape = z.ZodRawShape> {
  name: N;
  /** What the client sees, one sentence (the README's fault table). */
  doc: string;
  /**
   * Parameters of this kind, beyond the scoping every rule has (match, after, count, from, until,
   * probability, seed). One not `.optional()` is required; `.describe()` says what it means.
   */
  params: P;
  /** Only requests with these methods count (default: every request). */
  methods?: readonly string[];
  /** Only this REPORT counts, once its body is parsed. */
  report?: ReportName;
  /** Still applies after an earlier rule has answered the request (latency adds to any answer). */
  withAnswer?: boolean;
  /** What it does to the answer. */
  apply(hit: FaultHit<z.output<z.ZodObject<P>>>): void;
}

/** Keeps the record's literal name and parameter types. */
export function defineFaultKind<const N extends string, P extends z.ZodRawShape>(definition: FaultKindDefinition<N, P>): FaultKindDefinition<N, P> {
  return definition;
}

/** The collection name in `/<dsid>/calendars/<name>/…`, if the path is inside one. */
export function calendarOf(path: string): string | undefined {
  const segments = path.split('?')[0]!.split('/');
  if (segments[2] !== 'calendars' || !segments[3]) return undefined;
  try {
    return decodeURIComponent(segments[3]);
  } catch {
    return segments[3];
  }
}
