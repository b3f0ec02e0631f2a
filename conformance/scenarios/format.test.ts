/**
 * The scenario steps and matchers that issue 8 asked for, each run as a small scenario against the
 * demo world. Each test checks the step's effect where it lands (the mock or the engine's state),
 * and for matchers that a wrong expectation fails, so a matcher that accepted everything would show.
 */
import { describe, expect, it } from 'vitest';
import { ScenarioError } from './load.js';
import { ALICE_SYNCED, GIVEN_ALICE, loadYaml, runYaml } from './test-support.js';

const scenario = (steps: string, given = GIVEN_ALICE) => `name: format test\nrules: [D1]\n${given}\nsteps:\n${steps}`;
const passes = async (steps: string) => {
  const result = await runYaml(scenario(steps));
  expect(result.failure, JSON.stringify(result.failure, null, 2)).toBeUndefined();
};
const failsAt = async (steps: string) => {
  const result = await runYaml(scenario(steps));
  expect(result.passed).toBe(false);
  return result.failure!;
};

const PICK_JOHN_UID = '5D1E2A44-8C0B-4B7E-A3F1-77E0C2B9D416';
const STANDUP_UID = '6B2F0C1E-4D3A-4E8B-9C71-2A5D8E0F3B41';

describe('refreshCalendars', () => {
  const shareAfterConnecting = `
  - connect: { user: alice, appleId: alice@example.com, appPassword: abcd-efgh-ijkl-mnop }
  - icloud.share: { owner: bob@example.com, calendar: home, with: alice@example.com, access: read-write, displayName: Bob at home }
`;
  it('a calendar shared after connecting cannot be chosen until the list is read again', async () => {
    const f = await failsAt(`${shareAfterConnecting}  - choose: { user: alice, linked: Work, conflict: [Bob at home] }\n`);
    expect(f.message).toMatch(/no calendar "Bob at home"/);
    await passes(`${shareAfterConnecting}
  - refreshCalendars: { user: alice }
  - choose: { user: alice, linked: Work, conflict: [Bob at home] }
  - expect:
      offered: { user: alice, include: [Bob at home], conflict: [Bob at home, Work] }
`);
  });
});

describe('icloud.move', () => {
  it('deletes the event in one calendar and creates it with the same UID and data in the other', async () => {
    await passes(`${ALICE_SYNCED}
  - icloud.move: { account: alice@example.com, from: work, to: home, uid: ${PICK_JOHN_UID} }
  - expect:
      notInICloud: [{ account: alice@example.com, calendar: work, uid: ${PICK_JOHN_UID} }]
      icloud: [{ account: alice@example.com, calendar: home, uid: ${PICK_JOHN_UID}, summary: Pick John from school, contains: [Basso] }]
`);
  });

  it('moves a booking the platform wrote, named by its key', async () => {
    await passes(`${ALICE_SYNCED}
  - book: { as: appt1, calendar: massage, start: 2026-11-25T10:00:00Z, contact: carla }
  - sync: alice
  - icloud.move: { account: alice@example.com, from: work, to: home, event: appt1, name: moved.ics }
  - expect:
      notInICloud: [{ account: alice@example.com, calendar: work, event: appt1 }]
      icloud: [{ account: alice@example.com, calendar: home, event: appt1 }]
      journal: [{ method: DELETE, count: 0 }]
`);
  });
});

describe('icloud.change with recurrenceId', () => {
  it('adds one occurrence override; the engine then shows that occurrence changed and the others not', async () => {
    await passes(`${ALICE_SYNCED}
  - icloud.change:
      account: alice@example.com
      calendar: home
      uid: ${STANDUP_UID}
      recurrenceId: 20261130T090000
      set: { SUMMARY: Stand-up at the café, "DTSTART;TZID=Europe/London": 20261130T140000, "DTEND;TZID=Europe/London": 20261130T143000 }
  - sync: alice
  - expect:
      icloud:
        - account: alice@example.com
          calendar: home
          uid: ${STANDUP_UID}
          contains: ["RECURRENCE-ID;TZID=Europe/London:20261130T090000", "RECURRENCE-ID;TZID=Europe/London:20261102T090000", "RRULE:FREQ=WEEKLY"]
      platform:
        - { user: alice, title: Stand-up at the café, start: 2026-11-30T14:00:00Z }
        - { user: alice, title: Team stand-up, start: 2026-12-07T09:00:00Z }
      notInPlatform:
        - { user: alice, title: Team stand-up, start: 2026-11-30T09:00:00Z }
`);
  });

  it('writes RANGE=THISANDFUTURE when asked', async () => {
    await passes(`${ALICE_SYNCED}
  - icloud.change: { account: alice@example.com, calendar: home, uid: ${STANDUP_UID}, recurrenceId: 20261207T090000, thisAndFuture: true, set: { SUMMARY: New stand-up } }
  - expect:
      icloud: [{ account: alice@example.com, calendar: home, uid: ${STANDUP_UID}, contains: ["RECURRENCE-ID;TZID=Europe/London;RANGE=THISANDFUTURE:20261207T090000", "SUMMARY:New stand-up"] }]
`);
  });
});

describe('disconnect', () => {
  it('forgets the connection, after which the user can connect again', async () => {
    await passes(`${ALICE_SYNCED}
  - disconnect: { user: alice }
  - expect:
      connection: { user: alice, status: none }
  - connect: { user: alice, appleId: alice@example.com, appPassword: abcd-efgh-ijkl-mnop }
  - expect:
      connection: { user: alice, status: active }
`);
  });
});

describe('nameSlot, and slot keys in updateSlot, deleteSlot and matchers', () => {
  it('binds a key that later steps and matchers use', async () => {
    await passes(`${ALICE_SYNCED}
  - nameSlot: { as: john, user: alice, title: Pick John from school }
  - updateSlot: { slot: john, newTitle: Pick John (late club) }
  - expect:
      platform: [{ user: alice, event: john, title: Pick John (late club) }]
  - deleteSlot: { slot: john }
  - expect:
      notInPlatform: [{ user: alice, event: john }]
`);
  });

  it('fails naming the candidates when the title is ambiguous, and narrows with start', async () => {
    const f = await failsAt(`${ALICE_SYNCED}  - nameSlot: { as: standup, user: alice, title: Team stand-up }\n`);
    expect(f.message).toMatch(/exactly one event "Team stand-up".*found \d+/);
    expect(JSON.stringify(f.actual)).toContain('blocked \\"Team stand-up\\" 2026-11-23T09:00:00.000Z');
    await passes(`${ALICE_SYNCED}
  - nameSlot: { as: standup, user: alice, title: Team stand-up, start: 2026-11-23T09:00:00Z }
  - expect:
      platform: [{ user: alice, event: standup, start: 2026-11-23T09:00:00Z }]
`);
  });
});

describe('platform matchers: description and location', () => {
  const updated = `${ALICE_SYNCED}
  - book: { as: appt1, calendar: massage, start: 2026-11-25T10:00:00Z, contact: carla }
  - update: { event: appt1, location: Room 4, description: Bring a towel }
`;
  it('match what the event has', async () => {
    await passes(`${updated}  - expect:\n      platform: [{ user: alice, event: appt1, location: Room 4, description: Bring a towel }]\n`);
  });
  it('fail on anything else', async () => {
    const f = await failsAt(`${updated}  - expect:\n      platform: [{ user: alice, event: appt1, location: Room 5 }]\n`);
    expect(f.message).toMatch(/expected 1 platform event/);
  });
});

describe('conflicts entries', () => {
  const bothEdit = `${ALICE_SYNCED}
  - clock: { advance: 1m }
  - nameSlot: { as: john, user: alice, title: Pick John from school }
  - updateSlot: { slot: john, newTitle: Pick John (grandma), newStart: 2026-11-24T16:00:00Z, newEnd: 2026-11-24T16:45:00Z }
  - clock: { advance: 1m }
  - icloud.change: { account: alice@example.com, calendar: work, uid: ${PICK_JOHN_UID}, set: { SUMMARY: Pick John + Lucy } }
  - sync: alice
`;
  it('match the losing change with ISO times, the winner and the event key', async () => {
    await passes(`${bothEdit}  - expect:
      conflicts:
        user: alice
        entries: [{ winner: icloud, event: john, losing: { source: platform, title: Pick John (grandma), start: 2026-11-24T16:00:00Z, end: 2026-11-24T16:45:00.000Z, deleted: false } }]
`);
  });
  it('fail when a time differs, showing the conflict with ISO times', async () => {
    const f = await failsAt(`${bothEdit}  - expect:\n      conflicts: { user: alice, entries: [{ losing: { start: 2026-11-24T16:30:00Z } }] }\n`);
    expect(f.message).toMatch(/1 entry matched no conflict/);
    expect(f.actual).toEqual([expect.objectContaining({ winner: 'icloud', event: 'john', losing: expect.objectContaining({ start: '2026-11-24T16:00:00Z' }) })]);
  });
  it('need one conflict per entry', async () => {
    const f = await failsAt(`${bothEdit}  - expect:\n      conflicts: { user: alice, entries: [{ winner: icloud }, { winner: icloud }] }\n`);
    expect(f.message).toMatch(/1 entry matched no conflict/);
  });
});

describe('snapshot and sameAs', () => {
  it('an idempotent second sync leaves the snapshot state', async () => {
    await passes(`${ALICE_SYNCED}
  - book: { as: appt1, calendar: massage, start: 2026-11-25T10:00:00Z, contact: carla }
  - sync: alice
  - snapshot: { as: once }
  - sync: alice
  - expect: { sameAs: once }
`);
  });

  it('shows what changed on each side when the state differs', async () => {
    const f = await failsAt(`${ALICE_SYNCED}
  - snapshot: before
  - clock: { advance: 1m }
  - icloud.change: { account: alice@example.com, calendar: work, uid: ${PICK_JOHN_UID}, set: { SUMMARY: Pick John + Lucy } }
  - sync: alice
  - expect: { sameAs: before }
`);
    expect(f.message).toMatch(/differs from snapshot "before"/);
    const expected = f.expected as Record<string, unknown[]>;
    const actual = f.actual as Record<string, unknown[]>;
    expect(actual[`icloud.alice@example.com/work.${PICK_JOHN_UID}`]).toContain('SUMMARY:Pick John + Lucy');
    expect(expected[`icloud.alice@example.com/work.${PICK_JOHN_UID}`]).toContain('SUMMARY:Pick John from school');
    expect(actual['platform.alice']).toEqual([expect.objectContaining({ title: 'Pick John + Lucy', deleted: false })]);
    expect(expected['platform.alice']).toEqual([expect.objectContaining({ title: 'Pick John from school' })]);
  });
});

describe('expectError', () => {
  it('compares without regard to case', async () => {
    await passes(`
  - connect: { user: alice, appleId: alice@example.com, appPassword: abcd-efgh-ijkl-mnop }
  - choose: { user: alice, linked: Bob's family }
    expectError: READ-ONLY-LINKED-CALENDAR
`);
  });
});

describe("given.icloud is checked with the mock's world validation at load", () => {
  it('an inline account without fullName fails the load, not a PROPFIND later', () => {
    const inline = `
given:
  icloud:
    accounts:
      - appleId: dora@example.com
        password: x
        twoFactor: true
        appPasswords: [aaaa-bbbb-cccc-dddd]
`;
    expect(() => loadYaml(scenario('  - sync: dora\n', inline))).toThrow(ScenarioError);
    expect(() => loadYaml(scenario('  - sync: dora\n', inline))).toThrow(/given\.icloud: accounts\[0\] \(dora@example\.com\): "fullName" is required/);
  });

  it('a world file that is missing fails the load', () => {
    expect(() => loadYaml(scenario('  - poll: {}\n', 'given:\n  icloud: ./no-such-world.yaml\n'))).toThrow(/given\.icloud: cannot read world file .*no-such-world\.yaml/);
  });
});
