/**
 * Model-based random testing of the sync engine (issue 8): random sequences of platform actions,
 * iPhone actions (create, edit, move, delete, override an occurrence, mark free), clock moves,
 * faults and syncs interrupted at a random request; then faults are cleared, the engine runs clean
 * until it is quiet, and the result is checked against invariants derived from RULES.md.
 *
 * The model keeps only what the rules need to judge the outcome: which events the iPhone created
 * and deleted, which bookings the platform ended, which slots the platform deleted. Everything
 * else is read from the two real sides (the mock's store and the engine's platform store).
 *
 * Deterministic: fast-check draws every choice from its seed, the clock is fixed, ids are
 * sequential. A failure prints the seed and the shrunk action list that reproduce it.
 */
import fc from 'fast-check';
import ICAL from 'ical.js';
import { expandInstances, parseICalendar, utcDateTime } from '../../../icalendar/index.js';
import { syncWindow } from '../../engine/window.js';
import type { PlatformEvent } from '../../platform/model.js';
import { isUserFree } from '../../platform/availability.js';
import { at, connectAlice, createWorld, type TestWorld } from '../world.js';

const ALICE = 'alice@example.com';
const CALENDARS = ['home', 'work'] as const;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const PLATFORM_SUFFIX = '@platform.icloud-sync';

// ---- actions ----------------------------------------------------------------------------------------

export type Action =
  | { type: 'book'; pick: number }
  | { type: 'reschedule'; booking: number; pick: number }
  | { type: 'cancel'; booking: number; delete: boolean }
  | { type: 'editSlot'; slot: number }
  | { type: 'deleteSlot'; slot: number }
  | { type: 'iphoneCreate'; calendar: number; day: number; hour: number; weekly: boolean; free: boolean; far: boolean }
  | { type: 'iphoneEdit'; event: number; shiftHours: number; retitle: boolean }
  | { type: 'iphoneMove'; event: number }
  | { type: 'iphoneDelete'; event: number }
  | { type: 'iphoneOverride'; event: number; occurrence: number; shiftHours: number }
  | { type: 'iphoneFree'; event: number; free: boolean }
  | { type: 'clock'; minutes: number }
  | { type: 'sync'; interruptAfter?: number; fault?: FaultKind };

const FAULTS = ['unavailable', 'server-error', 'multiget-404', 'truncate-sync', 'touch-etags', 'reset', 'omit-etag', 'duplicate-dtstamp'] as const;
type FaultKind = (typeof FAULTS)[number];

const index = fc.nat({ max: 1000 });

export const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ type: fc.constant('book' as const), pick: index }),
  fc.record({ type: fc.constant('reschedule' as const), booking: index, pick: index }),
  fc.record({ type: fc.constant('cancel' as const), booking: index, delete: fc.boolean() }),
  fc.record({ type: fc.constant('editSlot' as const), slot: index }),
  fc.record({ type: fc.constant('deleteSlot' as const), slot: index }),
  fc.record({
    type: fc.constant('iphoneCreate' as const),
    calendar: fc.nat({ max: 1 }),
    day: fc.integer({ min: 1, max: 20 }),
    hour: fc.integer({ min: 8, max: 17 }),
    weekly: fc.boolean(),
    free: fc.boolean(),
    far: fc.boolean(),
  }),
  fc.record({ type: fc.constant('iphoneEdit' as const), event: index, shiftHours: fc.integer({ min: -3, max: 3 }), retitle: fc.boolean() }),
  fc.record({ type: fc.constant('iphoneMove' as const), event: index }),
  fc.record({ type: fc.constant('iphoneDelete' as const), event: index }),
  fc.record({ type: fc.constant('iphoneOverride' as const), event: index, occurrence: fc.nat({ max: 3 }), shiftHours: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ type: fc.constant('iphoneFree' as const), event: index, free: fc.boolean() }),
  fc.record({ type: fc.constant('clock' as const), minutes: fc.oneof(fc.integer({ min: 1, max: 120 }), fc.constantFrom(24 * 60, 40 * 24 * 60)) }),
  fc.record({ type: fc.constant('sync' as const) }),
  fc.record({ type: fc.constant('sync' as const), interruptAfter: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ type: fc.constant('sync' as const), fault: fc.constantFrom(...FAULTS) }),
);

// ---- the run -----------------------------------------------------------------------------------------

/** What the rules need to judge the outcome. */
interface Model {
  bookings: string[];
  /** UIDs the iPhone created, and those it deleted. */
  created: Map<string, { title: string }>;
  deletedOnIPhone: Set<string>;
  /** Titles ever shown by events the iPhone deleted (their slots stay, I4). */
  deletedTitles: Set<string>;
  /** Every title each iCloud event has shown while the model touched it. */
  titlesOf: Map<string, Set<string>>;
  /** UIDs of which the platform deleted a slot (the event may go from iCloud, I5 + D1). */
  slotDeleted: Set<string>;
  titles: number;
}

export interface RunOutcome {
  violations: string[];
  actions: number;
}

export async function runActions(actions: Action[]): Promise<RunOutcome> {
  const w = await createWorld();
  try {
    const connection = await connectAlice(w, { linked: 'work', conflict: ['home'] });
    const model: Model = { bookings: [], created: new Map(), deletedOnIPhone: new Set(), deletedTitles: new Set(), titlesOf: new Map(), slotDeleted: new Set(), titles: 0 };
    await w.core.sync(connection.id);
    for (const action of actions) await apply(w, connection.id, model, action);
    // Converge: no faults, no interruptions, then runs until one writes nothing.
    w.onRequest = undefined;
    w.mock.control.clearFaults();
    for (let i = 0; i < 4; i++) {
      const report = await w.core.sync(connection.id);
      const p = report.pushed;
      if (report.outcome === 'ok' && p.created + p.updated + p.deleted === 0) break;
    }
    const violations = await checkInvariants(w, model);
    // D3: one more run changes nothing on either side.
    const before = await snapshot(w);
    const report = await w.core.sync(connection.id);
    const after = await snapshot(w);
    if (report.pushed.created + report.pushed.updated + report.pushed.deleted > 0 || before !== after)
      violations.push(`D3: a run after convergence still changed something (${JSON.stringify(report.pushed)})`);
    return { violations, actions: actions.length };
  } finally {
    await w.close();
  }
}

/** Remembers the titles an event shows now, before the model changes or deletes it. */
function noteTitles(model: Model, uid: string, data: string): void {
  const titles = model.titlesOf.get(uid) ?? new Set<string>();
  for (const v of new ICAL.Component(ICAL.parse(data) as unknown[]).getAllSubcomponents('vevent')) titles.add(String(v.getFirstPropertyValue('summary') ?? ''));
  model.titlesOf.set(uid, titles);
}

function pickFrom<T>(list: T[], i: number): T | undefined {
  return list.length ? list[i % list.length] : undefined;
}

function liveEvents(w: TestWorld): Promise<PlatformEvent[]> {
  return w.core.platform.listEventsForUser(w.alice.id, { start: -8.64e15, end: 8.64e15 });
}

function iphoneEvents(w: TestWorld) {
  return CALENDARS.flatMap((calendar) => w.mock.control.listEvents(ALICE, calendar).map((e) => ({ ...e, calendar })));
}

async function apply(w: TestWorld, connectionId: string, model: Model, a: Action): Promise<void> {
  const core = w.core;
  const tolerate = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (error) {
      if ((error as { name?: string }).name !== 'PlatformError') throw error; // a refused booking is a valid outcome
    }
  };
  switch (a.type) {
    case 'book': {
      const slots = await core.calendarFreeSlots(w.calendars.service.id, { start: w.clock.now() + HOUR, end: w.clock.now() + 14 * DAY });
      const slot = pickFrom(slots, a.pick);
      if (slot)
        await tolerate(async () => model.bookings.push((await core.book({ calendarId: w.calendars.service.id, start: slot.start, contactId: w.contactId, title: `Booking ${++model.titles}` })).id));
      return;
    }
    case 'reschedule': {
      const id = pickFrom(model.bookings, a.booking);
      const event = id && (await core.platform.getEvent(id));
      if (!event || event.deleted || event.status === 'cancelled') return;
      const slot = pickFrom(await core.calendarFreeSlots(w.calendars.service.id, { start: w.clock.now() + HOUR, end: w.clock.now() + 14 * DAY }), a.pick);
      if (slot) await tolerate(() => core.reschedule(event.id, slot.start));
      return;
    }
    case 'cancel': {
      const id = pickFrom(model.bookings, a.booking);
      const event = id && (await core.platform.getEvent(id));
      if (!event || event.deleted || event.status === 'cancelled') return;
      if (a.delete) await core.platform.deleteEvent(event.id);
      else await core.cancel(event.id);
      return;
    }
    case 'editSlot':
    case 'deleteSlot': {
      const slots = (await liveEvents(w)).filter((e) => e.kind === 'blocked' && e.origin === 'icloud' && e.start >= w.clock.now());
      const slot = pickFrom(slots, a.slot);
      if (!slot) return;
      const uid = await uidOfSlot(w, connectionId, slot.id);
      if (a.type === 'deleteSlot') {
        await core.platform.deleteEvent(slot.id);
        if (uid) model.slotDeleted.add(uid);
      } else await core.platform.updateEvent(slot.id, { title: `${slot.title} (platform ${++model.titles})` });
      return;
    }
    case 'iphoneCreate': {
      const uid = `MODEL-${++model.titles}`;
      const title = `iPhone event ${model.titles}`;
      const day = Math.floor(w.clock.now() / DAY) * DAY + (a.far ? 380 : a.day) * DAY;
      const start = day + a.hour * HOUR;
      const lines = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//Apple Inc.//iPhone OS 26.1//EN',
        'BEGIN:VEVENT',
        `UID:${uid}`,
        `DTSTAMP:${utcDateTime(w.clock.now())}`,
        `LAST-MODIFIED:${utcDateTime(w.clock.now())}`,
        `DTSTART:${utcDateTime(start)}`,
        `DTEND:${utcDateTime(start + HOUR)}`,
        `SUMMARY:${title}`,
        `TRANSP:${a.free ? 'TRANSPARENT' : 'OPAQUE'}`,
        ...(a.weekly ? ['RRULE:FREQ=WEEKLY;COUNT=3'] : []),
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ];
      w.mock.control.putEvent(ALICE, CALENDARS[a.calendar]!, { ics: lines.join('\r\n') });
      model.created.set(uid, { title });
      return;
    }
    case 'iphoneEdit':
    case 'iphoneFree':
    case 'iphoneOverride': {
      const target = pickFrom(iphoneEvents(w), a.event);
      if (!target) return;
      noteTitles(model, target.uid, target.data);
      const root = new ICAL.Component(ICAL.parse(target.data) as unknown[]);
      const vevents = root.getAllSubcomponents('vevent');
      const master = vevents.find((c) => !c.hasProperty('recurrence-id'));
      if (!master) return;
      const now = w.clock.now();
      if (a.type === 'iphoneFree') {
        master.updatePropertyWithValue('transp', a.free ? 'TRANSPARENT' : 'OPAQUE');
      } else if (a.type === 'iphoneEdit') {
        shiftTimes(master, a.shiftHours);
        if (a.retitle && !target.uid.endsWith(PLATFORM_SUFFIX)) {
          const title = `iPhone event ${++model.titles}`;
          for (const v of vevents) v.updatePropertyWithValue('summary', title);
          model.created.set(target.uid, { title });
        }
      } else {
        if (!master.hasProperty('rrule')) return;
        const parsed = parseICalendar(target.data);
        const occurrence = expandInstances(parsed, { start: now, end: now + 60 * DAY })[a.occurrence];
        if (!occurrence?.recurrenceId || vevents.some((v) => v.hasProperty('recurrence-id'))) return;
        const override = new ICAL.Component(JSON.parse(JSON.stringify(master.toJSON())) as unknown[]);
        for (const p of ['rrule', 'rdate', 'exdate']) override.removeAllProperties(p);
        override.addProperty(new ICAL.Property(['recurrence-id', {}, 'date-time', new Date(occurrence.start).toISOString().replace('.000Z', 'Z')]));
        override.removeAllProperties('dtstart');
        override.removeAllProperties('dtend');
        override.addProperty(new ICAL.Property(['dtstart', {}, 'date-time', new Date(occurrence.start + a.shiftHours * HOUR).toISOString().replace('.000Z', 'Z')]));
        override.addProperty(new ICAL.Property(['dtend', {}, 'date-time', new Date(occurrence.end + a.shiftHours * HOUR).toISOString().replace('.000Z', 'Z')]));
        root.addSubcomponent(override);
      }
      for (const v of a.type === 'iphoneOverride' ? [master, vevents.at(-1)!] : [master]) {
        v.removeAllProperties('last-modified');
        v.addProperty(new ICAL.Property(['last-modified', {}, 'date-time', new Date(now).toISOString().replace('.000Z', 'Z')]));
      }
      w.mock.control.putEvent(ALICE, target.calendar, { name: target.name, ics: root.toString() });
      return;
    }
    case 'iphoneMove': {
      const target = pickFrom(iphoneEvents(w), a.event);
      if (!target) return;
      const to = target.calendar === 'home' ? 'work' : 'home';
      w.mock.control.deleteEvent(ALICE, target.calendar, target.name);
      w.mock.control.putEvent(ALICE, to, { name: target.name, ics: target.data });
      return;
    }
    case 'iphoneDelete': {
      const target = pickFrom(iphoneEvents(w), a.event);
      if (!target) return;
      w.mock.control.deleteEvent(ALICE, target.calendar, target.name);
      model.deletedOnIPhone.add(target.uid);
      noteTitles(model, target.uid, target.data);
      for (const title of model.titlesOf.get(target.uid)!) model.deletedTitles.add(title);
      return;
    }
    case 'clock':
      w.advance(a.minutes * 60_000);
      return;
    case 'sync': {
      if (a.fault) w.mock.control.addFault({ kind: a.fault, count: 2, ...(a.fault === 'truncate-sync' ? { pageSize: 1 } : {}) } as never);
      if (a.interruptAfter !== undefined) {
        let sent = 0;
        const limit = a.interruptAfter;
        w.onRequest = () => {
          if (++sent > limit) throw new Error('interrupted by the model test');
        };
      }
      try {
        await w.core.sync(connectionId);
      } finally {
        w.onRequest = undefined;
        w.mock.control.clearFaults();
      }
      return;
    }
  }
}

function shiftTimes(vevent: ICAL.Component, hours: number): void {
  for (const name of ['dtstart', 'dtend']) {
    const p = vevent.getFirstProperty(name);
    const v = p?.getFirstValue() as ICAL.Time | undefined;
    if (!p || !v) continue;
    const t = v.clone();
    t.addDuration(ICAL.Duration.fromSeconds(hours * 3600));
    p.setValue(t);
  }
}

async function uidOfSlot(w: TestWorld, connectionId: string, slotId: string): Promise<string | undefined> {
  return (await w.core.state.linkForEvent(connectionId, slotId))?.uid;
}

async function snapshot(w: TestWorld): Promise<string> {
  const platform = (await liveEvents(w)).map((e) => [e.id, e.kind, e.title, e.start, e.end, e.busy, e.status]);
  const icloud = iphoneEvents(w).map((e) => [e.calendar, e.name, e.etag]);
  return JSON.stringify({ platform, icloud });
}

// ---- invariants (RULES.md) ----------------------------------------------------------------------------

export async function checkInvariants(w: TestWorld, model: Model): Promise<string[]> {
  const out: string[] = [];
  const events = iphoneEvents(w);
  const live = await liveEvents(w);
  const window = syncWindow(w.clock.now());

  // No duplicate on the iCloud side: one object per UID in the account (UIDs are unique per home).
  const byUid = new Map<string, number>();
  for (const e of events) byUid.set(e.uid, (byUid.get(e.uid) ?? 0) + 1);
  for (const [uid, n] of byUid) if (n > 1) out.push(`duplicate in iCloud: ${n} copies of ${uid}`);

  // P1/P2/P4/D7/I4: every live booking has exactly one converged copy unless the iPhone deleted it;
  // an ended booking has none. Bookings always block their time (D7).
  for (const id of model.bookings) {
    const booking = (await w.core.platform.getEvent(id))!;
    const copies = events.filter((e) => e.uid === `${id}${PLATFORM_SUFFIX}`);
    const ended = booking.deleted || booking.status === 'cancelled';
    if (ended) {
      if (copies.length) out.push(`D7/P4: ended booking ${id} still has ${copies.length} copy in iCloud`);
      continue;
    }
    if (booking.end <= window.start) continue;
    if (model.deletedOnIPhone.has(`${id}${PLATFORM_SUFFIX}`)) {
      if (copies.length) out.push(`I4: booking ${id} deleted on the iPhone was written back`);
    } else if (copies.length !== 1) out.push(`P1: live booking ${id} has ${copies.length} copies in iCloud`);
    else {
      const instance = expandInstances(parseICalendar(copies[0]!.data), { start: -8.64e15, end: 8.64e15 }, { maxInstances: 1 })[0];
      if (!instance || instance.start !== booking.start || instance.end !== booking.end)
        out.push(`D1: booking ${id} (${iso(booking.start)}) and its copy (${instance ? iso(instance.start) : 'none'}) disagree`);
    }
    if (!booking.busy || (await isUserFree(w.core.platform, w.alice.id, booking))) out.push(`D7: booking ${id} does not block its time`);
  }

  // A1/A2/A4/D9: in the window, the live slots from iCloud are exactly the occurrences of the live
  // iCloud events (one slot per occurrence, busy as TRANSP says), plus what I4 keeps.
  const inWindow = (s: { start: number }) => s.start >= window.start && s.start < window.end;
  const want = new Map<string, number>();
  for (const e of events) {
    if (e.uid.endsWith(PLATFORM_SUFFIX)) continue;
    for (const i of expandInstances(parseICalendar(e.data), window, { defaultZone: 'Europe/London' })) {
      if (i.cancelled || !inWindow(i)) continue;
      const key = `"${i.summary ?? ''}" ${iso(i.start)}-${iso(i.end)} busy=${!i.transparent}`;
      want.set(key, (want.get(key) ?? 0) + 1);
    }
  }
  for (const s of live) {
    if (s.kind !== 'blocked' || s.origin !== 'icloud' || !inWindow(s)) continue;
    const key = `"${s.title}" ${iso(s.start)}-${iso(s.end)} busy=${s.busy}`;
    const n = want.get(key) ?? 0;
    if (n > 0) {
      want.set(key, n - 1);
      continue;
    }
    // Not an occurrence of anything live: only an event deleted in iCloud may leave one (I4).
    if (!model.deletedTitles.has(s.title.replace(/( \(platform \d+\))+$/, '')) && !model.deletedTitles.has(s.title)) out.push(`D9/A4: slot ${key} matches no occurrence of a live iCloud event`);
  }
  for (const [key, n] of want) if (n > 0) out.push(`A4/I1: occurrence ${key} has no slot${n > 1 ? ` (${n} times)` : ''}`);
  // Nothing lost: what the iPhone created and did not delete is still in iCloud, unless the
  // platform deleted its slot (I5; D1 may let that deletion win).
  for (const [uid] of model.created) {
    if (model.deletedOnIPhone.has(uid) || model.slotDeleted.has(uid)) continue;
    if (!byUid.has(uid)) out.push(`lost: iPhone event ${uid} is gone from iCloud`);
  }
  // I1/I2: nothing from iCloud became an appointment or a contact.
  if (live.some((e) => e.kind === 'appointment' && e.origin === 'icloud')) out.push('I1: an iCloud event became an appointment');
  if ((await w.core.platform.listContacts(w.subAccountId)).length !== 1) out.push('I2: contacts were created from iCloud');
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Runs the property: `runs` random sequences of up to `maxActions` actions each. */
export async function checkModel(options: { seed: number; runs: number; maxActions: number; interruptAfterMs?: number }): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(actionArbitrary, { minLength: 1, maxLength: options.maxActions }), async (actions) => {
      const { violations } = await runActions(actions);
      if (violations.length) throw new Error(`invariants broken:\n  ${violations.join('\n  ')}`);
    }),
    { seed: options.seed, numRuns: options.runs, interruptAfterTimeLimit: options.interruptAfterMs, markInterruptAsFailure: false, endOnFailure: false },
  );
}

export { at };
