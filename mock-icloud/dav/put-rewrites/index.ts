/**
 * What iCloud may do to an object on PUT before storing it: one module per rewrite, each behind a
 * quirk that is off by default because nobody has shown iCloud doing it (its ancestor, Apple
 * CalendarServer, does each). With every quirk off the object is stored as sent (dossier §5).
 * Applied to CalDAV PUTs only; control-plane writes store what they are given.
 */
import ICAL from 'ical.js';
import type { Quirks } from '../../quirks.js';
import type { CalendarStore } from '../../store/store.js';
import { normaliseAttendees } from './normalise-attendees.js';
import { removeDuplicateAlarms } from './remove-duplicate-alarms.js';
import { stripStandardTimezones } from './strip-standard-timezones.js';

export interface PutRewrite {
  /** The quirk that switches it on (`'on'`). */
  quirk: 'stripStandardTimezones' | 'removeDuplicateAlarms' | 'normaliseAttendees';
  /** Changes the parsed VCALENDAR in place; true when it changed anything. */
  rewrite(root: ICAL.Component, ctx: { store: CalendarStore }): boolean;
}

export const PUT_REWRITES: readonly PutRewrite[] = [stripStandardTimezones, removeDuplicateAlarms, normaliseAttendees];

/** The object as iCloud would store it under these quirks: `data` itself when none is on or none changed it. */
export function rewriteOnPut(data: string, quirks: Quirks, ctx: { store: CalendarStore }): string {
  const active = PUT_REWRITES.filter((r) => quirks[r.quirk] === 'on');
  if (active.length === 0) return data;
  const root = new ICAL.Component(ICAL.parse(data) as unknown[]);
  let changed = false;
  for (const r of active) changed = r.rewrite(root, ctx) || changed;
  return changed
    ? root
        .toString()
        .replace(/\r?\n/g, '\r\n')
        .replace(/(\r\n)?$/, '\r\n')
    : data;
}
