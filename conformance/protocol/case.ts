/**
 * The shape of a protocol case and of a target's known deviations.
 *
 * A case is written once and runs against every target (the Hono `runTest` pattern): it sends real
 * HTTP through the {@link CaseContext} and throws a {@link CaseFailure} when the server answers
 * otherwise. Each target carries a list of known deviations `{ caseId, reason }` (python-caldav's
 * compatibility hints, CalDAVTester's per-server features): those cases are expected to fail there.
 */
import type { CaseContext } from './context.js';

/**
 * `rfc`: what every CalDAV server should do (RFC 4791, 4918, 5397, 6578, 6764, 9110).
 * `icloud`: the rfc cases plus what iCloud itself does (dossier items tagged [S]); where iCloud's
 * well-sourced behaviour contradicts an RFC case, the rfc case is `profiles: ['rfc']` only and an
 * iCloud case takes its place.
 */
export type Profile = 'rfc' | 'icloud';
export const PROFILES: readonly Profile[] = ['rfc', 'icloud'];

export type Area = 'discovery' | 'auth' | 'propfind' | 'proppatch' | 'mkcalendar' | 'put' | 'get' | 'delete' | 'calendar-query' | 'calendar-multiget' | 'sync-collection' | 'errors';

export interface ProtocolCase {
  /** Stable id, `<area>.<what>`; iCloud-profile cases start with `icloud.`. */
  id: string;
  area: Area;
  /** What is checked, citing the RFC section (or "iCloud" and the dossier section). */
  title: string;
  /** Which profiles run the case. */
  profiles: readonly Profile[];
  run(ctx: CaseContext): Promise<void>;
}

/** A case a target is known to fail, and why (the Hono/python-caldav skip-with-reason pattern). */
export interface Deviation {
  caseId: string;
  reason: string;
}

export type Outcome = 'pass' | 'fail' | 'deviation' | 'stale-deviation';

export interface CaseResult {
  id: string;
  title: string;
  outcome: Outcome;
  /** Why the case failed (for `fail` and `deviation`). */
  message?: string;
  /** The deviation's written reason (for `deviation` and `stale-deviation`). */
  reason?: string;
  /** Scratch calendars that could not be deleted afterwards. */
  leftovers?: string[];
  ms: number;
}

/** A case's assertion did not hold: the message names the request and what came back. */
export class CaseFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaseFailure';
  }
}

export const RFC_AND_ICLOUD: readonly Profile[] = ['rfc', 'icloud'];
export const RFC_ONLY: readonly Profile[] = ['rfc'];
export const ICLOUD_ONLY: readonly Profile[] = ['icloud'];

/** Builds the cases of one area with the area filled in and the default profiles (both). */
export function defineCases(area: Area, cases: Array<Omit<ProtocolCase, 'area' | 'profiles'> & { profiles?: readonly Profile[] }>): ProtocolCase[] {
  return cases.map((c) => ({ ...c, area, profiles: c.profiles ?? RFC_AND_ICLOUD }));
}
