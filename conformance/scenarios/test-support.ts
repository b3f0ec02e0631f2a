/**
 * For the format's own tests: a scenario written inline as YAML, saved to a temporary file (the
 * loader reads files, and relative paths in a scenario are relative to its file), then loaded or
 * run. The demo world is named by absolute path so the temporary folder needs nothing beside it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../common/project-root.js';
import { expect } from 'vitest';
import { loadScenario, ScenarioError } from './load.js';
import { runScenario, type ScenarioResult } from './runner.js';
import type { Scenario } from './schema.js';

export const DEMO_WORLD = join(projectRoot(), 'fixtures', 'worlds', 'demo.yaml');

/** The given block most format tests share: the demo world and Alice in one sub-account. */
export const GIVEN_ALICE = `
given:
  icloud: ${DEMO_WORLD}
  platform:
    subAccounts:
      - name: Acme Clinic
        users:
          alice: { name: Alice Appleseed, email: alice@acme.test, timeZone: Europe/London }
        contacts:
          carla: { name: Carla Client }
        calendars:
          massage: { name: Massage, type: service, members: [alice] }
`;

/** Alice connected with Work linked and Home as a conflict calendar, synced once. */
export const ALICE_SYNCED = `
  - connect: { user: alice, appleId: alice@example.com, appPassword: abcd-efgh-ijkl-mnop }
  - choose: { user: alice, linked: Work, conflict: [Home] }
  - sync: alice
`;

export function scenarioFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'scenario-')), 'scenario.yaml');
  writeFileSync(file, yaml);
  return file;
}

export function loadYaml(yaml: string): Scenario {
  return loadScenario(scenarioFile(yaml));
}

export function runYaml(yaml: string): Promise<ScenarioResult> {
  return runScenario(loadYaml(yaml));
}

/** The message with which the loader refuses `yaml` (a ScenarioError); fails if it loads. */
export function loadError(yaml: string): string {
  try {
    loadYaml(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('the scenario loaded, but should not have');
}
