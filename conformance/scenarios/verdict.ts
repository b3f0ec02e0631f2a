/**
 * What a scenario's result means for the run, once skips and the team's deviation list are taken
 * into account; every report (text, JSON, JUnit, HTML) and the exit status read it from here.
 */
import type { ScenarioResult } from './runner.js';

export type Verdict = 'PASS' | 'FAIL' | 'SKIP' | 'DEVIATION' | 'STALE';

export function verdict(s: ScenarioResult): Verdict {
  if (s.skipped) return 'SKIP';
  // A file that does not load is the harness's problem, never the engine's known deviation.
  if (s.deviation && s.failure?.action !== 'load') return s.passed ? 'STALE' : 'DEVIATION';
  return s.passed ? 'PASS' : 'FAIL';
}

/** Verdicts that do not fail the run: a skip names what the driver lacks, a deviation is listed. */
export const acceptable = (v: Verdict): boolean => v === 'PASS' || v === 'SKIP' || v === 'DEVIATION';

/** A rule's verdict from the scenarios that check it: NONE when there are none. */
export function ruleVerdict(covering: ScenarioResult[]): Verdict | 'NONE' {
  if (covering.length === 0) return 'NONE';
  const verdicts = covering.map(verdict);
  if (verdicts.every((v) => v === 'SKIP')) return 'SKIP';
  if (verdicts.some((v) => v === 'FAIL' || v === 'STALE')) return 'FAIL';
  return verdicts.includes('DEVIATION') ? 'DEVIATION' : 'PASS';
}
