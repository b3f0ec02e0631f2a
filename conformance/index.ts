/**
 * icloud-conformance as a library (`icloud-caldav-mock/conformance`): the rule-scenario runner,
 * the CalDAV protocol cases against any server, and the one helper that skips or requires a suite's
 * outside program. The `icloud-conformance` command is `main`.
 *
 * @example
 * ```ts
 * import { runScenarioSuite, formatScenarioSuite, runProtocolSuite, formatProtocolTable } from 'icloud-caldav-mock/conformance';
 *
 * const scenarios = await runScenarioSuite(['fixtures/scenarios']);
 * console.log(formatScenarioSuite(scenarios, { requireAllRules: true }));
 * const protocol = await runProtocolSuite({ url: 'http://127.0.0.1:8443/', user: 'alice@example.com', password: 'abcd-efgh-ijkl-mnop' }, { profile: 'icloud', deviations: [] });
 * console.log(formatProtocolTable(protocol));
 * ```
 */
export { main, DEFAULT_SCENARIOS } from './cli.js';
export {
  runSuite as runScenarioSuite,
  formatSuite as formatScenarioSuite,
  suitePassed as scenarioSuitePassed,
  toJson as scenarioSuiteToJson,
  toJUnit as scenarioSuiteToJUnit,
  type SuiteResult as ScenarioSuiteResult,
  type SuiteOptions as ScenarioSuiteOptions,
  type RuleCoverage,
} from './scenarios/suite.js';
export { runScenario, type ScenarioResult, type RunOptions as ScenarioRunOptions } from './scenarios/runner.js';
export { loadScenario, findScenarioFiles, ScenarioError } from './scenarios/load.js';
export { runSuite as runProtocolSuite, formatTable as formatProtocolTable, selectCases, type SuiteOptions as ProtocolSuiteOptions, type SuiteRun as ProtocolSuiteRun } from './protocol/runner.js';
export { ALL_CASES, casesFor } from './protocol/cases/index.js';
export { PROFILES, type Profile, type ProtocolCase, type Deviation, type CaseResult } from './protocol/case.js';
export type { TargetAddress } from './protocol/context.js';
export { DEVIATION_LISTS } from './protocol/targets/index.js';
export { requirePeer, requiredBy, type Peer, type PeerCheck, type PeerOptions } from './peers.js';
export type { SyncEngineDriver, DriverFactory, DriverOptions, DriverCapability, DriverEvent, SyncRunReport } from './driver/driver.js';
export { DRIVER_CAPABILITIES } from './driver/driver.js';
export { SyncCoreDriver, syncCoreDriver } from './driver/sync-core-driver.js';
export { startDriverServer, type RunningDriverServer, type DriverServerOptions } from './driver/http-server.js';
export { httpDriver, HttpDriver, DriverError, DriverProtocolError } from './driver/http-driver.js';
export { loadDeviations, type ScenarioDeviation } from './scenarios/deviations.js';
export { toHtml as scenarioSuiteToHtml } from './scenarios/html-report.js';
