/**
 * `snapshot: { as }` and `expect: { sameAs: key }`: the observable state at one step, compared with
 * the state at a later one. D3 is the reason: a sync that crashed and was run again must leave
 * exactly what a run that never crashed leaves, on both sides, and nothing less than the whole
 * observable state shows that.
 *
 * Observable means what a user or iCloud sees: each user's platform events (deleted ones as
 * tombstones, so a deletion that did not happen shows), the number of recorded conflicts, and every
 * iCloud event's text. Internal ids and DTSTAMP lines (the time of writing, which a rerun moves)
 * are left out.
 */
import type { ScenarioRun } from './run-state.js';
import { unfoldedLines } from './icalendar-text/vevents.js';

export interface StateSnapshot {
  /** User key → that user's platform events, sorted, in a comparable form. */
  platform: Record<string, string[]>;
  conflicts: number;
  /** `appleId/calendar` → UID → the event's unfolded lines without DTSTAMP. */
  icloud: Record<string, Record<string, string[]>>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export async function takeSnapshot(run: ScenarioRun): Promise<StateSnapshot> {
  const platform: StateSnapshot['platform'] = {};
  for (const [key, user] of run.users) {
    platform[key] = (await run.driver.events(user.id, { includeDeleted: true }))
      .map((e) =>
        JSON.stringify({
          kind: e.kind,
          title: e.title,
          start: iso(e.start),
          end: iso(e.end),
          allDay: e.allDay,
          busy: e.busy,
          status: e.status,
          deleted: e.deleted,
          ...(e.location ? { location: e.location } : {}),
          ...(e.description ? { description: e.description } : {}),
          contacts: e.contacts,
        }),
      )
      .sort();
  }
  const icloud: StateSnapshot['icloud'] = {};
  for (const account of run.mock.control.listAccounts()) {
    // Shared calendars show the owner's events, and subscriptions hold none: owned ones say it all.
    for (const calendar of run.mock.control.listCalendars(account.appleId).filter((c) => c.kind === 'owned')) {
      const events: Record<string, string[]> = {};
      for (const e of run.mock.control.listEvents(account.appleId, calendar.name)) events[e.uid] = unfoldedLines(e.data).filter((l) => !/^DTSTAMP[;:]/i.test(l) && l !== '');
      icloud[`${account.appleId}/${calendar.name}`] = events;
    }
  }
  return { platform, conflicts: (await run.driver.conflicts()).length, icloud };
}

/**
 * What differs, as two mappings for the side-by-side report: `expected` holds what only the
 * snapshot has, `actual` what only the state now has, both keyed by where (`platform.alice`,
 * `icloud.alice@example.com/work.<UID>`). Both empty: the states are equal.
 */
export function diffSnapshots(before: StateSnapshot, now: StateSnapshot): { expected: Record<string, unknown>; actual: Record<string, unknown> } {
  const expected: Record<string, unknown> = {};
  const actual: Record<string, unknown> = {};
  const difference = (path: string, a: string[], b: string[], parse: (s: string) => unknown) => {
    const onlyA = multisetMinus(a, b);
    const onlyB = multisetMinus(b, a);
    if (onlyA.length || onlyB.length) {
      expected[path] = onlyA.map(parse);
      actual[path] = onlyB.map(parse);
    }
  };
  for (const user of union(Object.keys(before.platform), Object.keys(now.platform))) {
    difference(`platform.${user}`, before.platform[user] ?? [], now.platform[user] ?? [], (s) => JSON.parse(s));
  }
  if (before.conflicts !== now.conflicts) {
    expected.conflicts = before.conflicts;
    actual.conflicts = now.conflicts;
  }
  for (const calendar of union(Object.keys(before.icloud), Object.keys(now.icloud))) {
    const a = before.icloud[calendar] ?? {};
    const b = now.icloud[calendar] ?? {};
    for (const uid of union(Object.keys(a), Object.keys(b))) {
      const path = `icloud.${calendar}.${uid}`;
      if (!a[uid] || !b[uid]) {
        expected[path] = a[uid] ? 'present' : 'absent';
        actual[path] = b[uid] ? 'present' : 'absent';
      } else difference(path, a[uid], b[uid], (s) => s);
    }
  }
  return { expected, actual };
}

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])].sort();

/** Items of a not matched one-for-one by items of b (so two copies against one shows one extra). */
function multisetMinus(a: string[], b: string[]): string[] {
  const left = [...b];
  return a.filter((item) => {
    const at = left.indexOf(item);
    if (at < 0) return true;
    left.splice(at, 1);
    return false;
  });
}
