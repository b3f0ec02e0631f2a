/**
 * Runs many scenario files and reports rule coverage: rule ID → scenarios → pass/fail. A rule
 * without a scenario counts as a failure, so the contract can never silently lose coverage.
 */
import { relative } from 'node:path';
import YAML from 'yaml';
import { loadRules, type Rule } from '../rules.js';
import { findScenarioFiles, loadScenario, ScenarioError } from './load.js';
import type { DriverFactory } from '../driver/driver.js';
import { runScenario, type ScenarioResult } from './runner.js';

export interface RuleCoverage {
  id: string;
  scenarios: string[];
  passed: boolean;
}

export interface SuiteResult {
  rules: RuleCoverage[];
  scenarios: ScenarioResult[];
  /** Rule IDs cited by scenarios that the contract does not have. */
  unknownRules: string[];
  rulesSource: string;
}

export interface SuiteOptions {
  /** How many scenarios run at once (each has its own mock and database). */
  concurrency?: number;
  rulesFile?: string;
  /** Root for relative file names in reports. */
  root?: string;
  /** The engine under test (default: sync-core in-process). */
  driver?: DriverFactory;
}

export async function runSuite(paths: string[], options: SuiteOptions = {}): Promise<SuiteResult> {
  const root = options.root ?? process.cwd();
  const { rules, source } = loadRules(options.rulesFile);
  const files = findScenarioFiles(paths);
  const results: ScenarioResult[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const file = files[i];
      try {
        results[i] = await runScenario(loadScenario(file, root), { driver: options.driver });
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
        results[i] = { file, name: relative(root, file), rules: [], passed: false, ms: 0, failure: { step: 0, action: 'load', message: error.message } };
      }
      results[i] = { ...results[i], file: relative(root, file) };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, files.length)) }, worker));
  return { ...coverage(rules, results), scenarios: results, rulesSource: source };
}

export function coverage(rules: Rule[], results: ScenarioResult[]): Pick<SuiteResult, 'rules' | 'unknownRules'> {
  const known = new Set(rules.map((r) => r.id));
  return {
    rules: rules.map((r) => {
      const covering = results.filter((s) => s.rules.includes(r.id));
      // A skipped scenario tested nothing: a rule passes only on scenarios that ran and passed.
      return { id: r.id, scenarios: covering.map((s) => s.name), passed: covering.some((s) => !s.skipped) && covering.every((s) => s.passed || s.skipped) };
    }),
    unknownRules: [...new Set(results.flatMap((s) => s.rules).filter((id) => !known.has(id)))],
  };
}

export function suitePassed(result: SuiteResult, options: { requireAllRules: boolean }): boolean {
  return result.scenarios.every((s) => s.passed || s.skipped) && result.unknownRules.length === 0 && (!options.requireAllRules || result.rules.every((r) => r.passed));
}

// ---- reports ---------------------------------------------------------------------------------

const mark = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** The text report: failures side by side, then the coverage table, then a summary line. */
export function formatSuite(result: SuiteResult, options: { requireAllRules: boolean }): string {
  const lines: string[] = [];
  for (const s of result.scenarios.filter((x) => x.skipped)) lines.push(`SKIP ${s.file} — ${s.name}`, `  ${s.skipped}`, '');
  for (const s of result.scenarios.filter((x) => !x.passed && !x.skipped)) {
    const f = s.failure!;
    lines.push(`FAIL ${s.file} — ${s.name}`, `  step ${f.step} (${f.action}): ${f.message}`);
    if (f.expected !== undefined || f.actual !== undefined) lines.push(...sideBySide(f.expected, f.actual).map((l) => `  ${l}`));
    f.mismatches?.forEach((m, i) => {
      lines.push(`  ${i + 1}. ${m.message}`);
      if (m.expected !== undefined || m.actual !== undefined) lines.push(...sideBySide(m.expected, m.actual).map((l) => `     ${l}`));
    });
    lines.push('');
  }
  const width = Math.max(...result.rules.map((r) => r.id.length), 4);
  lines.push(`${'rule'.padEnd(width)}  result  scenarios`);
  // A partial run (some files) shows only the rules it touched.
  const rows = options.requireAllRules ? result.rules : result.rules.filter((r) => r.scenarios.length > 0);
  for (const r of rows) {
    const covering = r.scenarios.map((n) => result.scenarios.find((s) => s.name === n)!);
    const status = r.scenarios.length === 0 ? 'NONE' : covering.every((s) => s.skipped) ? 'SKIP' : mark(r.passed);
    const names = r.scenarios.length ? covering.map((s) => `${s.skipped ? 'SKIP' : mark(s.passed)} ${s.name}`) : ['(no scenario checks this rule)'];
    lines.push(`${r.id.padEnd(width)}  ${status.padEnd(6)}  ${names[0]}`);
    for (const n of names.slice(1)) lines.push(`${''.padEnd(width)}          ${n}`);
  }
  if (result.unknownRules.length) lines.push('', `scenarios cite rule IDs that ${result.rulesSource} does not have: ${result.unknownRules.join(', ')}`);
  const passed = result.scenarios.filter((s) => s.passed).length;
  const skipped = result.scenarios.filter((s) => s.skipped).length;
  const uncovered = result.rules.filter((r) => r.scenarios.length === 0).length;
  lines.push(
    '',
    `${result.rules.length - uncovered}/${result.rules.length} rules covered${options.requireAllRules && uncovered ? ` (${uncovered} without a scenario)` : ''}`,
    `${passed} passed, ${result.scenarios.length - passed - skipped} failed${skipped ? `, ${skipped} skipped (the driver lacks what they need)` : ''}`,
  );
  return lines.join('\n');
}

/** Expected and actual as two YAML columns. */
export function sideBySide(expected: unknown, actual: unknown, width = 60): string[] {
  const left = ['expected', '--------', ...YAML.stringify(expected ?? null, { lineWidth: 0 }).trimEnd().split('\n')];
  const right = ['actual', '------', ...YAML.stringify(actual ?? null, { lineWidth: 0 }).trimEnd().split('\n')];
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
    rules: result.rules.map((r) => ({ id: r.id, scenarios: r.scenarios, passed: r.passed })),
    scenarios: result.scenarios.map((s) => ({ file: s.file, name: s.name, rules: s.rules, passed: s.passed, ms: s.ms, ...(s.failure ? { failure: s.failure } : {}), ...(s.skipped ? { skipped: s.skipped } : {}) })),
  };
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** JUnit XML: one testsuite per scenario file's rules, one testcase per scenario, plus rule coverage. */
export function toJUnit(result: SuiteResult): string {
  const cases = result.scenarios.map((s) => {
    const f = s.failure;
    const details = f && [...(f.mismatches ?? [f]).flatMap((m) => [m.message, ...sideBySide(m.expected, m.actual), ''])].join('\n');
    const body = s.skipped ? `<skipped message="${xml(s.skipped)}"/>` : f ? `<failure message="${xml(`step ${f.step} (${f.action}): ${f.message}`)}">${xml(details!)}</failure>` : '';
    return `    <testcase classname="scenarios.${xml(s.rules.join('-') || 'unloaded')}" name="${xml(s.name)}" file="${xml(s.file)}" time="${(s.ms / 1000).toFixed(3)}">${body}</testcase>`;
  });
  const ruleCases = result.rules.map(
    (r) => `    <testcase classname="rules" name="${r.id}">${r.scenarios.length === 0 ? '<failure message="no scenario checks this rule"/>' : r.passed ? '' : `<failure message="${xml(`failing: ${r.scenarios.join('; ')}`)}"/>`}</testcase>`,
  );
  const failed = result.scenarios.filter((s) => !s.passed && !s.skipped).length;
  const failures = failed + result.rules.filter((r) => !r.passed).length;
  const tests = cases.length + ruleCases.length;
  const time = (result.scenarios.reduce((t, s) => t + s.ms, 0) / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="icloud-conformance" tests="${tests}" failures="${failures}" time="${time}">`,
    `  <testsuite name="scenarios" tests="${cases.length}" failures="${failed}" skipped="${result.scenarios.filter((s) => s.skipped).length}">`,
    ...cases,
    '  </testsuite>',
    `  <testsuite name="rule-coverage" tests="${ruleCases.length}" failures="${result.rules.filter((r) => !r.passed).length}">`,
    ...ruleCases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
