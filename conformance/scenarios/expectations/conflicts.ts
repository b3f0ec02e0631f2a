/**
 * The conflicts the engine recorded for a user's connection (D1). A losing change keeps times as
 * epoch ms, so `losing.start`/`losing.end` are ISO here and compared as instants; a failure shows
 * them as ISO again, and the platform event by its scenario key.
 */
import { z } from 'zod';
import type { DriverConflict as ConflictRecord } from '../../driver/driver.js';
import { isoTime, key, oneOrMany, whole } from '../args/vocabulary.js';
import { need, userOf } from '../lookups.js';
import type { ScenarioRun } from '../run-state.js';
import { defineExpectation } from './define-expectation.js';

const side = z.enum(['platform', 'icloud']);

const entry = z.strictObject({
  winner: side.optional(),
  event: key('event').optional().describe('the platform event by its key'),
  losing: z
    .strictObject({ title: z.string().optional(), start: isoTime.optional(), end: isoTime.optional(), deleted: z.boolean().optional(), source: side.optional().describe('the side whose change lost') })
    .optional(),
});

const iso = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString().replace('.000Z', 'Z') : ms);

function describeConflict(run: ScenarioRun, c: ConflictRecord) {
  const eventKey = [...run.events].find(([, id]) => id === c.eventId)?.[0];
  const losing: Record<string, unknown> = { ...c.losingChange };
  for (const k of ['start', 'end']) if (k in losing) losing[k] = iso(losing[k]);
  if (typeof losing.data === 'string') losing.data = `${losing.data.length} characters of iCalendar`;
  return { winner: c.winner, ...(eventKey ? { event: eventKey } : {}), losing };
}

function entryMatches(run: ScenarioRun, e: z.output<typeof entry>, c: ConflictRecord): boolean {
  const l = e.losing ?? {};
  const lc = c.losingChange;
  return (
    (e.winner === undefined || c.winner === e.winner) &&
    (e.event === undefined || need(run.events, e.event, 'event') === c.eventId) &&
    (l.title === undefined || lc.title === l.title) &&
    (l.start === undefined || lc.start === Date.parse(l.start)) &&
    (l.end === undefined || lc.end === Date.parse(l.end)) &&
    (l.deleted === undefined || (lc.deleted === true) === l.deleted) &&
    (l.source === undefined || lc.source === l.source)
  );
}

export const conflicts = defineExpectation({
  name: 'conflicts',
  doc: 'conflicts recorded for a user: `count`; `winners` in the order recorded (platform, icloud); `losing`: texts each found in some losing change; `entries: [{ winner?, event?: key, losing?: { title?, start?: ISO, end?: ISO, deleted?, source? } }]`, each matching a conflict of its own',
  args: z.strictObject({
    user: key('user'),
    count: whole(0, 'number of conflicts').optional(),
    winners: z.array(side).optional().describe('the winners, in the order recorded'),
    losing: oneOrMany(z.string()).optional().describe('texts each found in some losing change'),
    entries: z.array(entry).optional(),
  }),
  async check(run, spec) {
    userOf(run, spec.user);
    const id = run.connections.get(spec.user);
    const found = id ? await run.driver.conflicts(id) : [];
    const losingTexts = found.map((c) => JSON.stringify(c.losingChange));
    // Each entry claims its own conflict, in order, so two entries need two conflicts.
    const unclaimed = [...found];
    const unmatched = (spec.entries ?? []).filter((e) => {
      const at = unclaimed.findIndex((c) => entryMatches(run, e, c));
      if (at < 0) return true;
      unclaimed.splice(at, 1);
      return false;
    });
    const ok =
      (spec.count === undefined || found.length === spec.count) &&
      (spec.winners === undefined || JSON.stringify(found.map((c) => c.winner)) === JSON.stringify(spec.winners)) &&
      (spec.losing ?? []).every((needle) => losingTexts.some((l) => l.includes(needle))) &&
      unmatched.length === 0;
    if (ok) return [];
    const note = unmatched.length ? ` (${unmatched.length} entr${unmatched.length === 1 ? 'y' : 'ies'} matched no conflict)` : '';
    return [{ message: `recorded conflicts of ${spec.user} differ${note}`, expected: spec, actual: found.map((c) => describeConflict(run, c)) }];
  },
});
