/**
 * `offeredSlots` and `notOfferedSlots`: the slots a platform booking calendar offers, and for an
 * offered one which members are free.
 */
import { z } from 'zod';
import { isoTime, key, oneOrMany } from '../args/vocabulary.js';
import { need } from '../lookups.js';
import type { ScenarioRun } from '../run-state.js';
import type { Mismatch } from './define-expectation.js';

export const offeredSlotsArgs = z.strictObject({
  calendar: key('calendar'),
  at: oneOrMany(isoTime).describe('slot starts'),
  members: oneOrMany(key('user')).optional().describe('exactly the members free for each slot'),
});

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export async function checkOfferedSlots(run: ScenarioRun, spec: z.output<typeof offeredSlotsArgs>, wantOffered: boolean): Promise<Mismatch[]> {
  const calendar = need(run.calendars, spec.calendar, 'calendar');
  const memberKey = (id: string) => [...run.users].find(([, u]) => u.id === id)?.[0] ?? id;
  const out: Mismatch[] = [];
  for (const at of spec.at.map((t) => Date.parse(t))) {
    const slot = (await run.driver.offeredSlots(calendar.id, { start: at, end: at + calendar.slotMinutes * 60_000 })).find((s) => s.start === at);
    const members = slot?.freeUserIds.map(memberKey);
    const ok = wantOffered ? !!slot && (spec.members === undefined || JSON.stringify(members) === JSON.stringify(spec.members)) : !slot;
    if (ok) continue;
    out.push({
      message: wantOffered ? `expected calendar ${spec.calendar} to offer ${iso(at)}` : `expected calendar ${spec.calendar} not to offer ${iso(at)}`,
      expected: { at: iso(at), offered: wantOffered, ...(spec.members !== undefined ? { members: spec.members } : {}) },
      actual: { at: iso(at), offered: !!slot, ...(members ? { members } : {}) },
    });
  }
  return out;
}
