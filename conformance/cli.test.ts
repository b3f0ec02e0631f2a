/**
 * The installed `icloud-conformance scenarios` command, run from another folder as CI would:
 * exit status, the coverage lines, and the JSON and JUnit files.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../common/project-root.js';
import type { RunningDriverServer } from './driver/http-server.js';
import { startReferenceAdapter } from './driver/reference-adapter.js';

const run = promisify(execFile);
const ROOT = projectRoot();
const BIN = join(ROOT, 'bin', 'icloud-conformance.js');
const SCENARIO = join(ROOT, 'fixtures', 'scenarios', 'importing', 'pick-john-is-a-blocked-slot.yaml');

describe('icloud-conformance scenarios', () => {
  it('replays one file, prints its rules, and writes the JSON and JUnit reports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
    const { stdout } = await run(process.execPath, [BIN, 'scenarios', SCENARIO, '--json', 'out.json', '--junit', 'junit.xml'], { cwd: dir });
    expect(stdout).toMatch(/^I1\s+PASS\s+PASS "Pick John from school"/m);
    expect(stdout).toContain('1 passed, 0 failed');
    const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(json.scenarios).toEqual([expect.objectContaining({ name: expect.stringContaining('Pick John'), rules: ['I1', 'D4'], passed: true, ms: expect.any(Number) })]);
    expect(json.rules.find((r: { id: string }) => r.id === 'I1')).toEqual({ id: 'I1', scenarios: [json.scenarios[0].name], passed: true });
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="scenarios" tests="1" failures="0" skipped="0">');
    // A subset reports only the rules it checks: no uncovered rule counts as a failure of this run.
    expect(junit).toMatch(/<testsuites name="icloud-conformance" tests="3" failures="0"/);
    expect(junit.match(/<testcase classname="rules" name="\w+">/g)?.sort()).toEqual(['<testcase classname="rules" name="D4">', '<testcase classname="rules" name="I1">']);
  });

  it('exits 1 on a failing scenario and shows expected and actual side by side', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
    const wrong = readFileSync(SCENARIO, 'utf8')
      .replace('start: 2026-11-24T15:15:00Z', 'start: 2026-11-24T15:00:00Z')
      .replace('../../worlds/demo.yaml', join(ROOT, 'fixtures', 'worlds', 'demo.yaml'));
    writeFileSync(join(dir, 'wrong.yaml'), wrong);
    const failure = await run(process.execPath, [BIN, 'scenarios', 'wrong.yaml'], { cwd: dir }).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toContain('FAIL wrong.yaml');
    expect(failure?.stdout).toMatch(/^ +expected +│ actual$/m);
    expect(failure?.stdout).toMatch(/^ +start: 2026-11-24T15:00:00Z +│/m); // what the scenario said…
    expect(failure?.stdout).toMatch(/│ +start: 2026-11-24T15:15:00Z$/m); // …next to what was there
    expect(failure?.stdout).toContain('0 passed, 1 failed');
  });
});

type Failed = { code: number; stdout: string; stderr: string };
const fails = (args: string[], cwd?: string) =>
  run(process.execPath, [BIN, ...args], { cwd }).then(
    () => undefined,
    (error: Failed) => error,
  );

describe('icloud-conformance scenarios: options and mistakes', () => {
  it('--help works for the command and for scenarios, on stdout with exit 0', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'scenarios', '--help']);
    expect(stdout).toMatch(/^Usage: icloud-conformance scenarios \[options\] \[paths\.\.\.\]/);
    for (const option of ['--driver <url>', '--driver-timeout <seconds>', '--deviations <file>', '--json <file>', '--junit <file>', '--html <file>', '--concurrency <n>', '--rules <file>'])
      expect(stdout).toContain(option);
    expect((await run(process.execPath, [BIN, '--help'])).stdout).toMatch(/scenarios \[options\] \[paths\.\.\.\][\s\S]*protocol[\s\S]*drift/);
  });

  it('refuses a usage error or a missing file with one line on stderr and exit 2, before running anything', async () => {
    const cases: Array<[string[], string]> = [
      [['scenarios', '--concurrency', 'abc'], "error: option '--concurrency <n>' argument 'abc' is invalid. expected a whole number of at least 1."],
      [['scenarios', '--concurrency', '0'], "error: option '--concurrency <n>' argument '0' is invalid. expected a whole number of at least 1."],
      [['scenarios', '--driver', 'ftp://x/'], "error: option '--driver <url>' argument 'ftp://x/' is invalid. must be an http(s) URL, not ftp:"],
      [['scenarios', '--driver-timeout', '0'], "error: option '--driver-timeout <seconds>' argument '0' is invalid. expected a number of seconds above 0."],
      [['scenarios', 'no-such.yaml'], 'icloud-conformance scenarios: no-such.yaml: no such file or folder'],
      [['scenarios', SCENARIO, '--deviations', 'no-such-list.yaml'], 'icloud-conformance scenarios: no-such-list.yaml: cannot read the deviation list (ENOENT)'],
      [['scenarios', '--rules', 'no-such-rules.md'], 'icloud-conformance scenarios: --rules no-such-rules.md: no such file'],
      [['nope'], "error: unknown command 'nope'"],
    ];
    const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
    for (const [args, line] of cases) {
      const failure = await fails(args, dir);
      expect(failure?.code, args.join(' ')).toBe(2);
      expect(failure?.stderr.split('\n')[0], args.join(' ')).toBe(line);
      expect(failure?.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(failure?.stdout, args.join(' ')).toBe('');
    }
  }, 90_000);
});

describe('icloud-conformance scenarios --driver', () => {
  let adapter: RunningDriverServer;
  beforeAll(async () => {
    adapter = await startReferenceAdapter(0);
  });
  afterAll(() => adapter.close());

  it('replays through an adapter of the driver protocol, and names the engine in the HTML report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
    const { stdout } = await run(process.execPath, [BIN, 'scenarios', SCENARIO, '--driver', adapter.url, '--html', 'report.html'], { cwd: dir });
    expect(stdout).toMatch(/^I1\s+PASS\s+PASS "Pick John from school"/m);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain(`<title>icloud-conformance: rule scenarios against sync-core at ${adapter.url}</title>`);
  });

  it('says in one line when no adapter answers', async () => {
    const gone = await startReferenceAdapter(0);
    await gone.close();
    const failure = await fails(['scenarios', SCENARIO, '--driver', gone.url]);
    expect(failure?.code).toBe(2);
    expect(failure?.stderr.trim()).toMatch(new RegExp(`^icloud-conformance scenarios: cannot reach the driver at ${gone.url}: GET /v1/capabilities: .*ECONNREFUSED[^\n]*$`));
  });

  it('a known deviation that fails passes the run; listed but passing, it fails the run as stale', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
    const wrong = readFileSync(SCENARIO, 'utf8')
      .replace('start: 2026-11-24T15:15:00Z', 'start: 2026-11-24T15:00:00Z')
      .replace('../../worlds/demo.yaml', join(ROOT, 'fixtures', 'worlds', 'demo.yaml'));
    writeFileSync(join(dir, 'wrong.yaml'), wrong);
    writeFileSync(join(dir, 'deviations.yaml'), '- scenario: wrong.yaml\n  reason: our engine starts school runs on the hour\n- scenario: pick-john-is-a-blocked-slot.yaml\n  reason: fixed since\n');
    const failure = await fails(['scenarios', 'wrong.yaml', SCENARIO, '--driver', adapter.url, '--deviations', 'deviations.yaml'], dir);
    expect(failure?.code).toBe(1); // the stale entry
    expect(failure?.stdout).toContain('DEVIATION wrong.yaml');
    expect(failure?.stdout).toContain('  known deviation: our engine starts school runs on the hour');
    expect(failure?.stdout).toContain('STALE ');
    expect(failure?.stdout).toContain('0 passed, 0 failed, 1 known deviation, 1 stale deviation');
    writeFileSync(join(dir, 'deviations.yaml'), '- scenario: wrong.yaml\n  reason: our engine starts school runs on the hour\n');
    const { stdout } = await run(process.execPath, [BIN, 'scenarios', 'wrong.yaml', '--driver', adapter.url, '--deviations', 'deviations.yaml'], { cwd: dir });
    expect(stdout).toContain('0 passed, 0 failed, 1 known deviation');
  }, 60_000);
});
