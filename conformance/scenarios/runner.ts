/**
 * Replays one scenario on a fresh world (set-up.ts), step by step, each step looked up in the
 * registry (steps/index.ts). The first failing step ends the scenario with what was expected and
 * what was found; a failing `expect` reports every matcher that failed. Deterministic: no
 * randomness, no system time, fresh ports and state per scenario.
 */
import { performance } from 'node:perf_hooks';
import type { JournalEntry } from '../../mock-icloud/index.js';
import type { DriverFactory } from '../driver/driver.js';
import { syncCoreDriver } from '../driver/sync-core-driver.js';
import type { Mismatch } from './expectations/define-expectation.js';
import { lastSeq } from './lookups.js';
import { requiredCapabilities } from './requirements.js';
import type { ScenarioRun } from './run-state.js';
import type { Scenario, Step } from './schema.js';
import { setUp } from './set-up.js';
import { StepFailure } from './step-failure.js';
import { ExpectationsFailed } from './steps/expect.js';
import { STEP_BY_NAME } from './steps/index.js';

export type { ScenarioRun } from './run-state.js';

export interface Failure {
  step: number;
  action: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
  /** When an `expect` step failed in more than one way: every mismatch (message above is a summary). */
  mismatches?: Mismatch[];
  /** What the engine sent iCloud and what it got, for the reader of a failure (the HTML report). */
  journal?: StepJournal;
}

/**
 * The mock's journal for a failing step: the requests made during it, or, when it made none (an
 * `expect` checks what an earlier sync did), during the last step that made any.
 */
export interface StepJournal {
  step: number;
  action: string;
  entries: Array<Pick<JournalEntry, 'seq' | 'method' | 'path' | 'status' | 'account' | 'reason' | 'fault'>>;
}

export interface ScenarioResult {
  file: string;
  name: string;
  rules: string[];
  passed: boolean;
  ms: number;
  failure?: Failure;
  /** Not run: the driver lacks what it needs (the capabilities are named); never counted as passed. */
  skipped?: string;
  /** Listed in the team's deviation list (deviations.ts): a failure is expected, a pass is stale. */
  deviation?: { reason: string };
  /** The steps as written, for the HTML report (the failure's `step` says how far the run got). */
  steps?: Array<{ index: number; action: string; source: string }>;
  description?: string;
}

export interface RunOptions {
  /** The engine under test; default the built-in sync-core driver. */
  driver?: DriverFactory;
}

export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<ScenarioResult> {
  const started = performance.now();
  const steps = scenario.steps.map((s) => ({ index: s.index, action: s.kind, source: s.source ?? s.kind }));
  const result = (failure?: Failure): ScenarioResult => ({
    file: scenario.file,
    name: scenario.name,
    rules: scenario.rules,
    passed: !failure,
    ms: Math.round(performance.now() - started),
    failure,
    steps,
    ...(scenario.description ? { description: scenario.description } : {}),
  });
  const createDriver = options.driver ?? syncCoreDriver;
  let run: ScenarioRun | undefined;
  try {
    run = await setUp(scenario, async (driverOptions) => {
      const driver = await createDriver(driverOptions);
      const missing = requiredCapabilities(scenario).filter((c) => !driver.capabilities.has(c));
      if (missing.length) {
        await driver.close();
        throw new MissingCapabilities(driver.name, missing);
      }
      return driver;
    });
  } catch (error) {
    if (error instanceof MissingCapabilities) return { ...result(), passed: false, skipped: error.message };
    return result({ step: 0, action: 'given', message: `could not set up the world: ${(error as Error).message}` });
  }
  try {
    let lastRequests: { step: Step; from: number; to: number } | undefined;
    for (const step of scenario.steps) {
      const from = lastSeq(run);
      const failure = await runStep(run, step);
      const to = lastSeq(run);
      if (to > from) lastRequests = { step, from, to };
      if (failure) return result({ ...failure, ...(lastRequests ? { journal: journalOf(run, lastRequests) } : {}) });
    }
    return result();
  } finally {
    await run.driver.close();
    await run.mock.close();
  }
}

function journalOf(run: ScenarioRun, span: { step: Step; from: number; to: number }): StepJournal {
  const entries = run.mock.control
    .journal({ since: span.from })
    .filter((e) => e.seq <= span.to)
    .map(({ seq, method, path, status, account, reason, fault }) => ({ seq, method, path, status, ...(account ? { account } : {}), ...(reason ? { reason } : {}), ...(fault ? { fault } : {}) }));
  return { step: span.step.index, action: span.step.kind, entries };
}

class MissingCapabilities extends Error {
  constructor(driver: string, missing: string[]) {
    super(`the ${driver} driver lacks ${missing.join(', ')}`);
  }
}

/**
 * Whose last sync failed, and why, as a note for a failed expectation (" (alice's last sync failed:
 * …)"), or nothing. A sync that fails is not a failed step (a scenario may expect it), but when an
 * expectation then finds nothing, the failed sync is the cause the reader needs first.
 */
function failedSyncs(run: ScenarioRun): string {
  const failed = [...run.reports].filter(([, report]) => report.outcome === 'failed');
  return failed.map(([user, report]) => ` (${user}'s last sync failed${report.errors[0] ? `: ${report.errors[0].message}` : ''})`).join('');
}

async function runStep(run: ScenarioRun, step: Step): Promise<Failure | undefined> {
  const fail = (message: string, expected?: unknown, actual?: unknown): Failure => ({ step: step.index, action: step.kind, message, expected, actual });
  const definition = STEP_BY_NAME.get(step.kind);
  if (!definition) return fail(`unknown action "${step.kind}"`);
  try {
    await definition.run(run, step.args, step);
  } catch (error) {
    if (error instanceof ExpectationsFailed) {
      const [first, ...rest] = error.mismatches;
      const cause = failedSyncs(run);
      if (!rest.length) return fail(`${first.message}${cause}`, first.expected, first.actual);
      return { ...fail(`${error.mismatches.length} expectations failed${cause}`), mismatches: error.mismatches };
    }
    // A mistake in the scenario (no such key, no such event) is never "the expected error".
    if (error instanceof StepFailure) return fail(error.message, error.expected, error.actual);
    const e = error as Error & { code?: string };
    if (step.expectError !== undefined) {
      const text = `${e.code ?? ''} ${e.message}`;
      // Case does not matter: "Read-only" in a message and "read-only" in the scenario are the same error.
      return text.toLowerCase().includes(step.expectError.toLowerCase()) ? undefined : fail('the step failed, but not with the expected error', step.expectError, text.trim());
    }
    return fail(`the step failed: ${e.message}`);
  }
  if (step.expectError !== undefined) return fail('the step succeeded but was expected to fail', step.expectError, 'no error');
  return undefined;
}
