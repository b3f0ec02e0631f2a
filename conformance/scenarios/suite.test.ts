/**
 * The whole scenario suite in `npm test`: every scenario under fixtures/scenarios passes, and every
 * rule of the contract has at least one scenario; the same results through the HTTP driver protocol
 * against the reference adapter. Also: the vendored RULES.md copy matches the
 * contract, and the reports have the promised shapes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIOS } from '../cli.js';
import { httpDriver } from '../driver/http-driver.js';
import { startReferenceAdapter } from '../driver/reference-adapter.js';
import { parseRules, SHARED_RULES, VENDORED_RULES } from '../rules.js';
import { formatSuite, runSuite, suitePassed, toJson, toJUnit, type SuiteResult } from './suite.js';

let result: SuiteResult;

describe('rule scenarios', () => {
  it('all pass, and every rule has a scenario', async () => {
    result = await runSuite([DEFAULT_SCENARIOS], { concurrency: 4 });
    const failing = result.scenarios.filter((s) => !s.passed);
    expect(
      failing.map((s) => `${s.file}: ${s.failure?.message}`),
      formatSuite(result, { requireAllRules: true }),
    ).toEqual([]);
    expect(result.rules.filter((r) => r.scenarios.length === 0).map((r) => r.id)).toEqual([]);
    expect(result.unknownRules).toEqual([]);
    expect(suitePassed(result, { requireAllRules: true })).toBe(true);
  }, 300_000);

  it('give the same results through the HTTP driver against the reference adapter (icloud-sync driver)', async () => {
    const adapter = await startReferenceAdapter(0);
    try {
      const http = await runSuite([DEFAULT_SCENARIOS], { concurrency: 4, driver: httpDriver(adapter.url) });
      // Per scenario: the outcome and, for a failure, the step and the message, so a difference shows where it is.
      const outcomes = (r: SuiteResult) => r.scenarios.map((s) => `${s.file}: ${s.skipped ? `SKIP ${s.skipped}` : s.passed ? 'PASS' : `FAIL step ${s.failure?.step}: ${s.failure?.message}`}`);
      expect(outcomes(http)).toEqual(outcomes(result));
      expect(http.scenarios.filter((s) => s.skipped)).toEqual([]); // the crash points work over HTTP too
      expect(http.rules).toEqual(result.rules);
    } finally {
      await adapter.close();
    }
  }, 300_000);

  it('writes the JSON and JUnit reports in the documented shapes', () => {
    const json = toJson(result) as { rules: { id: string; scenarios: string[]; passed: boolean }[]; scenarios: { file: string; name: string; rules: string[]; passed: boolean; ms: number }[] };
    expect(json.rules[0]).toEqual({ id: expect.any(String), scenarios: expect.any(Array), passed: expect.any(Boolean) });
    expect(Object.keys(json.scenarios[0]).sort()).toEqual(['file', 'ms', 'name', 'passed', 'rules']);
    const junit = toJUnit(result);
    expect(junit).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="icloud-conformance" tests="\d+" failures="0"/);
    expect((junit.match(/<testcase /g) ?? []).length).toBe(result.scenarios.length + result.rules.length);
  });
});

describe('the rules contract', () => {
  // Skipped only in a checkout without ../shared/ (CI always has it): there is nothing to compare with.
  it.runIf(existsSync(SHARED_RULES))('vendored copy equals ../shared/RULES.md', () => {
    expect(readFileSync(VENDORED_RULES, 'utf8')).toBe(readFileSync(SHARED_RULES, 'utf8'));
  });

  it('has the 31 rule IDs the scenarios are held to', () => {
    const ids = parseRules(readFileSync(VENDORED_RULES, 'utf8')).map((r) => r.id);
    expect(ids).toHaveLength(31);
    expect(ids.slice(0, 3)).toEqual(['C1', 'C2', 'C3']);
  });
});
