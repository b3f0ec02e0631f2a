/**
 * The HTTP driver protocol, version 1: every SyncEngineDriver operation as one POST /v1/<operation>
 * whose JSON body and JSON answer are the zod schemas below. The server (http-server.ts), the
 * client (http-driver.ts) and the JSON Schemas in schemas/ (npm run schemas) all come from this one
 * table, so an adapter written from PROTOCOL.md in another language talks exactly what the harness
 * speaks. Requests are strict (a misspelt key is refused); answers may carry more keys than listed,
 * which the harness ignores, so an adapter can add its own detail.
 */
import { z } from 'zod';
import { CALENDAR_TYPES, DRIVER_CAPABILITIES, type SyncEngineDriver } from './driver.js';

export const PROTOCOL_VERSION = 1;
export const PREFIX = `/v${PROTOCOL_VERSION}`;

// ---- vocabulary ------------------------------------------------------------------------------

const epochMs = z.number().int().describe('a time, as integer milliseconds since 1970-01-01T00:00:00Z');
const id = (what: string) => z.string().min(1).describe(`the engine's own id of a ${what} (opaque to the harness)`);
const session = z.string().min(1).describe('the session from POST /v1/open: one fresh engine for one scenario');
const count = z.number().int().min(0);

export const errorCode = z
  .string()
  .min(1)
  .describe('the rule-relevant reason, e.g. apple-id-in-other-sub-account, slot-unavailable, read-only-linked-calendar; engine-error when the engine gave none');

/** Every answer that is not 200: the harness throws it to the scenario step, which may expect it. */
export const errorAnswer = z.object({ error: z.object({ code: errorCode, message: z.string().describe('what happened, fit to show a person') }) });

export const capabilitiesAnswer = z.object({
  protocol: z.literal(PROTOCOL_VERSION).describe('the protocol version the adapter speaks'),
  name: z.string().min(1).describe('the engine, as reports name it (e.g. sync-core)'),
  capabilities: z.array(z.enum(DRIVER_CAPABILITIES)).describe('what the engine can do; a scenario needing anything else is skipped, naming it'),
});

const workingHours = z.strictObject({
  days: z.array(z.number().int().min(1).max(7)).describe('ISO weekdays, 1 = Monday'),
  start: z.string().describe('HH:MM in the user’s zone'),
  end: z.string().describe('HH:MM in the user’s zone'),
});

export const driverEvent = z.object({
  id: id('platform event'),
  kind: z.enum(['appointment', 'blocked']),
  title: z.string(),
  description: z.string().optional(),
  location: z.string().optional(),
  start: epochMs,
  end: epochMs,
  allDay: z.boolean(),
  busy: z.boolean().describe('whether it makes its time unavailable'),
  status: z.enum(['confirmed', 'cancelled']),
  origin: z.enum(['platform', 'icloud']).describe('where the event was first made'),
  contacts: count.describe('number of contacts (appointments have at least one, blocked slots none)'),
  deleted: z.boolean().describe('a tombstone (only listed with includeDeleted)'),
});

const range = z.object({ start: epochMs, end: epochMs });

export const syncReport = z.object({
  connectionId: id('connection'),
  outcome: z.enum(['ok', 'partial', 'failed', 'skipped']),
  pulled: z.object({ created: count, updated: count, unchanged: count, remoteDeletionsKept: count, echoesIgnored: count }),
  pushed: z.object({ created: count, updated: count, deleted: count, adopted: count }),
  conflicts: z.array(z.object({ eventId: id('platform event'), winner: z.enum(['platform', 'icloud']) })),
  skipped: z.array(z.object({ reason: z.string() })),
  errors: z.array(z.object({ message: z.string(), code: z.string().optional() })),
  fullResyncs: z.array(z.string()).describe('calendars listed in full (after a forgotten sync token)'),
  retryAfterMs: z.number().optional().describe('how long iCloud asked the engine to wait (Retry-After)'),
});

const nothing = z.object({});
const created = z.object({ id: z.string().min(1).describe("the engine's id of what was made") });

// ---- operations ------------------------------------------------------------------------------

export interface Operation<R extends z.ZodType = z.ZodType, A extends z.ZodType = z.ZodType> {
  /** What it does, for PROTOCOL.md and the JSON Schemas. */
  doc: string;
  /** The body of POST /v1/<name> (the session, then the operation's own keys). */
  request: R;
  /** The 200 answer. */
  answer: A;
  /** How the generic server carries the request out on any SyncEngineDriver. */
  serve(driver: SyncEngineDriver, request: z.output<R>): Promise<z.input<A>>;
}

function operation<S extends Record<string, z.ZodType>, A extends z.ZodType>(definition: {
  doc: string;
  request: S;
  answer: A;
  serve(driver: SyncEngineDriver, request: z.output<z.ZodObject<S>>): Promise<z.input<A>>;
}) {
  const request = z.strictObject({ session, ...definition.request });
  return { doc: definition.doc, request, answer: definition.answer, serve: definition.serve as unknown as Operation<typeof request, A>['serve'] };
}

const done = async (work: Promise<void>) => {
  await work;
  return {};
};

/** Opening and closing a session are the protocol's own; every other operation is a driver method. */
export const OPERATIONS = {
  createSubAccount: operation({
    doc: 'make a sub-account (a tenant of the platform)',
    request: { name: z.string().min(1) },
    answer: created,
    serve: async (d, r) => ({ id: await d.createSubAccount({ name: r.name }) }),
  }),
  createUser: operation({
    doc: 'make a user in a sub-account',
    request: {
      subAccountId: id('sub-account'),
      name: z.string().min(1),
      email: z.string().min(1),
      timeZone: z.string().min(1).describe('IANA zone, e.g. Europe/London'),
      workingHours: workingHours.optional(),
    },
    answer: created,
    serve: async (d, init) => ({ id: await d.createUser(init) }),
  }),
  createContact: operation({
    doc: 'make a contact (a client who books) in a sub-account',
    request: { subAccountId: id('sub-account'), name: z.string().min(1), email: z.string().optional() },
    answer: created,
    serve: async (d, init) => ({ id: await d.createContact(init) }),
  }),
  createCalendar: operation({
    doc: 'make a booking calendar of a type, with its members; answers its id and slot length',
    request: {
      subAccountId: id('sub-account'),
      name: z.string().min(1),
      type: z.enum(CALENDAR_TYPES).describe('the platform calendar type (RULES.md); only types the adapter lists as calendar-type:<type> are sent'),
      memberIds: z.array(id('user')),
      slotMinutes: z.number().int().min(1).optional(),
      capacity: z.number().int().min(1).optional(),
    },
    answer: z.object({ id: id('calendar'), slotMinutes: z.number().int().min(1) }),
    serve: async (d, init) => d.createCalendar(init),
  }),
  setClock: operation({
    doc: "set the engine's clock (the harness moves the mock's with it); the engine must read time only from this clock",
    request: { now: epochMs },
    answer: nothing,
    serve: (d, r) => done(d.setClock(r.now)),
  }),
  connect: operation({
    doc: 'connect a user to iCloud at serverUrl (the mock) with an Apple ID and app-specific password (C1–C3); answers the connection id',
    request: { userId: id('user'), appleId: z.string().min(1), appPassword: z.string().min(1), serverUrl: z.url().describe("the mock's gateway URL, as a user would type caldav.icloud.com") },
    answer: created,
    serve: async (d, init) => ({ id: await d.connect(init) }),
  }),
  reconnect: operation({
    doc: "replace a connection's app-specific password (after a revocation)",
    request: { connectionId: id('connection'), appPassword: z.string().min(1) },
    answer: nothing,
    serve: (d, r) => done(d.reconnect(r.connectionId, r.appPassword)),
  }),
  refreshCalendars: operation({
    doc: 'read the calendar list from iCloud again',
    request: { connectionId: id('connection') },
    answer: nothing,
    serve: (d, r) => done(d.refreshCalendars(r.connectionId)),
  }),
  chooseCalendars: operation({
    doc: 'choose the linked calendar and the conflict calendars, each by display name, collection name or URL (C4–C6); linked: null unlinks',
    request: { connectionId: id('connection'), linked: z.string().nullable().optional(), conflict: z.array(z.string()).optional() },
    answer: nothing,
    serve: (d, { connectionId, linked, conflict }) => done(d.chooseCalendars(connectionId, { ...(linked !== undefined ? { linked } : {}), ...(conflict ? { conflict } : {}) })),
  }),
  disconnect: operation({
    doc: 'forget the connection; nothing is deleted on either side',
    request: { connectionId: id('connection') },
    answer: nothing,
    serve: (d, r) => done(d.disconnect(r.connectionId)),
  }),
  setSyncPreferences: operation({
    doc: 'ask for advanced sync settings (C7: refuse with sync-preferences-not-supported)',
    request: { connectionId: id('connection'), preferences: z.record(z.string(), z.unknown()) },
    answer: nothing,
    serve: (d, r) => done(d.setSyncPreferences(r.connectionId, r.preferences)),
  }),
  enableICloudSync: operation({
    doc: 'switch iCloud sync on for a platform calendar (T2: refuse simple and event calendars with calendar-type-not-supported)',
    request: { calendarId: id('calendar') },
    answer: nothing,
    serve: (d, r) => done(d.enableICloudSync(r.calendarId)),
  }),
  book: operation({
    doc: 'book an appointment for a contact at start (the calendar decides the length and who); refuse a busy slot with slot-unavailable (A3)',
    request: { calendarId: id('calendar'), start: epochMs, contactId: id('contact'), title: z.string().optional() },
    answer: created,
    serve: async (d, init) => ({ id: await d.book(init) }),
  }),
  reschedule: operation({
    doc: 'move a booking to another start, keeping its length',
    request: { eventId: id('platform event'), start: epochMs },
    answer: nothing,
    serve: (d, r) => done(d.reschedule(r.eventId, r.start)),
  }),
  update: operation({
    doc: 'change a platform event; only the keys given change',
    request: {
      eventId: id('platform event'),
      patch: z.strictObject({ title: z.string().optional(), start: epochMs.optional(), end: epochMs.optional(), location: z.string().optional(), description: z.string().optional() }),
    },
    answer: nothing,
    serve: (d, r) => done(d.update(r.eventId, r.patch)),
  }),
  cancel: operation({
    doc: 'cancel a booking (final: it stays cancelled)',
    request: { eventId: id('platform event') },
    answer: nothing,
    serve: (d, r) => done(d.cancel(r.eventId)),
  }),
  deleteEvent: operation({
    doc: 'delete a platform event',
    request: { eventId: id('platform event') },
    answer: nothing,
    serve: (d, r) => done(d.deleteEvent(r.eventId)),
  }),
  blockTime: operation({
    doc: "block time in a user's platform calendar",
    request: { userId: id('user'), start: epochMs, end: epochMs, title: z.string(), allDay: z.boolean() },
    answer: created,
    serve: async (d, init) => ({ id: await d.blockTime(init) }),
  }),
  updateSlot: operation({
    doc: 'change a blocked slot (usually one imported from iCloud); only the keys given change',
    request: { eventId: id('platform event'), patch: z.strictObject({ title: z.string().optional(), start: epochMs.optional(), end: epochMs.optional() }) },
    answer: nothing,
    serve: (d, r) => done(d.updateSlot(r.eventId, r.patch)),
  }),
  deleteSlot: operation({
    doc: 'delete a blocked slot (usually one imported from iCloud)',
    request: { eventId: id('platform event') },
    answer: nothing,
    serve: (d, r) => done(d.deleteSlot(r.eventId)),
  }),
  sync: operation({
    doc: 'one sync run of a connection, answering its report; interruptAfterRequests: N, the run dies before sending HTTP request N+1 to iCloud (capability crash-before-request); loseAnswerOf: N, request N reaches iCloud and the run dies before reading its answer (crash-after-request). A run that dies answers its report (outcome failed) or an error',
    request: {
      connectionId: id('connection'),
      interruptAfterRequests: z.number().int().min(0).optional(),
      loseAnswerOf: z.number().int().min(1).optional(),
    },
    answer: z.object({ report: syncReport }),
    serve: async (d, { connectionId, interruptAfterRequests, loseAnswerOf }) => ({
      report: await d.sync(connectionId, { ...(interruptAfterRequests !== undefined ? { interruptAfterRequests } : {}), ...(loseAnswerOf !== undefined ? { loseAnswerOf } : {}) }),
    }),
  }),
  poll: operation({
    doc: 'one polling cycle: sync every connection that is due by the engine clock, answering their reports (capability poll)',
    request: {},
    answer: z.object({ reports: z.array(syncReport) }),
    serve: async (d) => ({ reports: await d.poll() }),
  }),
  events: operation({
    doc: 'every event of the user (appointments and blocked slots, any origin); tombstones only with includeDeleted',
    request: { userId: id('user'), includeDeleted: z.boolean().optional() },
    answer: z.object({ events: z.array(driverEvent) }),
    serve: async (d, r) => ({ events: await d.events(r.userId, { includeDeleted: r.includeDeleted }) }),
  }),
  busy: operation({
    doc: "the user's events that make some of [start, end) unavailable",
    request: { userId: id('user'), start: epochMs, end: epochMs },
    answer: z.object({ events: z.array(driverEvent) }),
    serve: async (d, r) => ({ events: await d.busy(r.userId, { start: r.start, end: r.end }) }),
  }),
  freeSlots: operation({
    doc: 'the slots of `minutes` in [start, end) at which the user can be booked',
    request: { userId: id('user'), start: epochMs, end: epochMs, minutes: z.number().int().min(1) },
    answer: z.object({ slots: z.array(range) }),
    serve: async (d, r) => ({ slots: await d.freeSlots(r.userId, { start: r.start, end: r.end }, r.minutes) }),
  }),
  offeredSlots: operation({
    doc: 'the slots a booking calendar offers in [start, end), each with the members free for it',
    request: { calendarId: id('calendar'), start: epochMs, end: epochMs },
    answer: z.object({ slots: z.array(range.extend({ freeUserIds: z.array(id('user')) })) }),
    serve: async (d, r) => ({ slots: await d.offeredSlots(r.calendarId, { start: r.start, end: r.end }) }),
  }),
  contacts: operation({
    doc: 'the contacts of a sub-account (iCloud must never add any: I3)',
    request: { subAccountId: id('sub-account') },
    answer: z.object({ contacts: z.array(z.object({ id: id('contact'), name: z.string() })) }),
    serve: async (d, r) => ({ contacts: await d.contacts(r.subAccountId) }),
  }),
  connection: operation({
    doc: "the user's connection: status active, or reconnect_required after a revoked password (C1); null when there is none",
    request: { userId: id('user') },
    answer: z.object({ connection: z.object({ id: id('connection'), status: z.string(), reason: z.string().optional() }).nullable() }),
    serve: async (d, r) => ({ connection: (await d.connection(r.userId)) ?? null }),
  }),
  offeredCalendars: operation({
    doc: 'the calendars offered to the user to choose from, and which are chosen',
    request: { connectionId: id('connection') },
    answer: z.object({ calendars: z.array(z.object({ url: z.string(), displayName: z.string(), access: z.enum(['writable', 'read-only']), isLinked: z.boolean(), isConflict: z.boolean() })) }),
    serve: async (d, r) => ({ calendars: await d.offeredCalendars(r.connectionId) }),
  }),
  conflicts: operation({
    doc: 'conflicts recorded (D1), of one connection or of all, in the order recorded; losingChange holds the change that lost (title, start, end as epoch ms, deleted, source)',
    request: { connectionId: id('connection').optional() },
    answer: z.object({ conflicts: z.array(z.object({ eventId: id('platform event'), winner: z.enum(['platform', 'icloud']), losingChange: z.record(z.string(), z.unknown()) })) }),
    serve: async (d, r) => ({ conflicts: await d.conflicts(r.connectionId) }),
  }),
  lastReport: operation({
    doc: "the report of the connection's last sync run, or null",
    request: { connectionId: id('connection') },
    answer: z.object({ report: syncReport.nullable() }),
    serve: async (d, r) => ({ report: (await d.lastReport(r.connectionId)) ?? null }),
  }),
  icloudUid: operation({
    doc: 'the UID the engine gives (or will give) the iCloud copy of a platform event, so scenarios can find it in iCloud',
    request: { eventId: id('platform event') },
    answer: z.object({ uid: z.string().min(1) }),
    serve: async (d, r) => ({ uid: await d.icloudUid(r.eventId) }),
  }),
} satisfies Record<string, Operation<z.ZodObject, z.ZodType>>;

export type OperationName = keyof typeof OPERATIONS;
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

/** Starting and ending one scenario's engine: not driver methods, so not in OPERATIONS. */
export const SESSION = {
  open: {
    doc: 'make a fresh engine for one scenario (its own empty state) with its clock at now; window, when a scenario sets one, is the sync window in days (capability sync-window)',
    request: z.strictObject({ now: epochMs, window: z.strictObject({ pastDays: z.number().int().min(0), futureDays: z.number().int().min(0) }).optional() }),
    answer: z.object({ session }),
  },
  close: {
    doc: 'end a session and free its engine; the harness closes every session it opens',
    request: z.strictObject({ session }),
    answer: nothing,
  },
};

export type Request<K extends OperationName> = z.input<(typeof OPERATIONS)[K]['request']>;
export type Answer<K extends OperationName> = z.output<(typeof OPERATIONS)[K]['answer']>;
