/**
 * A team's deviation list: a listed scenario that fails is a DEVIATION and the run passes; one that
 * passes is STALE and the run fails; entries are checked (shape, reason, what they name).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DriverFactory } from '../driver/driver.js';
import { syncCoreDriver } from '../driver/sync-core-driver.js';
import { loadDeviations, matchDeviations } from './deviations.js';
import { formatSuite, runSuite, suitePassed, toJson, toJUnit } from './suite.js';
import { ALICE_SYNCED, GIVEN_ALICE, scenarioFile } from './test-support.js';

const file = (yaml: string) => scenarioFile(yaml);
const listFile = (yaml: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'deviations-')), 'deviations.yaml');
  writeFileSync(path, yaml);
  return path;
};

describe('loading a deviation list', () => {
  it('takes a list of { scenario, reason }', () => {
    expect(loadDeviations(listFile('- scenario: consistency/x.yaml\n  reason: we let the platform win\n'))).toEqual([{ scenario: 'consistency/x.yaml', reason: 'we let the platform win' }]);
    expect(loadDeviations(listFile(''))).toEqual([]);
  });

  it('names the file, the entry and the key of every mistake', () => {
    const at = listFile('- scenario: a.yaml\n');
    expect(() => loadDeviations(at)).toThrow(`${at}[0].reason: required`);
    const blank = listFile('- scenario: a.yaml\n  reason: "  "\n');
    expect(() => loadDeviations(blank)).toThrow(`${blank}[0].reason: say why the engine deviates, for whoever reads the report`);
    const typo = listFile('- scenario: a.yaml\n  reson: x\n');
    expect(() => loadDeviations(typo)).toThrow(`${typo}[0]: unknown key "reson" (expected one of scenario, reason)`);
    const mapping = listFile('scenario: a.yaml\n');
    expect(() => loadDeviations(mapping)).toThrow(`${mapping}: expected a list, found a mapping`);
    // A file that is not a list at all (a YAML scalar of 2,000 characters) is quoted by its start only.
    const prose = listFile(`${'not a deviation list '.repeat(100)}\n`);
    expect(() => loadDeviations(prose)).toThrow(`${prose}: expected a list, found ${JSON.stringify('not a deviation list '.repeat(4).slice(0, 80))}… (2099 characters)`);
    const twice = listFile('- { scenario: a.yaml, reason: x }\n- { scenario: a.yaml, reason: y }\n');
    expect(() => loadDeviations(twice)).toThrow(`${twice}[1].scenario: "a.yaml" is listed twice`);
    expect(() => loadDeviations(listFile('- [unclosed\n'))).toThrow(/: not valid YAML: /);
    expect(() => loadDeviations('/nonexistent/deviations.yaml')).toThrow('/nonexistent/deviations.yaml: cannot read the deviation list (ENOENT)');
  });
});

describe('matching entries to scenarios', () => {
  const scenarios = [
    { file: resolve('/suite/consistency/later-iphone-edit-wins.yaml'), name: 'A later iPhone edit wins' },
    { file: resolve('/suite/importing/later-iphone-edit-wins.yaml'), name: 'Imported, later edit wins' },
    { file: resolve('/suite/importing/free.yaml'), name: 'A FREE event does not block' },
  ];
  const match = (scenario: string) => matchDeviations([{ scenario, reason: 'r' }], scenarios);

  it('by name, by the end of the path at a folder boundary, or by the whole path', () => {
    expect([...match('A FREE event does not block').byFile.keys()]).toEqual([scenarios[2].file]);
    expect([...match('importing/free.yaml').byFile.keys()]).toEqual([scenarios[2].file]);
    expect([...match('free.yaml').byFile.keys()]).toEqual([scenarios[2].file]);
    expect([...match(scenarios[0].file).byFile.keys()]).toEqual([scenarios[0].file]);
    expect(match('ee.yaml')).toMatchObject({ unmatched: [{ scenario: 'ee.yaml' }] }); // not half a file name
  });

  it('refuses an entry naming two scenarios, and two entries naming one', () => {
    expect(() => match('later-iphone-edit-wins.yaml')).toThrow('"later-iphone-edit-wins.yaml" names 2 scenarios');
    expect(() =>
      matchDeviations(
        [
          { scenario: 'free.yaml', reason: 'a' },
          { scenario: 'A FREE event does not block', reason: 'b' },
        ],
        scenarios,
      ),
    ).toThrow('is listed twice ("free.yaml" and "A FREE event does not block")');
  });
});

describe('a run with a deviation list', () => {
  const passing = file(`name: passes\nrules: [C1]\n${GIVEN_ALICE}\nsteps:\n${ALICE_SYNCED}`);
  const failing = file(`name: fails\nrules: [C6]\n${GIVEN_ALICE}\nsteps:\n${ALICE_SYNCED}  - expect: { contacts: 7 }\n`);

  it('a listed failure is a DEVIATION and the run passes; a listed pass is STALE and fails the run', async () => {
    const result = await runSuite([passing, failing], { deviations: [{ scenario: 'fails', reason: 'we keep 7 contacts' }], concurrency: 2 });
    const fails = result.scenarios.find((s) => s.name === 'fails')!;
    expect(result.scenarios.find((s) => s.name === 'passes')!.deviation).toBeUndefined();
    expect(fails.deviation).toEqual({ reason: 'we keep 7 contacts' });
    expect(suitePassed(result, { requireAllRules: false })).toBe(true);
    const text = formatSuite(result, { requireAllRules: false });
    expect(text).toContain(`DEVIATION ${fails.file} — fails\n  known deviation: we keep 7 contacts\n  failed as expected at step 4 (expect): contacts:`);
    expect(text).toMatch(/^C6\s+DEVIATION\s+DEVIATION fails$/m);
    expect(text).toContain('1 passed, 0 failed, 1 known deviation');
    expect(toJUnit(result, { requireAllRules: false })).toContain('failures="0"');
    expect(toJUnit(result, { requireAllRules: false })).toContain('<skipped message="known deviation: we keep 7 contacts; failed as expected at step 4 (expect)');
    expect((toJson(result) as { scenarios: Array<{ name: string; deviation?: unknown }> }).scenarios.find((s) => s.name === 'fails')!.deviation).toEqual({
      reason: 'we keep 7 contacts',
      verdict: 'DEVIATION',
    });

    const stale = await runSuite([passing], { deviations: [{ scenario: passing, reason: 'fixed last week' }] });
    expect(suitePassed(stale, { requireAllRules: false })).toBe(false);
    const staleText = formatSuite(stale, { requireAllRules: false });
    expect(staleText).toContain('STALE');
    expect(staleText).toContain('listed as a deviation but passed: remove it from the deviation list (it said: fixed last week)');
    expect(staleText).toMatch(/^C1\s+FAIL\s+STALE passes$/m);
    expect(staleText).toContain('0 passed, 0 failed, 1 stale deviation (they pass now: the list must lose them)');
    expect(toJUnit(stale, { requireAllRules: false })).toMatch(/<testsuites [^>]*failures="2"/); // the scenario and its rule
  }, 60_000);

  it('an entry naming no scenario is a note on a partial run and refused on a whole one, before anything runs', async () => {
    const partial = await runSuite([passing], { deviations: [{ scenario: 'elsewhere.yaml', reason: 'r' }] });
    expect(formatSuite(partial, { requireAllRules: false })).toContain('note: the deviation list names no scenario of this run: "elsewhere.yaml"');
    let engines = 0;
    const counting: DriverFactory = async (options) => (engines++, syncCoreDriver(options));
    await expect(runSuite([passing], { deviations: [{ scenario: 'typo.yaml', reason: 'r' }], strictDeviations: true, driver: counting })).rejects.toThrow(
      'the deviation list names no scenario of this run: "typo.yaml"',
    );
    expect(engines).toBe(0); // refused before anything ran
  }, 60_000);
});
