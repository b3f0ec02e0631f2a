/**
 * `icloud-conformance`: the harness CI pipelines and QA run.
 *
 *   icloud-conformance scenarios [PATHS…] [--json FILE] [--junit FILE] [--concurrency N] [--rules FILE]
 *   icloud-conformance protocol --target URL --user U --password P [--profile icloud|rfc]
 *   icloud-conformance drift CAPTURE.har [--target URL] [--accept FILE] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../common/project-root.js';
import { protocolMain } from './protocol/cli.js';
import { DRIFT_USAGE, driftMain } from './drift/cli.js';
import { formatSuite, runSuite, suitePassed, toJson, toJUnit } from './scenarios/suite.js';

export const DEFAULT_SCENARIOS = join(projectRoot(), 'fixtures', 'scenarios');

const USAGE = `usage: icloud-conformance <command> [options]

  scenarios [PATHS…]   replay scenario files (default: fixtures/scenarios) and print rule coverage
      --json FILE        write { rules: [...], scenarios: [...] }
      --junit FILE       write JUnit XML for CI
      --concurrency N    scenarios run at once (default 4)
      --rules FILE       the rules contract (default: ../shared/RULES.md, else fixtures/rules/RULES.md)
    Exits 1 when a scenario fails or, when run over the default folder, when a rule has no scenario.

  protocol --target URL --user U --password P [--profile icloud|rfc]
    run the CalDAV protocol cases against any server (the mock, iCloud itself, Radicale, …)

${DRIFT_USAGE}`;

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'protocol') return protocolMain(rest, out);
  if (command === 'drift') return driftMain(rest, out);
  if (command !== 'scenarios') {
    out(command === undefined || command === '--help' || command === '-h' ? USAGE : `icloud-conformance: unknown command "${command}"\n${USAGE}`);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'string' }, junit: { type: 'string' }, concurrency: { type: 'string' }, rules: { type: 'string' } } }));
  } catch (error) {
    out(`icloud-conformance: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const paths = positionals.length ? positionals : [DEFAULT_SCENARIOS];
  const result = await runSuite(paths, { concurrency: values.concurrency ? Number(values.concurrency) : undefined, rulesFile: values.rules, root: process.cwd() });
  // Every rule must have a scenario when the whole suite runs; a single file checks only itself.
  const requireAllRules = positionals.length === 0;
  out(formatSuite(result, { requireAllRules }));
  if (values.json) writeFileSync(values.json, JSON.stringify(toJson(result), null, 2));
  if (values.junit) writeFileSync(values.junit, toJUnit(result));
  return suitePassed(result, { requireAllRules }) ? 0 : 1;
}
