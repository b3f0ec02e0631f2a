/**
 * How updateSlot and deleteSlot name a blocked slot: `slot` (a key from nameSlot or blockTime), or
 * `user` with `title` (and `start` when the title repeats).
 */
import { z } from 'zod';
import { isoTime, key } from '../args/vocabulary.js';
import { findSlot, need, userOf } from '../lookups.js';
import type { ScenarioRun } from '../run-state.js';

export const slotRef = {
  slot: key('event').optional().describe('the slot by its key (nameSlot)'),
  user: key('user').optional(),
  title: z.string().optional(),
  start: isoTime.optional().describe('the start of the slot, when the title repeats'),
};

export function oneSlotRef(value: { slot?: string; user?: string; title?: string; start?: string }, ctx: z.RefinementCtx): void {
  const byTitle = value.user !== undefined || value.title !== undefined || value.start !== undefined;
  if (value.slot !== undefined && byTitle) ctx.addIssue({ code: 'custom', message: 'name the slot with slot, or with user and title, not both' });
  else if (value.slot === undefined && (value.user === undefined || value.title === undefined)) ctx.addIssue({ code: 'custom', message: 'name the slot with slot (a key), or with user and title' });
}

export async function slotId(run: ScenarioRun, a: { slot?: string; user?: string; title?: string; start?: string }): Promise<string> {
  if (a.slot !== undefined) return need(run.events, a.slot, 'slot (name it with nameSlot first)');
  return (await findSlot(run, userOf(run, a.user!), a.title!, a.start === undefined ? undefined : Date.parse(a.start))).id;
}
