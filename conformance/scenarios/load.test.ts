/**
 * The loader checks every step and matcher against its schema before anything runs, and says
 * where a mistake is: file, step number, action and key path.
 */
import { describe, expect, it } from 'vitest';
import { GIVEN_ALICE, loadError, loadYaml } from './test-support.js';

const withSteps = (steps: string) => `name: load test\nrules: [A1]\n${GIVEN_ALICE}\nsteps:\n${steps}`;

describe('step arguments are validated at load', () => {
  it('a misspelt key names the step, the action and the keys it takes', () => {
    const message = loadError(withSteps('  - sync: alice\n  - book: { as: a, calendar: massage, strat: 2026-11-24T10:00:00Z, contact: carla }\n'));
    expect(message).toMatch(
      /^scenario\.yaml, step 2 \(book\): unknown key "strat" \(expected one of as, calendar, start, contact, title\)$|step 2 \(book\): unknown key "strat" \(expected one of as, calendar, start, contact, title\)/,
    );
    expect(message).toMatch(/step 2 \(book\)\.start: required/);
  });

  it('a time that is not ISO names the key path', () => {
    expect(loadError(withSteps('  - book: { calendar: massage, start: next tuesday, contact: carla }\n'))).toMatch(/step 1 \(book\)\.start: not an ISO time/);
  });

  it('matchers inside expect are checked too, with their place in a list', () => {
    const message = loadError(withSteps('  - expect:\n      platform:\n        - { user: alice, title: X }\n        - { user: alice, titel: Y }\n'));
    expect(message).toMatch(/step 1 \(expect\)\.platform\[1\]: unknown key "titel" \(expected one of user, event, kind, title, start, end/);
  });

  it('an unknown matcher names the matchers there are', () => {
    expect(loadError(withSteps('  - expect: { platfrom: [] }\n'))).toMatch(/step 1 \(expect\): unknown key "platfrom" \(expected one of platform, notInPlatform, icloud/);
  });

  it('enumerations list their values; rules across keys are checked', () => {
    expect(loadError(withSteps('  - expect: { platform: [{ user: alice, kind: meeting }] }\n'))).toMatch(/\.platform\[0\]\.kind: expected one of appointment, blocked, found "meeting"/);
    expect(loadError(withSteps('  - icloud.delete: { account: alice@example.com, calendar: work }\n'))).toMatch(/step 1 \(icloud\.delete\): name the iCloud event with uid or with event/);
    expect(loadError(withSteps('  - sync: { user: alice, interruptAfterRequests: 2, loseAnswerOf: 2 }\n'))).toMatch(/step 1 \(sync\): a run dies once/);
    expect(loadError(withSteps('  - clock: { advance: soon }\n'))).toMatch(/step 1 \(clock\)\.advance: not a duration/);
    expect(loadError(withSteps('  - fault: { kind: meltdown }\n'))).toMatch(/step 1 \(fault\)\.kind: expected one of unavailable, too-many-requests/);
  });

  it('scalar shorthands fill their key; steps without one want a mapping', () => {
    const scenario = loadYaml(withSteps('  - sync: alice\n  - clock: 40d\n  - poll:\n  - expect: { icloudWrites: 0, contacts: 1 }\n'));
    expect(scenario.steps.map((s) => [s.kind, s.args])).toEqual([
      ['sync', { user: 'alice' }],
      ['clock', { advance: '40d' }],
      ['poll', {}],
      ['expect', { icloudWrites: { count: 0 }, contacts: { count: 1 } }],
    ]);
    expect(loadError(withSteps('  - book: appt\n'))).toMatch(/step 1 \(book\): expected a mapping, found "appt"/);
  });

  it('unknown actions, two actions in one step, and expectError on expect are refused', () => {
    expect(loadError(withSteps('  - synch: alice\n'))).toMatch(/step 1: unknown action "synch"; actions are connect, refreshCalendars/);
    expect(loadError(withSteps('  - { sync: alice, poll: {} }\n'))).toMatch(/step 1: a step has exactly one action \(found sync, poll\)/);
    expect(loadError(withSteps('  - expect: { icloudWrites: 0 }\n    expectError: nope\n'))).toMatch(/expect step cannot be expected to fail/);
  });
});

describe('given is validated at load', () => {
  const given = (block: string) => `name: g\nrules: [A1]\ngiven:\n${block}\nsteps:\n  - poll: {}\n`;
  it('users, contacts and calendars are strict; calendar types come from a list', () => {
    const users = 'users: { alice: { name: A, email: a@x.test, timezone: Europe/London } }';
    expect(loadError(given(`  icloud: {accounts: []}\n  platform:\n    subAccounts:\n      - { name: Acme, ${users} }`))).toMatch(
      /given\.platform\.subAccounts\[0\]\.users\.alice: unknown key "timezone" \(expected one of name, email, timeZone, workingHours\)/,
    );
    const calendars = 'calendars: { yoga: { name: Yoga, type: class } }';
    expect(loadError(given(`  icloud: {accounts: []}\n  platform:\n    subAccounts:\n      - { name: Acme, ${calendars} }`))).toMatch(
      /calendars\.yoga\.type: expected one of round_robin, collective, class_booking, service, simple, event, found "class"/,
    );
  });
  it('the top level is strict and needs name, rules and steps', () => {
    expect(loadError('name: x\nrules: [A1]\ngiven: { icloud: {accounts: []} }\nstep:\n  - poll: {}\n')).toMatch(/unknown key "step" \(expected one of name, rules, description, given, steps\)/);
    expect(loadError('name: x\nrules: [a1]\ngiven: { icloud: {accounts: []} }\nsteps:\n  - poll: {}\n')).toMatch(/\.rules\[0\]: a rule ID such as A1/);
  });
});
