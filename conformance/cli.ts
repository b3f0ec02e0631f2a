/**
 * `icloud-conformance`: the harness CI pipelines and QA run.
 *
 *   icloud-conformance scenarios [PATHS…] [--driver URL] [--driver-timeout S] [--deviations FILE] [--json FILE]
 *                                [--junit FILE] [--html FILE] [--concurrency N] [--rules FILE]
 *   icloud-conformance protocol --target URL --user U --password P [--profile icloud|rfc]
 *   icloud-conformance drift CAPTURE.har [--target URL] [--accept FILE] [--json FILE]
 *
 * Exit status: 0 when the run passed; 1 when a scenario failed, a listed deviation passed (the list
 * is stale) or, over the whole suite, a rule has no scenario; 2 when the run could not happen as
 * asked (a usage error, a missing file, a bad deviation list, a driver that cannot be reached).
 * Messages for 2 go to stderr as one line.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { projectRoot } from '../common/project-root.js';
import type { DriverFactory } from './driver/driver.js';
import { DEFAULT_DRIVER_TIMEOUT_MS, describeHttpDriver, driverBaseUrl, DriverProtocolError, httpDriver } from './driver/http-driver.js';
import { driftMain } from './drift/cli.js';
import { protocolMain } from './protocol/cli.js';
import { DeviationsError, loadDeviations, type ScenarioDeviation } from './scenarios/deviations.js';
import { toHtml } from './scenarios/html-report.js';
import { ScenarioError } from './scenarios/load.js';
import { formatSuite, runSuite, suitePassed, toJson, toJUnit } from './scenarios/suite.js';

export const DEFAULT_SCENARIOS = join(projectRoot(), 'fixtures', 'scenarios');

interface ScenarioOptions {
  json?: string;
  junit?: string;
  html?: string;
  concurrency: number;
  rules?: string;
  driver?: URL;
  driverTimeout: number;
  deviations?: string;
}

/** The run cannot happen as asked: one line on stderr, exit 2. */
class CannotRun extends Error {}

function wholeNumber(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return Number(text);
}

function seconds(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text) || !(Number(text) > 0)) throw new InvalidArgumentError('expected a number of seconds above 0.');
  return Number(text);
}

function driverUrl(text: string): URL {
  try {
    return driverBaseUrl(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message.replace(/^--driver /, ''));
  }
}

export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  // The protocol suite and the drift report keep their own parsers (and their own usage text).
  if (argv[0] === 'protocol') return protocolMain(argv.slice(1), out);
  if (argv[0] === 'drift') return driftMain(argv.slice(1), out);
  let status = 0;
  const program = new Command('icloud-conformance')
    .description('Conformance harness for iCloud calendar sync: rule scenarios against a sync engine, CalDAV protocol cases against a server.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: (s) => err(s.trimEnd()) })
    .showHelpAfterError('(add --help for usage)');
  program
    .command('scenarios')
    .description('replay rule scenarios against a sync engine and print rule coverage')
    .argument('[paths...]', 'scenario files or folders (default: every scenario, fixtures/scenarios)')
    .option('--driver <url>', 'the engine under test: an adapter serving the driver protocol (conformance/driver/PROTOCOL.md), e.g. http://127.0.0.1:8700/ (default: sync-core in-process)', driverUrl)
    .option('--driver-timeout <seconds>', 'how long one driver operation may take before its scenario fails, naming it', seconds, DEFAULT_DRIVER_TIMEOUT_MS / 1000)
    .option('--deviations <file>', "the engine's known deviations, a YAML list of { scenario, reason }: failing is expected of these, passing fails the run")
    .option('--json <file>', 'write { rules: [...], scenarios: [...] }')
    .option('--junit <file>', 'write JUnit XML for CI')
    .option('--html <file>', 'write one self-contained HTML page: coverage, steps, failures with the mock journal')
    .option('--concurrency <n>', 'scenarios run at once', wholeNumber, 4)
    .option('--rules <file>', 'the rules contract (default: ../shared/RULES.md, else fixtures/rules/RULES.md)')
    .addHelpText(
      'after',
      `
Exit status: 0 passed; 1 a scenario failed, a listed deviation passed (the list is stale), or, over
the whole suite, a rule has no scenario; 2 the run could not happen (usage, a missing file, a bad
deviation list, a driver that cannot be reached).`,
    )
    .action(async (paths: string[], options: ScenarioOptions) => {
      status = await scenarios(paths, options, out);
    });
  program.command('protocol').description('run the CalDAV protocol cases against any server (icloud-conformance protocol --help)');
  program
    .command('drift')
    .description('replay a capture (mock-icloud record) against a server and report the drift: drift CAPTURE.har [--target URL --user U --password P] [--partition URL] [--accept FILE] [--json FILE]');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    if (error instanceof CannotRun || error instanceof ScenarioError || error instanceof DeviationsError || error instanceof DriverProtocolError) {
      err(`icloud-conformance scenarios: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

async function scenarios(paths: string[], options: ScenarioOptions, out: (line: string) => void): Promise<number> {
  if (options.rules !== undefined && !existsSync(options.rules)) throw new CannotRun(`--rules ${options.rules}: no such file`);
  const deviations: ScenarioDeviation[] = options.deviations !== undefined ? loadDeviations(options.deviations) : [];
  let driver: DriverFactory | undefined;
  let engine = 'sync-core (in-process)';
  if (options.driver) {
    // Asked once before anything runs: an adapter that is not there is one line, not 99 failures.
    const http = { timeoutMs: options.driverTimeout * 1000 };
    engine = `${(await describeHttpDriver(options.driver, http)).name} at ${options.driver.href}`;
    driver = httpDriver(options.driver, http);
  }
  // Every rule must have a scenario when the whole suite runs; a single file checks only itself.
  const requireAllRules = paths.length === 0;
  const result = await runSuite(requireAllRules ? [DEFAULT_SCENARIOS] : paths, {
    concurrency: options.concurrency,
    rulesFile: options.rules,
    root: process.cwd(),
    driver,
    deviations,
    strictDeviations: requireAllRules,
  });
  out(formatSuite(result, { requireAllRules }));
  const write = (file: string | undefined, text: () => string) => {
    if (file === undefined) return;
    try {
      writeFileSync(file, text());
    } catch (error) {
      throw new CannotRun(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  write(options.json, () => JSON.stringify(toJson(result), null, 2));
  write(options.junit, () => toJUnit(result, { requireAllRules }));
  write(options.html, () => toHtml(result, { requireAllRules, title: `icloud-conformance: rule scenarios against ${engine}` }));
  return suitePassed(result, { requireAllRules }) ? 0 : 1;
}
