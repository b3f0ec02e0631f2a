/**
 * Reading the facts the platform needs out of an iCloud object: times, title, busy/free, status,
 * modification time. Times come from icalendar/ (time zones, all-day dates in the user's zone).
 */
import type ICAL from 'ical.js';
import { expandInstances, MAX_TIME, MIN_TIME, type Instance, type ParsedCalendar } from '../../icalendar/index.js';
import type { PlatformEvent } from '../platform/model.js';

/** The fields of an event that both sides own and sync compares. */
export type RemoteFields = Pick<PlatformEvent, 'title' | 'description' | 'location' | 'start' | 'end' | 'allDay' | 'busy' | 'status'>;

function master(parsed: ParsedCalendar): ICAL.Component | undefined {
  return parsed.master ?? parsed.components[0];
}

function text(comp: ICAL.Component | undefined, name: string): string | undefined {
  const v = comp?.getFirstPropertyValue(name);
  return v === null || v === undefined || String(v) === '' ? undefined : String(v);
}

/** LAST-MODIFIED, else DTSTAMP, of the master, as epoch ms. */
export function remoteModified(parsed: ParsedCalendar): number | undefined {
  const m = master(parsed);
  for (const name of ['last-modified', 'dtstamp']) {
    const v = m?.getFirstPropertyValue(name) as { toJSDate?: () => Date } | null | undefined;
    const ms = v?.toJSDate?.().getTime();
    if (ms !== undefined && Number.isFinite(ms)) return ms;
  }
  return undefined;
}

export function isRecurring(parsed: ParsedCalendar): boolean {
  return parsed.components.some((c) => c.hasProperty('rrule') || c.hasProperty('rdate') || c.hasProperty('recurrence-id'));
}

/** The one instance of a non-recurring event, wherever it lies in time. */
export function singleInstance(parsed: ParsedCalendar, zone: string): Instance | undefined {
  return expandInstances(parsed, { start: MIN_TIME, end: MAX_TIME }, { defaultZone: zone, maxInstances: 1 })[0];
}

export function fieldsOf(instance: Instance, parsed: ParsedCalendar): RemoteFields {
  const source = parsed.overrides.find((o) => instance.recurrenceId !== undefined && String(o.getFirstPropertyValue('recurrence-id')).replace(/[-:]/g, '').startsWith(instance.recurrenceId.replace(/Z$/, ''))) ?? master(parsed);
  return {
    title: instance.summary?.trim() || 'Busy',
    description: text(source, 'description'),
    location: text(source, 'location'),
    start: instance.start,
    end: instance.end,
    allDay: instance.allDay,
    busy: !instance.transparent, // A1/A2: TRANSP decides
    status: instance.cancelled ? 'cancelled' : 'confirmed',
  };
}

export function sameFields(a: RemoteFields, b: Partial<RemoteFields>): boolean {
  return (
    a.title === b.title &&
    (a.description ?? undefined) === (b.description ?? undefined) &&
    (a.location ?? undefined) === (b.location ?? undefined) &&
    a.start === b.start &&
    a.end === b.end &&
    a.allDay === b.allDay &&
    a.busy === b.busy &&
    a.status === b.status
  );
}
