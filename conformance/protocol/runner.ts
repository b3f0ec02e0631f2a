/**
 * Runs cases against one target and judges each result against the target's known deviations:
 *
 * | case      | not a deviation | a listed deviation                          |
 * |-----------|-----------------|---------------------------------------------|
 * | passes    | PASS            | STALE (the deviation list needs updating)   |
 * | fails     | FAIL            | DEVIATION (expected, with its reason)       |
 */
import { CaseFailure, type CaseResult, type Deviation, type Profile, type ProtocolCase } from './case.js';
import { ALL_CASES, casesFor } from './cases/index.js';
import { CaseContext, Session, type TargetAddress } from './context.js';

export async function runCase(c: ProtocolCase, session: Session, deviation: Deviation | undefined): Promise<CaseResult> {
  const started = Date.now();
  const ctx = new CaseContext(session);
  let error: unknown;
  try {
    await c.run(ctx);
  } catch (e) {
    error = e;
  }
  const leftovers = await ctx.cleanup();
  const base = { id: c.id, title: c.title, ms: Date.now() - started, ...(leftovers.length ? { leftovers } : {}) };
  const message = error === undefined ? undefined : error instanceof CaseFailure ? error.message : `${(error as Error).name ?? 'Error'}: ${(error as Error).message ?? String(error)}`;
  if (deviation) {
    return message === undefined ? { ...base, outcome: 'stale-deviation', reason: deviation.reason } : { ...base, outcome: 'deviation', reason: deviation.reason, message };
  }
  return message === undefined ? { ...base, outcome: 'pass' } : { ...base, outcome: 'fail', message };
}

/** Deviation entries that name no case at all (a typo, or a case since removed). */
export function unknownDeviations(deviations: readonly Deviation[]): Deviation[] {
  const ids = new Set(ALL_CASES.map((c) => c.id));
  return deviations.filter((d) => !ids.has(d.caseId));
}

/** Deviation entries that name no case the profile runs (in a target's own list, a mistake). */
export function deviationsOutsideProfile(deviations: readonly Deviation[], profile: Profile): Deviation[] {
  const ids = new Set(casesFor(profile).map((c) => c.id));
  return deviations.filter((d) => !ids.has(d.caseId));
}

export interface SuiteOptions {
  profile: Profile;
  deviations?: readonly Deviation[];
  /** Only cases whose id equals or starts with one of these. */
  only?: string[];
  onResult?: (result: CaseResult) => void;
}

export interface SuiteRun {
  address: TargetAddress;
  profile: Profile;
  results: CaseResult[];
}

export function selectCases(profile: Profile, only: string[] | undefined): ProtocolCase[] {
  const cases = casesFor(profile);
  if (!only?.length) return cases;
  return cases.filter((c) => only.some((o) => c.id.startsWith(o)));
}

export async function runSuite(address: TargetAddress, options: SuiteOptions): Promise<SuiteRun> {
  const session = new Session(address, options.profile);
  const byId = new Map((options.deviations ?? []).map((d) => [d.caseId, d]));
  const results: CaseResult[] = [];
  for (const c of selectCases(options.profile, options.only)) {
    const result = await runCase(c, session, byId.get(c.id));
    results.push(result);
    options.onResult?.(result);
  }
  return { address, profile: options.profile, results };
}

export function counts(results: CaseResult[]) {
  return {
    pass: results.filter((r) => r.outcome === 'pass').length,
    fail: results.filter((r) => r.outcome === 'fail').length,
    deviation: results.filter((r) => r.outcome === 'deviation').length,
    stale: results.filter((r) => r.outcome === 'stale-deviation').length,
  };
}

const LABEL: Record<CaseResult['outcome'], string> = { pass: 'PASS', fail: 'FAIL', deviation: 'DEVIATION', 'stale-deviation': 'STALE' };

/** The table the CLI prints: one line per case, the reason or failure indented below it. */
export function formatTable(run: SuiteRun): string {
  const width = Math.max(...run.results.map((r) => r.id.length), 4);
  const lines = [`CalDAV protocol cases, profile ${run.profile}, against ${run.address.url}${run.address.user ? ` as ${run.address.user}` : ''}`, ''];
  lines.push(`  ${'CASE'.padEnd(width)}  RESULT     DETAIL`);
  for (const r of run.results) {
    const detail =
      r.outcome === 'pass'
        ? r.title
        : r.outcome === 'fail'
          ? r.message
          : r.outcome === 'deviation'
            ? `known deviation: ${r.reason}`
            : `listed as a deviation but passed; the deviation list is stale (${r.reason})`;
    lines.push(`  ${r.id.padEnd(width)}  ${LABEL[r.outcome].padEnd(9)}  ${detail}`);
    if (r.outcome === 'deviation' && r.message) lines.push(`  ${''.padEnd(width)}  ${''.padEnd(9)}  failed as expected: ${r.message}`);
    for (const left of r.leftovers ?? []) lines.push(`  ${''.padEnd(width)}  ${''.padEnd(9)}  scratch calendar not deleted: ${left}`);
  }
  const c = counts(run.results);
  lines.push('', `${run.results.length} cases: ${c.pass} passed, ${c.fail} failed, ${c.deviation} known deviations, ${c.stale} stale deviations`);
  return lines.join('\n');
}
