/**
 * How a failing step is reported: every failed matcher of an `expect`, the nearest candidates
 * instead of everything, and scenario mistakes never taken for the engine's expected error.
 */
import { describe, expect, it } from 'vitest';
import { formatSuite } from './suite.js';
import { ALICE_SYNCED, GIVEN_ALICE, runYaml } from './test-support.js';

const scenario = (steps: string) => `name: runner test\nrules: [A1]\n${GIVEN_ALICE}\nsteps:\n${steps}`;

describe('a failing expect step', () => {
  it('reports every failed matcher (in the order of the matcher list), and the suite report shows each', async () => {
    const result = await runYaml(
      scenario(`${ALICE_SYNCED}  - expect:
      platform: [{ user: alice, title: Pick John from school, start: 2026-11-24T15:00:00Z }, { user: alice, title: Mum's birthday }]
      icloudWrites: 3
      busy: { user: alice, at: 2026-11-24T15:15:00Z }
      contacts: 5
`),
    );
    const f = result.failure!;
    expect(f.message).toBe('3 expectations failed');
    expect(f.mismatches!.map((m) => m.message)).toEqual([
      expect.stringMatching(/^platform: expected 1 platform event\(s\) like this for alice, found 0/),
      expect.stringMatching(/^contacts: unexpected number of contacts/),
      expect.stringMatching(/^icloudWrites: unexpected number of writes/),
    ]);
    const text = formatSuite({ rules: [], scenarios: [{ ...result, file: 'x.yaml' }], unknownRules: [], rulesSource: 'RULES.md' }, { requireAllRules: false });
    expect(text).toContain('1. platform: expected 1 platform event(s)');
    expect(text).toContain('3. icloudWrites: unexpected number of writes');
  });

  it('shows the nearest events when a matcher finds none, the closest first', async () => {
    const result = await runYaml(scenario(`${ALICE_SYNCED}  - expect:\n      platform: [{ user: alice, title: Team stand-up, start: 2026-11-23T09:05:00Z }]\n`));
    const actual = result.failure!.actual as Array<{ title: string; start: string }>;
    expect(actual.length).toBeLessThanOrEqual(5);
    expect(actual[0]).toMatchObject({ title: 'Team stand-up', start: '2026-11-23T09:00:00Z' });
    expect(actual.every((e) => e.title === 'Team stand-up')).toBe(true);
  });

  it('says whose last sync failed, and why: an expectation that finds nothing after a failed sync names its cause', async () => {
    const failedSync = `  - connect: { user: alice, appleId: alice@example.com, appPassword: abcd-efgh-ijkl-mnop }
  - choose: { user: alice, linked: Work, conflict: [Home] }
  - fault: { kind: unavailable }
  - sync: alice
`;
    const one = await runYaml(scenario(`${failedSync}  - expect:\n      platform: [{ user: alice, title: Team stand-up }]\n`));
    expect(one.failure!.message).toMatch(/^platform: expected 1 platform event\(s\) like this for alice, found 0.* \(alice's last sync failed: iCloud is not answering \(HTTP 503\)/);
    const two = await runYaml(scenario(`${failedSync}  - expect:\n      platform: [{ user: alice, title: Team stand-up }]\n      icloudWrites: 9\n`));
    expect(two.failure!.message).toMatch(/^2 expectations failed \(alice's last sync failed: iCloud is not answering/);
    // A sync that went well adds nothing.
    const ok = await runYaml(scenario(`${ALICE_SYNCED}  - expect:\n      icloudWrites: 9\n`));
    expect(ok.failure!.message).not.toContain('sync failed');
  });

  it('a matcher that cannot run (unknown key) is one mismatch among the others', async () => {
    const result = await runYaml(scenario(`${ALICE_SYNCED}  - expect:\n      platform: [{ user: bob }]\n      icloudWrites: 9\n`));
    expect(result.failure!.mismatches!.map((m) => m.message)).toEqual([expect.stringMatching(/^platform: unknown user "bob"; known: alice/), expect.stringMatching(/^icloudWrites:/)]);
  });
});

describe('expectError', () => {
  it('does not take a mistake in the scenario for the expected error', async () => {
    const result = await runYaml(scenario('  - reschedule: { event: nosuch, start: 2026-11-24T10:00:00Z }\n    expectError: unknown\n'));
    expect(result.failure?.message).toMatch(/unknown event "nosuch"/);
  });
  it('fails a step that succeeds', async () => {
    const result = await runYaml(scenario('  - connect: { user: alice, appleId: alice@example.com, appPassword: abcd-efgh-ijkl-mnop }\n    expectError: refused\n'));
    expect(result.failure?.message).toBe('the step succeeded but was expected to fail');
  });
});
