/**
 * `expect: { conflicts: … }`: the conflicts the engine recorded for a user's connection (D1). The
 * losing change keeps times as epoch ms, so `losing.start`/`losing.end` are ISO in the scenario and
 * compared as instants; the failure report shows them as ISO again.
 */
import type { ConflictRecord } from '../../sync-core/state/sync-state.js';
import type { Mismatch } from './expectations.js';
import type { ScenarioRun } from './runner.js';

type Args = Record<string, unknown>;

export interface ConflictEntryMatcher {
  winner?: 'platform' | 'icloud';
  /** A platform event key (`as:` of book/blockTime, or nameSlot). */
  event?: string;
  losing?: { title?: string; start?: string; end?: string; deleted?: boolean; source?: 'platform' | 'icloud' };
}

const iso = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString().replace('.000Z', 'Z') : ms);

/** A conflict as QA reads it: times as ISO, the platform event by its scenario key where it has one. */
export function describeConflict(run: ScenarioRun, c: ConflictRecord): Args {
  const key = [...run.events].find(([, id]) => id === c.eventId)?.[0];
  const losing: Args = { ...c.losingChange };
  for (const k of ['start', 'end']) if (k in losing) losing[k] = iso(losing[k]);
  if (typeof losing.data === 'string') losing.data = `${(losing.data as string).length} characters of iCalendar`;
  return { winner: c.winner, ...(key ? { event: key } : {}), losing };
}

function entryMatches(run: ScenarioRun, entry: ConflictEntryMatcher, c: ConflictRecord): boolean {
  if (entry.winner !== undefined && c.winner !== entry.winner) return false;
  if (entry.event !== undefined && run.events.get(entry.event) !== c.eventId) return false;
  const l = entry.losing ?? {};
  const lc = c.losingChange;
  if (l.title !== undefined && lc.title !== l.title) return false;
  if (l.start !== undefined && lc.start !== Date.parse(l.start)) return false;
  if (l.end !== undefined && lc.end !== Date.parse(l.end)) return false;
  if (l.deleted !== undefined && (lc.deleted === true) !== l.deleted) return false;
  if (l.source !== undefined && lc.source !== l.source) return false;
  return true;
}

export function checkConflicts(run: ScenarioRun, spec: Args): Mismatch[] {
  const user = String(spec.user);
  if (!run.users.has(user)) throw new Error(`conflicts: unknown user "${user}"`);
  for (const entry of (spec.entries as ConflictEntryMatcher[] | undefined) ?? []) {
    if (entry.event !== undefined && !run.events.has(entry.event)) throw new Error(`conflicts: unknown event key "${entry.event}"; known: ${[...run.events.keys()].join(', ') || 'none'}`);
  }
  const id = run.connections.get(user);
  const conflicts = id ? run.core.state.listConflicts(id) : [];
  const winners = conflicts.map((c) => c.winner);
  const losing = conflicts.map((c) => JSON.stringify(c.losingChange));
  // Each entry claims its own conflict, in order, so two entries need two conflicts.
  const unclaimed = [...conflicts];
  const unmatched = ((spec.entries as ConflictEntryMatcher[] | undefined) ?? []).filter((entry) => {
    const at = unclaimed.findIndex((c) => entryMatches(run, entry, c));
    if (at < 0) return true;
    unclaimed.splice(at, 1);
    return false;
  });
  const ok =
    (spec.count === undefined || conflicts.length === Number(spec.count)) &&
    (spec.winners === undefined || JSON.stringify(winners) === JSON.stringify(spec.winners)) &&
    ((spec.losing as unknown[] | undefined) ?? []).every((needle) => losing.some((l) => l.includes(String(needle)))) &&
    unmatched.length === 0;
  if (ok) return [];
  return [
    {
      message: `recorded conflicts of ${user} differ${unmatched.length ? ` (${unmatched.length} entr${unmatched.length === 1 ? 'y' : 'ies'} matched no conflict)` : ''}`,
      expected: spec,
      actual: conflicts.map((c) => describeConflict(run, c)),
    },
  ];
}
