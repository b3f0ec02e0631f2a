/**
 * `icloud.change` without `recurrenceId`: edits the master VEVENT (the first one without
 * RECURRENCE-ID), never a VTIMEZONE, an override or a VALARM.
 */
import { StepFailure } from '../step-failure.js';
import { applyEdits, ownProperty, unfoldedLines, veventBlocks } from './vevents.js';

export function editMaster(ics: string, set: Record<string, unknown>, remove: string[]): string {
  const lines = unfoldedLines(ics);
  const master = veventBlocks(lines).find((b) => !ownProperty(lines.slice(b.from, b.to), 'RECURRENCE-ID'));
  if (!master) throw new StepFailure('the iCloud event has no VEVENT without RECURRENCE-ID to change');
  const body = applyEdits(lines.slice(master.from, master.to), set, remove);
  return [...lines.slice(0, master.from), ...body, ...lines.slice(master.to)].join('\r\n');
}
