/**
 * Runs many scenario files and reports rule coverage: rule ID → scenarios → pass/fail. A rule
 * without a scenario counts as a failure, so the contract can never silently lose coverage.
 */
import { relative } from 'node:path';
import YAML from 'yaml';
import { loadRules, type Rule } from '../rules.js';
import type { DriverFactory } from '../driver/driver.js';
import { DeviationsError, matchDeviations, type ScenarioDeviation } from './deviations.js';
import { findScenarioFiles, loadScenario, ScenarioError } from './load.js';
import { runScenario, type ScenarioResult } from './runner.js';
import type { Scenario } from './schema.js';
import { acceptable, ruleVerdict, verdict, type Verdict } from './verdict.js';

export interface RuleCoverage {
  id: string;
  scenarios: string[];
  /** Checked and not failing: every scenario that ran passed or is a listed deviation. */
  passed: boolean;
  status: Verdict | 'NONE';
}

export interface SuiteResult {
  rules: RuleCoverage[];
  scenarios: ScenarioResult[];
  /** Rule IDs cited by scenarios that the contract does not have. */
  unknownRules: string[];
  rulesSource: string;
  /** Entries of the deviation list that name no scenario of this run (a subset, or a typo). */
  unmatchedDeviations?: ScenarioDeviation[];
}

export interface SuiteOptions {
  /** How many scenarios run at once (each has its own mock and database). */
  concurrency?: number;
  rulesFile?: string;
  /** Root for relative file names in reports. */
  root?: string;
  /** The engine under test (default: sync-core in-process). */
  driver?: DriverFactory;
  /** The team's known deviations: failing is expected of these, passing fails the run. */
  deviations?: readonly ScenarioDeviation[];
  /** Refuse (before running) a deviation entry that names no scenario: a whole-suite run has them all. */
  strictDeviations?: boolean;
}

export async function runSuite(paths: string[], options: SuiteOptions = {}): Promise<SuiteResult> {
  const root = options.root ?? process.cwd();
  const { rules, source } = loadRules(options.rulesFile);
  const files = findScenarioFiles(paths);
  // Every file is loaded before anything runs, so the deviation list is checked against the names.
  const loaded = files.map((file): Scenario | ScenarioResult => {
    try {
      return loadScenario(file, root);
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      return { file, name: relative(root, file), rules: [], passed: false, ms: 0, failure: { step: 0, action: 'load', message: error.message } };
    }
  });
  const { byFile, unmatched } = matchDeviations(options.deviations ?? [], loaded);
  if (options.strictDeviations && unmatched.length) throw new DeviationsError(`the deviation list names no scenario of this run: ${unmatched.map((d) => `"${d.scenario}"`).join(', ')}`);
  const results: ScenarioResult[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const item = loaded[i];
      const result = 'given' in item ? await runScenario(item, { driver: options.driver }) : item;
      const deviation = byFile.get(files[i]);
      results[i] = { ...result, file: relative(root, files[i]), ...(deviation ? { deviation: { reason: deviation.reason } } : {}) };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, files.length)) }, worker));
  return { ...coverage(rules, results), scenarios: results, rulesSource: source, ...(unmatched.length ? { unmatchedDeviations: unmatched } : {}) };
}

export function coverage(rules: Rule[], results: ScenarioResult[]): Pick<SuiteResult, 'rules' | 'unknownRules'> {
  const known = new Set(rules.map((r) => r.id));
  return {
    rules: rules.map((r) => {
      const covering = results.filter((s) => s.rules.includes(r.id));
      // A skipped scenario tested nothing: a rule passes only on scenarios that ran.
      const status = ruleVerdict(covering);
      return { id: r.id, scenarios: covering.map((s) => s.name), passed: status === 'PASS' || status === 'DEVIATION', status };
    }),
    unknownRules: [...new Set(results.flatMap((s) => s.rules).filter((id) => !known.has(id)))],
  };
}

export function suitePassed(result: SuiteResult, options: { requireAllRules: boolean }): boolean {
  return result.scenarios.every((s) => acceptable(verdict(s))) && result.unknownRules.length === 0 && (!options.requireAllRules || result.rules.every((r) => r.passed));
}

// ---- reports ---------------------------------------------------------------------------------

/** The failure of one scenario as lines: the step, then expected beside actual for each mismatch. */
function failureLines(f: NonNullable<ScenarioResult['failure']>): string[] {
  const lines = [`  step ${f.step} (${f.action}): ${f.message}`];
  if (f.expected !== undefined || f.actual !== undefined) lines.push(...sideBySide(f.expected, f.actual).map((l) => `  ${l}`));
  f.mismatches?.forEach((m, i) => {
    lines.push(`  ${i + 1}. ${m.message}`);
    if (m.expected !== undefined || m.actual !== undefined) lines.push(...sideBySide(m.expected, m.actual).map((l) => `     ${l}`));
  });
  return lines;
}

/** The text report: skips, known deviations, stale ones, failures side by side, the coverage table, a summary. */
export function formatSuite(result: SuiteResult, options: { requireAllRules: boolean }): string {
  const lines: string[] = [];
  const by = (v: Verdict) => result.scenarios.filter((x) => verdict(x) === v);
  for (const s of by('SKIP')) lines.push(`SKIP ${s.file} — ${s.name}`, `  ${s.skipped}`, '');
  for (const s of by('DEVIATION'))
    lines.push(`DEVIATION ${s.file} — ${s.name}`, `  known deviation: ${s.deviation!.reason}`, `  failed as expected at step ${s.failure!.step} (${s.failure!.action}): ${s.failure!.message}`, '');
  for (const s of by('STALE')) lines.push(`STALE ${s.file} — ${s.name}`, `  listed as a deviation but passed: remove it from the deviation list (it said: ${s.deviation!.reason})`, '');
  for (const s of by('FAIL')) lines.push(`FAIL ${s.file} — ${s.name}`, ...failureLines(s.failure!), '');
  const width = Math.max(...result.rules.map((r) => r.id.length), 4);
  lines.push(`${'rule'.padEnd(width)}  result     scenarios`);
  // A partial run (some files) shows only the rules it touched.
  const rows = options.requireAllRules ? result.rules : result.rules.filter((r) => r.scenarios.length > 0);
  for (const r of rows) {
    const covering = r.scenarios.map((n) => result.scenarios.find((s) => s.name === n)!);
    const names = r.scenarios.length ? covering.map((s) => `${verdict(s)} ${s.name}`) : ['(no scenario checks this rule)'];
    lines.push(`${r.id.padEnd(width)}  ${r.status.padEnd(9)}  ${names[0]}`);
    for (const n of names.slice(1)) lines.push(`${''.padEnd(width)}             ${n}`);
  }
  if (result.unknownRules.length) lines.push('', `scenarios cite rule IDs that ${result.rulesSource} does not have: ${result.unknownRules.join(', ')}`);
  if (result.unmatchedDeviations?.length) lines.push('', `note: the deviation list names no scenario of this run: ${result.unmatchedDeviations.map((d) => `"${d.scenario}"`).join(', ')}`);
  const uncovered = result.rules.filter((r) => r.scenarios.length === 0).length;
  const n = (v: Verdict) => by(v).length;
  const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  lines.push(
    '',
    `${result.rules.length - uncovered}/${result.rules.length} rules covered${options.requireAllRules && uncovered ? ` (${uncovered} without a scenario)` : ''}`,
    [
      `${n('PASS')} passed, ${n('FAIL')} failed`,
      ...(n('DEVIATION') ? [plural(n('DEVIATION'), 'known deviation', 'known deviations')] : []),
      ...(n('STALE') ? [`${plural(n('STALE'), 'stale deviation', 'stale deviations')} (they pass now: the list must lose them)`] : []),
      ...(n('SKIP') ? [`${n('SKIP')} skipped (the driver lacks what they need)`] : []),
    ].join(', '),
  );
  return lines.join('\n');
}

/** Expected and actual as two YAML columns. */
export function sideBySide(expected: unknown, actual: unknown, width = 60): string[] {
  const left = [
    'expected',
    '--------',
    ...YAML.stringify(expected ?? null, { lineWidth: 0 })
      .trimEnd()
      .split('\n'),
  ];
  const right = [
    'actual',
    '------',
    ...YAML.stringify(actual ?? null, { lineWidth: 0 })
      .trimEnd()
      .split('\n'),
  ];
  const rows = Math.max(left.length, right.length);
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    const l = (left[i] ?? '').slice(0, width);
    out.push(`${l.padEnd(width)} │ ${right[i] ?? ''}`);
  }
  return out;
}

export function toJson(result: SuiteResult): unknown {
  return {
    rules: result.rules.map((r) => ({ id: r.id, scenarios: r.scenarios, passed: r.passed, ...(r.status === 'DEVIATION' ? { deviation: true } : {}) })),
    scenarios: result.scenarios.map((s) => ({
      file: s.file,
      name: s.name,
      rules: s.rules,
      passed: s.passed,
      ms: s.ms,
      ...(s.failure ? { failure: s.failure } : {}),
      ...(s.skipped ? { skipped: s.skipped } : {}),
      ...(s.deviation ? { deviation: { reason: s.deviation.reason, verdict: verdict(s) } } : {}),
    })),
  };
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/**
 * JUnit XML: one testcase per scenario, then one per rule. A known deviation is a skipped case
 * with its reason (JUnit has no "expected failure"); a stale one is a failure. As in the text
 * report, a run over some files holds only the rules they check, so `failures` is 0 exactly when
 * the command passes.
 */
export function toJUnit(result: SuiteResult, options: { requireAllRules: boolean } = { requireAllRules: true }): string {
  const cases = result.scenarios.map((s) => {
    const f = s.failure;
    const v = verdict(s);
    const details = f && [...(f.mismatches ?? [f]).flatMap((m) => [m.message, ...sideBySide(m.expected, m.actual), ''])].join('\n');
    const body =
      v === 'SKIP'
        ? `<skipped message="${xml(s.skipped!)}"/>`
        : v === 'DEVIATION'
          ? `<skipped message="${xml(`known deviation: ${s.deviation!.reason}; failed as expected at step ${f!.step} (${f!.action}): ${f!.message}`)}"/>`
          : v === 'STALE'
            ? `<failure message="${xml(`listed as a deviation but passed: remove it from the deviation list (${s.deviation!.reason})`)}"/>`
            : f
              ? `<failure message="${xml(`step ${f.step} (${f.action}): ${f.message}`)}">${xml(details!)}</failure>`
              : '';
    return `    <testcase classname="scenarios.${xml(s.rules.join('-') || 'unloaded')}" name="${xml(s.name)}" file="${xml(s.file)}" time="${(s.ms / 1000).toFixed(3)}">${body}</testcase>`;
  });
  const rules = options.requireAllRules ? result.rules : result.rules.filter((r) => r.scenarios.length > 0);
  const ruleBody = (r: RuleCoverage): { failure?: string; skipped?: string } => {
    if (r.status === 'NONE') return { failure: 'no scenario checks this rule' };
    if (r.status === 'FAIL') return { failure: `failing: ${r.scenarios.join('; ')}` };
    // Only skipped scenarios check it: the rule is not covered, which fails a whole-suite run.
    if (r.status === 'SKIP') return options.requireAllRules ? { failure: 'only skipped scenarios check this rule' } : { skipped: 'only skipped scenarios check this rule' };
    if (r.status === 'DEVIATION') return { skipped: `known deviation in: ${r.scenarios.join('; ')}` };
    return {};
  };
  const ruleCases = rules.map((r) => {
    const { failure, skipped } = ruleBody(r);
    return `    <testcase classname="rules" name="${r.id}">${failure ? `<failure message="${xml(failure)}"/>` : skipped ? `<skipped message="${xml(skipped)}"/>` : ''}</testcase>`;
  });
  const count = (list: string[], tag: string) => list.filter((c) => c.includes(`<${tag} `)).length;
  const time = (result.scenarios.reduce((t, s) => t + s.ms, 0) / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="icloud-conformance" tests="${cases.length + ruleCases.length}" failures="${count(cases, 'failure') + count(ruleCases, 'failure')}" time="${time}">`,
    `  <testsuite name="scenarios" tests="${cases.length}" failures="${count(cases, 'failure')}" skipped="${count(cases, 'skipped')}">`,
    ...cases,
    '  </testsuite>',
    `  <testsuite name="rule-coverage" tests="${ruleCases.length}" failures="${count(ruleCases, 'failure')}" skipped="${count(ruleCases, 'skipped')}">`,
    ...ruleCases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
