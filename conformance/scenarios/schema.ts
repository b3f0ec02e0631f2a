/**
 * The scenario file format (fixtures/scenarios/**.yaml), written by QA without TypeScript:
 *
 *   name: …                     what the scenario shows, in a sentence
 *   rules: [A1, A2]             the RULES.md IDs it checks
 *   given:                      the starting world
 *     now: 2026-11-21T09:00:00Z
 *     icloud: ../worlds/demo.yaml          (a world file, relative to the scenario)
 *     platform:
 *       subAccounts:
 *         - name: Acme
 *           users:     { alice: { name: Alice, email: alice@acme.test, timeZone: Europe/London } }
 *           contacts:  { carla: { name: Carla } }
 *           calendars: { massage: { name: Massage, type: service, members: [alice] } }
 *   steps:                      actions and expectations, in order (see STEP_KINDS)
 *
 * Users, contacts, calendars and booked events get short keys (alice, carla, massage, appt1) that
 * later steps use. Validation names the file, step and key of every mistake.
 */
export const STEP_KINDS = {
  // platform
  connect: 'connect a user: { user, appleId, appPassword }',
  refreshCalendars: 're-read the calendar list from iCloud (a calendar shared, subscribed or created after connecting can then be chosen): { user }',
  disconnect: 'forget the connection (nothing is deleted on either side): { user }',
  reconnect: 'replace a connection password: { user, appPassword }',
  choose: 'choose calendars: { user, linked?, conflict?: [] }',
  setSyncPreferences: 'ask for advanced sync settings: { user }',
  enableICloudSync: 'switch iCloud sync on for a platform calendar: { calendar }',
  book: 'book: { as, calendar, start, contact, title? }',
  reschedule: 'move a booking: { event, start }',
  update: 'change a platform event: { event, title?, start?, end?, location?, description? }',
  cancel: 'cancel a booking: { event }',
  deleteEvent: 'delete a platform event: { event }',
  blockTime: 'block time in the platform: { as, user, start, end, title, allDay? }',
  nameSlot: 'give a key to the one platform event of a user with this title (and start): { as, user, title, start? }',
  updateSlot: 'change a blocked slot that came from iCloud: { slot: key | user, title, start?; newTitle?, newStart?, newEnd? }',
  deleteSlot: 'delete a blocked slot that came from iCloud: { slot: key | user, title, start? }',
  // iCloud, "as if on an iPhone"
  'icloud.create': 'add an event: { account, calendar, ics | file, name? }',
  'icloud.change':
    'change an event: { account, calendar, uid | event, set: { PROPERTY: value }, remove?: [PROPERTY], recurrenceId?, thisAndFuture? }; without recurrenceId the master VEVENT changes; with it (20261130T090000Z, 20261130T090000 in the master\'s zone, or TZID=Europe/London:20261130T090000) one occurrence\'s override is added or changed (RANGE=THISANDFUTURE with thisAndFuture: true); LAST-MODIFIED becomes now unless set',
  'icloud.move': 'move an event to another calendar as CalDAV clients do (DELETE, then PUT the same data with the same UID): { account, from, to, uid | event, name? }',
  'icloud.delete': 'delete an event: { account, calendar, uid | event }',
  'icloud.share': 'share a calendar: { owner, calendar, with, access }',
  'icloud.subscribe': 'subscribe to a feed: { account, name, displayName, source }',
  'icloud.revokePassword': 'revoke an app-specific password: { account, password }',
  'icloud.issuePassword': 'issue an app-specific password: { account, password }',
  'icloud.twoFactor': 'switch two-factor authentication: { account, enabled }',
  fault: 'make the mock fail: a fault rule (kind, match, count, retryAfter, latencyMs, pageSize)',
  clearFaults: 'stop every fault: {}',
  forgetSyncTokens: "make iCloud forget every sync token: {}",
  // running
  sync: 'one sync run: user key, or { user, interruptAfterRequests?: N (the run dies before request N+1), loseAnswerOf?: N (iCloud serves request N, the run dies before its answer) }',
  poll: 'one polling cycle over every due connection: {}',
  clock: 'move time: { advance: 90m | 2h | 40d } or { set: ISO time }',
  // checking
  snapshot: 'remember the observable state (platform events, conflicts, iCloud events) under a key: { as } or a key',
  expect: 'check the state: see EXPECTATION_KINDS',
} as const;

export type StepKind = keyof typeof STEP_KINDS;

export const EXPECTATION_KINDS = {
  platform: 'events that must exist: [{ user, kind?, title?, start?, end?, allDay?, busy?, status?, origin?, description?, location?, event?, contacts?, count? }]',
  notInPlatform: 'events that must not exist: same matchers',
  icloud: 'iCloud events that must exist: [{ account, calendar, uid? | event? | summary?, contains?: [], notContains?: [], count? }]',
  notInICloud: 'iCloud events that must not exist: same matchers',
  free: 'slots that must be bookable: { user, at: [ISO], minutes? }',
  busy: 'slots that must not be bookable: { user, at: [ISO], minutes? }',
  contacts: 'number of contacts: { subAccount?, count }',
  report: 'the last sync report: { user?, outcome?, pulled?: {}, pushed?: {}, conflicts?, skipped?: [substring], errors?: [substring], fullResyncs?, retryAfterMs? }',
  connection: 'a connection: { user, status } (status none: the user has no connection)',
  conflicts:
    'recorded conflicts: { user, count?, winners?: [platform|icloud], losing?: [substring], entries?: [{ winner?, event?: key, losing?: { title?, start?: ISO, end?: ISO, deleted?, source? } }] } (each entry matches its own conflict)',
  sameAs: 'the observable state equals a snapshot taken earlier: a snapshot key',
  icloudWrites: 'PUT/DELETE requests during the last sync: { count } or a number',
  offered: 'calendars offered to choose from: { user, include?: [], exclude?: [], linked?, conflict?: [exactly these] }',
  offeredSlots: 'slots a platform calendar offers for booking: { calendar, at: [ISO], members?: [user keys free for each] }',
  notOfferedSlots: 'slots a platform calendar does not offer: { calendar, at: [ISO] }',
  polled: 'the users whose connections the last poll step synced, exactly: [user keys]',
  journal: "requests in the mock's journal (whole scenario): [{ account?, method?, status?, reason?: substring, fault?: true|false (a fault answered it), count? }] (no count: at least one)",
} as const;

export type ExpectationKind = keyof typeof EXPECTATION_KINDS;

export interface ScenarioUser {
  name: string;
  email: string;
  timeZone: string;
  workingHours?: { days: number[]; start: string; end: string };
}

export interface ScenarioCalendar {
  name: string;
  type: 'round_robin' | 'collective' | 'class_booking' | 'service' | 'simple' | 'event';
  members: string[];
  slotMinutes?: number;
  capacity?: number;
}

export interface ScenarioGiven {
  now: string;
  /** World file, relative to the scenario file, or an inline world. */
  icloud: string | Record<string, unknown>;
  platform: {
    subAccounts: Array<{
      name: string;
      users: Record<string, ScenarioUser>;
      contacts: Record<string, { name: string; email?: string }>;
      calendars: Record<string, ScenarioCalendar>;
    }>;
  };
  window?: { pastDays: number; futureDays: number };
}

export interface Step {
  kind: StepKind;
  args: Record<string, unknown>;
  /** The step must fail with an error whose code or message contains this. */
  expectError?: string;
  /** 1-based position in the file, for messages. */
  index: number;
}

export interface Scenario {
  file: string;
  name: string;
  rules: string[];
  description?: string;
  given: ScenarioGiven;
  steps: Step[];
}
