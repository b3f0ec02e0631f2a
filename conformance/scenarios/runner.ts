/**
 * Replays one scenario: a fresh mock iCloud seeded with the scenario's world, a fresh sync core on
 * an in-memory database, both on the same pinned clock, and the steps in order. The first failing
 * step ends the scenario with what was expected and what was found. Deterministic: no randomness,
 * no system time, fresh ports and state per scenario.
 */
import { utcDateTime as stamp } from '../../icalendar/index.js';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startMockICloud, type RunningMockICloud } from '../../mock-icloud/index.js';
import { FixedClock } from '../../common/clock.js';
import type { SyncReport } from '../../sync-core/engine/report.js';
import type { PlatformCalendar, PlatformEvent, User } from '../../sync-core/platform/model.js';
import { SyncCore } from '../../sync-core/sync-core.js';
import { checkExpectations, type Mismatch } from './expectations.js';
import { editMaster } from './icalendar-text/edit-master.js';
import { editOccurrence } from './icalendar-text/edit-occurrence.js';
import type { Scenario, Step } from './schema.js';
import type { StateSnapshot } from './snapshot.js';
import { takeSnapshot } from './snapshot.js';
import { StepFailure } from './step-failure.js';

export interface Failure {
  step: number;
  action: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
}

export interface ScenarioResult {
  file: string;
  name: string;
  rules: string[];
  passed: boolean;
  ms: number;
  failure?: Failure;
}

/** Everything a step can reach, by the short keys the scenario gave. */
export interface ScenarioRun {
  scenario: Scenario;
  mock: RunningMockICloud;
  core: SyncCore;
  clock: FixedClock;
  subAccounts: Map<string, string>;
  users: Map<string, User>;
  contacts: Map<string, string>;
  calendars: Map<string, PlatformCalendar>;
  events: Map<string, string>;
  connections: Map<string, string>;
  reports: Map<string, SyncReport>;
  lastSync: { user?: string; journalFrom: number; journalTo: number };
  /** User keys whose connections the last `poll` step synced, in connection order. */
  lastPoll?: string[];
  /** The run dies before sending request N+1 (`sync: { interruptAfterRequests: N }`). */
  interruptAfter?: number;
  /** The run dies after iCloud served request N but before its answer arrives (`sync: { loseAnswerOf: N }`). */
  loseAnswerOf?: number;
  requests: number;
  /** `snapshot: { as }` states, for `expect: { sameAs }`. */
  snapshots: Map<string, StateSnapshot>;
}

class Interrupted extends Error {
  constructor() {
    super('sync interrupted by the scenario (interruptAfterRequests / loseAnswerOf)');
  }
}

export async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  const started = performance.now();
  const result = (failure?: Failure): ScenarioResult => ({ file: scenario.file, name: scenario.name, rules: scenario.rules, passed: !failure, ms: Math.round(performance.now() - started), failure });
  let run: ScenarioRun | undefined;
  try {
    run = await setUp(scenario);
  } catch (error) {
    return result({ step: 0, action: 'given', message: `could not set up the world: ${(error as Error).message}` });
  }
  try {
    for (const step of scenario.steps) {
      const failure = await runStep(run, step);
      if (failure) return result(failure);
    }
    return result();
  } finally {
    run.core.close();
    await run.mock.close();
  }
}

async function setUp(scenario: Scenario): Promise<ScenarioRun> {
  const now = Date.parse(scenario.given.now);
  const clock = new FixedClock(now);
  const base = dirname(scenario.file);
  const world = typeof scenario.given.icloud === 'string' ? resolve(base, scenario.given.icloud) : (scenario.given.icloud as never);
  const mock = await startMockICloud({ world, worldBaseDir: base, clock: now });
  mock.control.setClock(now);
  const run: ScenarioRun = {
    scenario,
    mock,
    clock,
    core: undefined as unknown as SyncCore,
    subAccounts: new Map(),
    users: new Map(),
    contacts: new Map(),
    calendars: new Map(),
    events: new Map(),
    connections: new Map(),
    reports: new Map(),
    lastSync: { journalFrom: 0, journalTo: 0 },
    requests: 0,
    snapshots: new Map(),
  };
  const interruptingFetch: typeof fetch = async (input, init) => {
    run.requests++;
    if (run.interruptAfter !== undefined && run.requests > run.interruptAfter) throw new Interrupted();
    if (run.loseAnswerOf !== undefined && run.requests > run.loseAnswerOf) throw new Interrupted();
    const response = await fetch(input, init);
    if (run.requests === run.loseAnswerOf) throw new Interrupted(); // iCloud did the work; the answer is lost
    return response;
  };
  run.core = new SyncCore({ clock, fetch: interruptingFetch, window: scenario.given.window });
  const p = run.core.platform;
  for (const sa of scenario.given.platform.subAccounts) {
    const sub = p.createSubAccount({ name: sa.name });
    run.subAccounts.set(sa.name, sub.id);
    for (const [key, u] of Object.entries(sa.users)) run.users.set(key, p.createUser({ subAccountId: sub.id, name: u.name, email: u.email, timeZone: u.timeZone, workingHours: u.workingHours }));
    for (const [key, c] of Object.entries(sa.contacts)) run.contacts.set(key, p.createContact({ subAccountId: sub.id, name: c.name, email: c.email }).id);
    for (const [key, c] of Object.entries(sa.calendars)) {
      const memberIds = (c.members ?? []).map((m) => need(run.users, m, 'user').id);
      run.calendars.set(key, p.createCalendar({ subAccountId: sub.id, name: c.name, type: c.type, memberIds, slotMinutes: c.slotMinutes, capacity: c.capacity }));
    }
  }
  return run;
}

function need<T>(map: Map<string, T>, key: unknown, what: string): T {
  const value = map.get(String(key));
  if (value === undefined) throw new StepFailure(`unknown ${what} "${String(key)}"; known: ${[...map.keys()].join(', ') || 'none'}`);
  return value;
}

const time = (value: unknown, what: string): number => {
  const ms = Date.parse(String(value));
  if (Number.isNaN(ms)) throw new StepFailure(`${what} is not an ISO time: ${String(value)}`);
  return ms;
};

async function runStep(run: ScenarioRun, step: Step): Promise<Failure | undefined> {
  const fail = (message: string, expected?: unknown, actual?: unknown): Failure => ({ step: step.index, action: step.kind, message, expected, actual });
  if (step.kind === 'expect') {
    let mismatches: Mismatch[];
    try {
      mismatches = checkExpectations(run, step.args);
    } catch (error) {
      return fail((error as Error).message);
    }
    const first = mismatches[0];
    return first && fail(first.message, first.expected, first.actual);
  }
  try {
    await act(run, step);
  } catch (error) {
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

async function act(run: ScenarioRun, step: Step): Promise<void> {
  const a = step.args;
  const { core, mock } = run;
  const user = () => need(run.users, a.user, 'user');
  const connection = () => need(run.connections, a.user, 'connection (connect the user first)');
  switch (step.kind) {
    case 'connect': {
      const u = user();
      const c = await core.connections.connect({ subAccountId: u.subAccountId, userId: u.id, appleId: String(a.appleId), appPassword: String(a.appPassword), serverUrl: mock.gatewayUrl });
      run.connections.set(String(a.user), c.id);
      return;
    }
    case 'refreshCalendars':
      await core.connections.refreshCalendars(connection());
      return;
    case 'disconnect':
      core.connections.disconnect(connection());
      run.connections.delete(String(a.user)); // a later connect for this user starts afresh
      return;
    case 'reconnect':
      await core.connections.reconnect(connection(), String(a.appPassword));
      return;
    case 'choose':
      core.connections.chooseCalendars(connection(), { linked: a.linked as string | undefined, conflict: a.conflict as string[] | undefined });
      return;
    case 'setSyncPreferences':
      core.connections.setSyncPreferences(connection(), {});
      return;
    case 'enableICloudSync':
      core.platform.setICloudSync(need(run.calendars, a.calendar, 'calendar').id, true);
      return;
    case 'book': {
      const event = core.book({ calendarId: need(run.calendars, a.calendar, 'calendar').id, start: time(a.start, 'start'), contactId: need(run.contacts, a.contact, 'contact'), title: a.title as string | undefined });
      if (a.as) run.events.set(String(a.as), event.id);
      return;
    }
    case 'reschedule':
      core.reschedule(need(run.events, a.event, 'event'), time(a.start, 'start'));
      return;
    case 'update': {
      const patch: Record<string, unknown> = {};
      for (const k of ['title', 'location', 'description'] as const) if (a[k] !== undefined) patch[k] = String(a[k]);
      for (const k of ['start', 'end'] as const) if (a[k] !== undefined) patch[k] = time(a[k], k);
      core.platform.updateEvent(need(run.events, a.event, 'event'), patch);
      return;
    }
    case 'cancel':
      core.cancel(need(run.events, a.event, 'event'));
      return;
    case 'deleteEvent':
      core.platform.deleteEvent(need(run.events, a.event, 'event'));
      return;
    case 'blockTime': {
      const u = user();
      const event = core.blockTime({ subAccountId: u.subAccountId, userId: u.id, start: time(a.start, 'start'), end: time(a.end, 'end'), title: String(a.title ?? 'Blocked'), allDay: a.allDay === true } as never);
      if (a.as) run.events.set(String(a.as), event.id);
      return;
    }
    case 'nameSlot': {
      const slot = findSlot(run, user(), String(a.title), a.start === undefined ? undefined : time(a.start, 'start'));
      run.events.set(String(a.as), slot.id);
      return;
    }
    case 'updateSlot':
    case 'deleteSlot': {
      const slot =
        a.slot !== undefined
          ? { id: need(run.events, a.slot, 'slot (name it with nameSlot first)') }
          : findSlot(run, user(), String(a.title), a.start === undefined ? undefined : time(a.start, 'start'));
      if (step.kind === 'deleteSlot') core.platform.deleteEvent(slot.id);
      else {
        const patch: Record<string, unknown> = {};
        if (a.newTitle !== undefined) patch.title = String(a.newTitle);
        if (a.newStart !== undefined) patch.start = time(a.newStart, 'newStart');
        if (a.newEnd !== undefined) patch.end = time(a.newEnd, 'newEnd');
        core.platform.updateEvent(slot.id, patch);
      }
      return;
    }
    case 'icloud.create': {
      const ics = a.file ? readFileSync(resolve(dirname(run.scenario.file), String(a.file)), 'utf8') : String(a.ics ?? '');
      mock.control.putEvent(String(a.account), String(a.calendar), { ics, name: a.name as string | undefined });
      return;
    }
    case 'icloud.change': {
      const event = findICloudEvent(run, String(a.account), String(a.calendar), icloudUid(run, a));
      const set = { 'LAST-MODIFIED': stamp(run.clock.now()), ...((a.set as Record<string, unknown>) ?? {}) };
      const remove = (a.remove as string[]) ?? [];
      const ics =
        a.recurrenceId === undefined
          ? editMaster(event.data, set, remove)
          : editOccurrence(event.data, { recurrenceId: String(a.recurrenceId), thisAndFuture: a.thisAndFuture === true, set, remove });
      mock.control.putEvent(String(a.account), String(a.calendar), { name: event.name, ics });
      return;
    }
    case 'icloud.move': {
      // What CalDAV clients do: there is no MOVE between calendars, so DELETE here, PUT the same data there.
      const event = findICloudEvent(run, String(a.account), String(a.from), icloudUid(run, a));
      mock.control.deleteEvent(String(a.account), String(a.from), event.name);
      mock.control.putEvent(String(a.account), String(a.to), { ics: event.data, name: a.name === undefined ? event.name : String(a.name) });
      return;
    }
    case 'icloud.delete':
      mock.control.deleteEvent(String(a.account), String(a.calendar), findICloudEvent(run, String(a.account), String(a.calendar), icloudUid(run, a)).name);
      return;
    case 'icloud.share':
      mock.control.shareCalendar({ owner: String(a.owner), calendar: String(a.calendar), sharee: String(a.with), access: (a.access as 'read-only' | 'read-write') ?? 'read-only', displayName: a.displayName as string | undefined });
      return;
    case 'icloud.subscribe':
      mock.control.subscribeCalendar(String(a.account), { name: String(a.name), displayName: String(a.displayName), source: String(a.source) });
      return;
    case 'icloud.revokePassword':
      mock.control.revokeAppPassword(String(a.account), String(a.password));
      return;
    case 'icloud.issuePassword':
      mock.control.issueAppPassword(String(a.account), { password: String(a.password) });
      return;
    case 'icloud.twoFactor':
      mock.control.setTwoFactor(String(a.account), a.enabled === true);
      return;
    case 'fault':
      mock.control.addFault(a as never);
      return;
    case 'clearFaults':
      mock.control.clearFaults();
      return;
    case 'forgetSyncTokens':
      mock.control.forgetSyncTokens();
      return;
    case 'sync': {
      const key = String(a.value ?? a.user);
      const id = need(run.connections, key, 'connection (connect the user first)');
      run.interruptAfter = a.interruptAfterRequests === undefined ? undefined : Number(a.interruptAfterRequests);
      run.loseAnswerOf = a.loseAnswerOf === undefined ? undefined : Number(a.loseAnswerOf);
      run.requests = 0;
      run.lastSync = { user: key, journalFrom: lastSeq(run), journalTo: 0 };
      try {
        run.reports.set(key, await core.sync(id));
      } finally {
        run.interruptAfter = undefined;
        run.loseAnswerOf = undefined;
        run.lastSync.journalTo = lastSeq(run);
      }
      return;
    }
    case 'poll': {
      run.lastSync = { journalFrom: lastSeq(run), journalTo: 0 };
      const reports = await core.poll();
      run.lastSync.journalTo = lastSeq(run);
      run.lastPoll = [];
      for (const report of reports) {
        const key = [...run.connections].find(([, id]) => id === report.connectionId)?.[0];
        if (key) run.reports.set(key, report);
        run.lastPoll.push(key ?? report.connectionId);
      }
      return;
    }
    case 'clock': {
      const next = a.set !== undefined ? time(a.set, 'set') : run.clock.now() + duration(String(a.advance ?? a.value));
      run.clock.set(next);
      mock.control.setClock(next);
      return;
    }
    case 'snapshot':
      run.snapshots.set(String(a.as ?? a.value), takeSnapshot(run));
      return;
    case 'expect':
      return;
  }
}

function lastSeq(run: ScenarioRun): number {
  return run.mock.control.journal().at(-1)?.seq ?? 0;
}

export function findSlot(run: ScenarioRun, user: User, title: string, start?: number): PlatformEvent {
  const all = run.core.platform.listEventsForUser(user.id, { start: -8.64e15, end: 8.64e15 });
  const candidates = all.filter((e) => e.title === title && (start === undefined || e.start === start));
  if (candidates.length !== 1) {
    // The candidates a reader needs: those with the title (any time), else everything the user has.
    const sameTitle = all.filter((e) => e.title === title);
    const shown = (sameTitle.length ? sameTitle : all).slice(0, 12).map((e) => `${e.kind} "${e.title}" ${new Date(e.start).toISOString()}`);
    throw new StepFailure(`expected exactly one event "${title}"${start !== undefined ? ` at ${new Date(start).toISOString()}` : ''} for ${user.name}, found ${candidates.length}`, { title, ...(start !== undefined ? { start: new Date(start).toISOString() } : {}) }, shown);
  }
  return candidates[0];
}

/** The UID an iCloud step names: `uid`, or `event` (a platform event key) for the event the platform pushed. */
function icloudUid(run: ScenarioRun, a: Record<string, unknown>): string {
  if (a.event !== undefined) return `${need(run.events, a.event, 'event')}@platform.icloud-sync`;
  if (a.uid === undefined) throw new StepFailure('name the iCloud event with uid (its UID) or event (a platform event key)');
  return String(a.uid);
}

function findICloudEvent(run: ScenarioRun, account: string, calendar: string, uid: string) {
  const event = run.mock.control.listEvents(account, calendar).find((e) => e.uid === uid);
  if (!event) throw new StepFailure(`no iCloud event with UID ${uid} in ${account}'s "${calendar}"`);
  return event;
}

/** `90m`, `2h`, `40d`, `1d12h`. */
export function duration(text: string): number {
  const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const parts = [...text.matchAll(/(\d+)\s*([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.replace(/\s/g, '')) throw new StepFailure(`"${text}" is not a duration like 90m, 2h or 40d`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]], 0);
}
