/**
 * The checks an `expect:` step can make (schema.ts EXPECTATION_KINDS). Each mismatch carries what
 * the scenario expected and what was actually there, for the side-by-side failure report.
 */
import { busyIntervals } from '../../sync-core/platform/availability.js';
import type { PlatformEvent } from '../../sync-core/platform/model.js';
import { checkConflicts } from './conflicts-check.js';
import type { ScenarioRun } from './runner.js';
import { diffSnapshots, takeSnapshot } from './snapshot.js';

export interface Mismatch {
  message: string;
  expected: unknown;
  actual: unknown;
}

type Args = Record<string, unknown>;
const list = (v: unknown): Args[] => (Array.isArray(v) ? (v as Args[]) : v === undefined ? [] : [v as Args]);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const ms = (v: unknown) => {
  const t = Date.parse(String(v));
  if (Number.isNaN(t)) throw new Error(`"${String(v)}" is not an ISO time`);
  return t;
};

function describeEvent(e: PlatformEvent) {
  return {
    kind: e.kind,
    title: e.title,
    start: iso(e.start),
    end: iso(e.end),
    allDay: e.allDay,
    busy: e.busy,
    status: e.status,
    origin: e.origin,
    contacts: e.contactIds.length,
    ...(e.location ? { location: e.location } : {}),
    ...(e.description ? { description: e.description } : {}),
  };
}

function platformMatches(run: ScenarioRun, m: Args): { matches: PlatformEvent[]; pool: PlatformEvent[] } {
  const user = run.users.get(String(m.user));
  if (!user) throw new Error(`platform: unknown user "${String(m.user)}"`);
  const pool = run.core.platform.listEventsForUser(user.id, { start: -8.64e15, end: 8.64e15 });
  const eventId = m.event === undefined ? undefined : run.events.get(String(m.event));
  if (m.event !== undefined && !eventId) throw new Error(`platform: unknown event key "${String(m.event)}"`);
  const matches = pool.filter(
    (e) =>
      (eventId === undefined || e.id === eventId) &&
      (m.kind === undefined || e.kind === m.kind) &&
      (m.title === undefined || e.title === String(m.title)) &&
      (m.start === undefined || e.start === ms(m.start)) &&
      (m.end === undefined || e.end === ms(m.end)) &&
      (m.allDay === undefined || e.allDay === m.allDay) &&
      (m.busy === undefined || e.busy === m.busy) &&
      (m.status === undefined || e.status === m.status) &&
      (m.origin === undefined || e.origin === m.origin) &&
      (m.description === undefined || (e.description ?? '') === String(m.description)) &&
      (m.location === undefined || (e.location ?? '') === String(m.location)) &&
      (m.contacts === undefined || e.contactIds.length === Number(m.contacts)),
  );
  return { matches, pool };
}

function icloudMatches(run: ScenarioRun, m: Args) {
  const events = run.mock.control.listEvents(String(m.account), String(m.calendar));
  const uid = m.event !== undefined ? `${run.events.get(String(m.event))}@platform.icloud-sync` : (m.uid as string | undefined);
  const unfold = (s: string) => s.replace(/\r\n[ \t]/g, '');
  const missing = (data: string) => list(m.contains).map(String).filter((s) => !data.includes(s));
  const unwanted = (data: string) => list(m.notContains).map(String).filter((s) => data.includes(s));
  const matches = events.filter((e) => {
    const data = unfold(e.data);
    return (
      (uid === undefined || e.uid === uid) &&
      (m.summary === undefined || data.split('\r\n').some((l) => l === `SUMMARY:${String(m.summary)}`)) &&
      missing(data).length === 0 &&
      unwanted(data).length === 0
    );
  });
  // For a failure report: every event, and for those with the right UID what their text lacks or has.
  const pool = events.map((e) => {
    const data = unfold(e.data);
    const summary = /SUMMARY:([^\r\n]*)/.exec(data)?.[1];
    const named = uid !== undefined && e.uid === uid;
    return { name: e.name, uid: e.uid, summary, ...(named && missing(data).length ? { lacks: missing(data) } : {}), ...(named && unwanted(data).length ? { has: unwanted(data) } : {}) };
  });
  return { matches, pool };
}

/** At most 12 items, and how many more there were. */
function few<T>(items: T[]): Array<T | string> {
  return items.length > 12 ? [...items.slice(0, 12), `… and ${items.length - 12} more`] : items;
}

/** The pool of events nearest the matcher, so a failure shows what was there instead. */
function near(pool: PlatformEvent[], m: Args) {
  const close = pool.filter((e) => (m.title !== undefined && e.title === m.title) || (m.start !== undefined && Math.abs(e.start - ms(m.start)) < 86_400_000));
  return (close.length ? close : pool).slice(0, 12).map(describeEvent);
}

function pick(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

export function checkExpectations(run: ScenarioRun, expect: Args): Mismatch[] {
  const out: Mismatch[] = [];
  for (const m of list(expect.platform)) {
    const { matches, pool } = platformMatches(run, m);
    const count = m.count === undefined ? 1 : Number(m.count);
    if (matches.length !== count) out.push({ message: `expected ${count} platform event(s) like this for ${String(m.user)}, found ${matches.length}`, expected: m, actual: matches.length ? few(matches.map(describeEvent)) : near(pool, m) });
  }
  for (const m of list(expect.notInPlatform)) {
    const { matches } = platformMatches(run, m);
    if (matches.length) out.push({ message: `expected no platform event like this for ${String(m.user)}`, expected: m, actual: matches.map(describeEvent) });
  }
  for (const m of list(expect.icloud)) {
    const { matches, pool } = icloudMatches(run, m);
    const count = m.count === undefined ? 1 : Number(m.count);
    if (matches.length !== count) out.push({ message: `expected ${count} iCloud event(s) like this in ${String(m.account)}'s "${String(m.calendar)}", found ${matches.length}`, expected: m, actual: pool });
  }
  for (const m of list(expect.notInICloud)) {
    const { matches } = icloudMatches(run, m);
    if (matches.length) out.push({ message: `expected no iCloud event like this in ${String(m.account)}'s "${String(m.calendar)}"`, expected: m, actual: matches.map((e) => ({ name: e.name, uid: e.uid })) });
  }
  for (const [kind, wantFree] of [['free', true], ['busy', false]] as const) {
    const spec = expect[kind] as Args | undefined;
    if (!spec) continue;
    const user = run.users.get(String(spec.user));
    if (!user) throw new Error(`${kind}: unknown user "${String(spec.user)}"`);
    const minutes = Number(spec.minutes ?? 30);
    for (const at of list(spec.at).map((v) => ms(v))) {
      const slot = { start: at, end: at + minutes * 60_000 };
      const blocking = busyIntervals(run.core.platform, user.id, slot);
      const bookable = run.core.freeSlots(user.id, slot, minutes).some((s) => s.start === at);
      const ok = wantFree ? bookable : blocking.length > 0;
      if (!ok) {
        out.push({
          message: wantFree ? `expected ${String(spec.user)} to be free at ${iso(at)} for ${minutes} min` : `expected ${String(spec.user)} to be busy at ${iso(at)}`,
          expected: { [kind]: iso(at) },
          actual: { bookable, blockedBy: blocking.map((b) => run.core.platform.getEvent(b.eventId)).map((e) => e && describeEvent(e)) },
        });
      }
    }
  }
  if (expect.contacts !== undefined) {
    const spec = expect.contacts as Args;
    const subs = spec.subAccount !== undefined ? [run.subAccounts.get(String(spec.subAccount))!] : [...run.subAccounts.values()];
    const contacts = subs.flatMap((id) => run.core.platform.listContacts(id));
    if (contacts.length !== Number(spec.count)) out.push({ message: 'unexpected number of contacts', expected: spec.count, actual: contacts.map((c) => c.name) });
  }
  if (expect.report !== undefined) {
    const spec = expect.report as Args;
    const key = String(spec.user ?? run.lastSync.user ?? [...run.reports.keys()].at(-1));
    const report = run.reports.get(key);
    if (!report) throw new Error(`report: no sync has run for "${key}"`);
    const expected: Record<string, unknown> = {};
    const actual: Record<string, unknown> = {};
    let bad = false;
    for (const [k, v] of Object.entries(spec)) {
      if (k === 'user') continue;
      if (k === 'skipped' || k === 'errors') {
        const texts = (k === 'skipped' ? report.skipped.map((s) => s.reason) : report.errors.map((e) => e.message));
        for (const needle of list(v).map(String)) if (!texts.some((t) => t.includes(needle))) bad = true;
        expected[k] = v;
        actual[k] = texts;
      } else if (k === 'conflicts' || k === 'fullResyncs') {
        expected[k] = v;
        actual[k] = report[k].length;
        if (report[k].length !== Number(v)) bad = true;
      } else if (typeof v === 'object' && v !== null) {
        for (const [sub, n] of Object.entries(v)) {
          expected[`${k}.${sub}`] = n;
          actual[`${k}.${sub}`] = pick(report, `${k}.${sub}`);
          if (pick(report, `${k}.${sub}`) !== n) bad = true;
        }
      } else {
        expected[k] = v;
        actual[k] = pick(report, k);
        if (pick(report, k) !== v) bad = true;
      }
    }
    // The run's errors explain most surprises, so they are shown even when not asked about.
    if (bad && !('errors' in spec) && report.errors.length) actual.errors = report.errors.map((e) => e.message);
    if (bad) out.push({ message: `the last sync report for ${key} differs`, expected, actual });
  }
  if (expect.connection !== undefined) {
    const spec = expect.connection as Args;
    const user = run.users.get(String(spec.user));
    if (!user) throw new Error(`connection: unknown user "${String(spec.user)}"`);
    // What the sync core has stored, not what the scenario connected: a refused connect stores none.
    const connection = run.core.state.findConnection(user.subAccountId, user.id);
    const ok = spec.status === 'none' ? !connection : !!connection && (spec.status === undefined || connection.status === spec.status);
    if (!ok) out.push({ message: `connection of ${String(spec.user)} differs`, expected: spec, actual: connection ? { status: connection.status, reason: connection.statusReason } : { status: 'none' } });
  }
  if (expect.conflicts !== undefined) out.push(...checkConflicts(run, expect.conflicts as Args));
  if (expect.sameAs !== undefined) {
    const key = String(expect.sameAs);
    const before = run.snapshots.get(key);
    if (!before) throw new Error(`sameAs: no snapshot "${key}"; taken so far: ${[...run.snapshots.keys()].join(', ') || 'none'}`);
    const { expected, actual } = diffSnapshots(before, takeSnapshot(run));
    if (Object.keys(expected).length) out.push({ message: `the state differs from snapshot "${key}" (only in the snapshot ← → only now)`, expected, actual });
  }
  if (expect.icloudWrites !== undefined) {
    const want = typeof expect.icloudWrites === 'number' ? expect.icloudWrites : Number((expect.icloudWrites as Args).count);
    const writes = run.mock.control
      .journal({ since: run.lastSync.journalFrom })
      .filter((e) => e.seq <= run.lastSync.journalTo && (e.method === 'PUT' || e.method === 'DELETE'));
    if (writes.length !== want) out.push({ message: 'unexpected number of writes to iCloud during the last sync', expected: want, actual: writes.map((e) => `${e.method} ${e.path} → ${e.status}`) });
  }
  if (expect.offered !== undefined) {
    const spec = expect.offered as Args;
    const id = run.connections.get(String(spec.user));
    const offered = id ? run.core.connections.offered(id) : [];
    const names = offered.map((c) => c.displayName);
    const linked = offered.find((c) => c.isLinked)?.displayName;
    const conflict = offered.filter((c) => c.isConflict).map((c) => c.displayName).sort();
    const missing = list(spec.include).map(String).filter((n) => !names.includes(n));
    const extra = list(spec.exclude).map(String).filter((n) => names.includes(n));
    const badLinked = spec.linked !== undefined && String(spec.linked) !== linked;
    const badConflict = spec.conflict !== undefined && JSON.stringify(list(spec.conflict).map(String).sort()) !== JSON.stringify(conflict);
    if (missing.length || extra.length || badLinked || badConflict) {
      const { user: _user, ...expected } = spec;
      out.push({ message: `calendars offered to ${String(spec.user)} differ`, expected, actual: { offered: names, linked, conflict } });
    }
  }
  for (const [kind, wantOffered] of [['offeredSlots', true], ['notOfferedSlots', false]] as const) {
    const spec = expect[kind] as Args | undefined;
    if (!spec) continue;
    const calendar = run.calendars.get(String(spec.calendar));
    if (!calendar) throw new Error(`${kind}: unknown calendar "${String(spec.calendar)}"`);
    const memberKey = (id: string) => [...run.users].find(([, u]) => u.id === id)?.[0] ?? id;
    for (const at of list(spec.at).map((v) => ms(v))) {
      const slot = run.core.calendarFreeSlots(calendar.id, { start: at, end: at + calendar.slotMinutes * 60_000 }).find((s) => s.start === at);
      const members = slot?.freeUserIds.map(memberKey);
      const ok = wantOffered ? !!slot && (spec.members === undefined || JSON.stringify(members) === JSON.stringify(list(spec.members).map(String))) : !slot;
      if (!ok) {
        out.push({
          message: wantOffered ? `expected calendar ${String(spec.calendar)} to offer ${iso(at)}` : `expected calendar ${String(spec.calendar)} not to offer ${iso(at)}`,
          expected: { at: iso(at), offered: wantOffered, ...(spec.members !== undefined ? { members: spec.members } : {}) },
          actual: { at: iso(at), offered: !!slot, ...(members ? { members } : {}) },
        });
      }
    }
  }
  if (expect.polled !== undefined) {
    const want = list(expect.polled).map(String);
    const got = run.lastPoll;
    if (!got) throw new Error('polled: no poll step has run');
    if (JSON.stringify([...got].sort()) !== JSON.stringify([...want].sort())) out.push({ message: 'the last poll synced other connections', expected: want, actual: got });
  }
  for (const m of list(expect.journal)) {
    const entries = run.mock.control
      .journal({ account: m.account as string | undefined, method: m.method as string | undefined, status: m.status === undefined ? undefined : Number(m.status) })
      .filter((e) => (m.reason === undefined || (e.reason ?? '').includes(String(m.reason))) && (m.fault === undefined || !!e.fault === (m.fault === true)));
    const ok = m.count === undefined ? entries.length > 0 : entries.length === Number(m.count);
    if (!ok) {
      const { count, ...match } = m;
      out.push({ message: `expected ${count === undefined ? 'at least one' : String(count)} journal entr(ies) like this`, expected: m, actual: run.mock.control.journal({ account: match.account as string | undefined }).filter((e) => e.status >= 400).map((e) => `${e.method} ${e.path} → ${e.status}${e.reason ? ` (${e.reason})` : ''}`).slice(-12) });
    }
  }
  return out;
}
