/**
 * The driver boundary: scenarios reach the engine only through a SyncEngineDriver, and a driver
 * lacking a capability a scenario needs gets that scenario skipped, named, never passed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../common/project-root.js';
import { formatSuite, suitePassed, coverage } from '../scenarios/suite.js';
import { runScenario } from '../scenarios/runner.js';
import { ALICE_SYNCED, GIVEN_ALICE, loadYaml } from '../scenarios/test-support.js';
import type { DriverCapability, DriverFactory } from './driver.js';
import { SyncCoreDriver } from './sync-core-driver.js';

const scenario = (steps: string) => loadYaml(`name: driver test\nrules: [D3]\n${GIVEN_ALICE}\nsteps:\n${steps}`);

/** sync-core, claiming not to have some capabilities. */
const without =
  (...missing: DriverCapability[]): DriverFactory =>
  async (options) => {
    const driver = new SyncCoreDriver(options);
    Object.defineProperty(driver, 'capabilities', { value: new Set([...driver.capabilities].filter((c) => !missing.includes(c))) });
    return driver;
  };

describe('capabilities', () => {
  const crashing = `${ALICE_SYNCED}  - sync: { user: alice, interruptAfterRequests: 3 }\n  - sync: alice\n`;

  it('a scenario needing a capability the driver lacks is skipped, naming it, and does not pass', async () => {
    const result = await runScenario(scenario(crashing), { driver: without('crash-before-request') });
    expect(result).toMatchObject({ passed: false, skipped: 'the sync-core driver lacks crash-before-request' });
    expect(result.failure).toBeUndefined();
    const suite = { ...coverage([{ id: 'D3' } as never], [{ ...result, file: 'x.yaml' }]), scenarios: [{ ...result, file: 'x.yaml' }], rulesSource: 'RULES.md' };
    expect(suite.rules[0].passed).toBe(false); // a rule checked only by skipped scenarios is not covered
    expect(suitePassed(suite, { requireAllRules: true })).toBe(false);
    expect(suitePassed(suite, { requireAllRules: false })).toBe(true); // but a skipped file is no failure
    const text = formatSuite(suite, { requireAllRules: true });
    expect(text).toContain('SKIP x.yaml — driver test\n  the sync-core driver lacks crash-before-request');
    expect(text).toMatch(/D3\s+SKIP/);
    expect(text).toContain('0 passed, 0 failed, 1 skipped');
  });

  it('calendar types in given and poll steps are needs too; the full driver runs the scenario', async () => {
    const polling = scenario('  - poll: {}\n');
    expect((await runScenario(polling, { driver: without('calendar-type:service', 'poll') })).skipped).toBe('the sync-core driver lacks calendar-type:service, poll');
    expect((await runScenario(scenario(crashing))).passed).toBe(true);
  });
});

describe('the boundary', () => {
  const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : /(?<!\.test)\.ts$/.test(f) ? [join(dir, f)] : []));

  it('no scenario step, matcher or runner module imports sync-core: they talk to the driver', () => {
    const offenders = files(join(projectRoot(), 'conformance', 'scenarios')).filter((f) => /from '(\.\.\/)+sync-core\//.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
