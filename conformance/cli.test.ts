/**
 * The installed `icloud-conformance scenarios` command, run from another folder as CI would:
 * exit status, the coverage lines, and the JSON and JUnit files.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../common/project-root.js';

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
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuite name="scenarios" tests="1" failures="0">');
  });

  it('exits 1 on a failing scenario and shows expected and actual side by side', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
    const wrong = readFileSync(SCENARIO, 'utf8').replace('start: 2026-11-24T15:15:00Z', 'start: 2026-11-24T15:00:00Z').replace('../../worlds/demo.yaml', join(ROOT, 'fixtures', 'worlds', 'demo.yaml'));
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
