/**
 * `icloud-conformance drift CAPTURE.har [--target URL --user U --password P] [--partition URL]
 * [--accept FILE] [--json FILE]`: replays a capture and reports the drift. Without --target, the
 * target is a mock serving the capture's own world (world-from-capture), on free loopback ports.
 * Exit 0: no drift beyond the accepted; 1: drift; 2: bad usage or input (one line).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readHar } from '../../mock-icloud/record/har.js';
import { CAPTURE_APP_PASSWORD, CAPTURE_DEFAULT_USER, worldFromCapture } from '../../mock-icloud/record/world-from-capture.js';
import { startMockICloud } from '../../mock-icloud/server.js';
import { readAccepted, type Accepted } from './accept.js';
import { loadFidelity } from './fidelity.js';
import { replay, type DriftTarget } from './replay.js';
import { buildReport, driftPassed, formatReport, type DriftReport } from './report.js';

export const DRIFT_USAGE = `  drift CAPTURE.har [--target URL --user U --password P] [--partition URL] [--accept FILE] [--json FILE]
    replay a capture (mock-icloud record) and report where the target answers differently
      --target URL       the server to replay against (default: a mock serving the capture's world)
      --partition URL    where the capture's partition exchanges go (default: the target URL)
      --accept FILE      YAML list of { exchange, what, reason }: differences that do not fail the run
      --json FILE        write the report as JSON
    Exits 1 on a difference not accepted.`;

export interface DriftOptions {
  capture: string;
  target?: { url: string; partition?: string; user?: string; password?: string };
  accepted?: Accepted[];
}

/** Runs a drift report (the library form of the command). */
export async function runDrift(options: DriftOptions): Promise<DriftReport> {
  const har = readHar(options.capture);
  const rows = loadFidelity();
  if (options.target) {
    const target: DriftTarget = { gateway: options.target.url, partition: options.target.partition, user: options.target.user, password: options.target.password, description: options.target.url };
    return buildReport(options.capture, target.description, await replay(har, target), rows, options.accepted ?? []);
  }
  const world = worldFromCapture(har);
  const mock = await startMockICloud({ world });
  try {
    const target: DriftTarget = {
      gateway: mock.gatewayUrl,
      partition: mock.partitionUrl,
      user: world.accounts[0]?.appleId ?? CAPTURE_DEFAULT_USER,
      password: CAPTURE_APP_PASSWORD,
      description: `${mock.gatewayUrl} (the mock, serving the capture's world)`,
    };
    return buildReport(options.capture, target.description, await replay(har, target), rows, options.accepted ?? []);
  } finally {
    await mock.close();
  }
}

export async function driftMain(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { target: { type: 'string' }, partition: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, accept: { type: 'string' }, json: { type: 'string' } },
    }));
  } catch (error) {
    out(`icloud-conformance drift: ${(error as Error).message}\n${DRIFT_USAGE}`);
    return 2;
  }
  if (positionals.length !== 1) {
    out(`icloud-conformance drift: give one capture file\n${DRIFT_USAGE}`);
    return 2;
  }
  for (const [flag, url] of [
    ['--target', values.target],
    ['--partition', values.partition],
  ] as const) {
    if (url !== undefined && !/^https?:\/\//i.test(url)) {
      out(`icloud-conformance drift: ${flag} "${url}" is not an http(s) URL`);
      return 2;
    }
  }
  let report: DriftReport;
  try {
    const accepted = values.accept ? readAccepted(values.accept) : [];
    report = await runDrift({
      capture: positionals[0]!,
      accepted,
      ...(values.target ? { target: { url: values.target, partition: values.partition, user: values.user, password: values.password } } : {}),
    });
  } catch (error) {
    out(`icloud-conformance drift: ${(error as Error).message}`);
    return 2;
  }
  out(formatReport(report));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  return driftPassed(report) ? 0 : 1;
}
