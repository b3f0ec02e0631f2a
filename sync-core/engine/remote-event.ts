/**
 * Reading the facts the platform needs out of an iCloud object: times, title, busy/free, status,
 * modification time. Times come from icalendar/ (time zones, all-day dates in the user's zone).
 */
import type ICAL from 'ical.js';
import { expandInstances, MAX_TIME, MIN_TIME, type Instance, type ParsedCalendar, type SimpleEvent } from '../../icalendar/index.js';
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

/** LAST-MODIFIED, else DTSTAMP, of a component, as epoch ms. */
function modifiedAt(comp: ICAL.Component | undefined): number | undefined {
  for (const name of ['last-modified', 'dtstamp']) {
    const v = comp?.getFirstPropertyValue(name) as { toJSDate?: () => Date } | null | undefined;
    const ms = v?.toJSDate?.().getTime();
    if (ms !== undefined && Number.isFinite(ms)) return ms;
  }
  return undefined;
}

/** LAST-MODIFIED, else DTSTAMP, of the master, as epoch ms. */
export function remoteModified(parsed: ParsedCalendar): number | undefined {
  return modifiedAt(master(parsed));
}

export function isRecurring(parsed: ParsedCalendar): boolean {
  return parsed.components.some((c) => c.hasProperty('rrule') || c.hasProperty('rdate') || c.hasProperty('recurrence-id'));
}

/** The one instance of a non-recurring event, wherever it lies in time. */
export function singleInstance(parsed: ParsedCalendar, zone: string): Instance | undefined {
  return expandInstances(parsed, { start: MIN_TIME, end: MAX_TIME }, { defaultZone: zone, maxInstances: 1 })[0];
}

/** The component whose properties describe this occurrence: its override, a THISANDFUTURE range, or the master. */
function sourceOf(instance: Instance, parsed: ParsedCalendar): ICAL.Component | undefined {
  const key = instance.shapedBy ?? instance.recurrenceId;
  const override = key === undefined ? undefined : parsed.overrides.find((o) => String(o.getFirstPropertyValue('recurrence-id')).replace(/[-:]/g, '').startsWith(key.replace(/Z$/, '')));
  return override ?? master(parsed);
}

/** LAST-MODIFIED (else DTSTAMP) of the component that describes this occurrence: D1 per occurrence. */
export function occurrenceModified(instance: Instance, parsed: ParsedCalendar): number | undefined {
  return modifiedAt(sourceOf(instance, parsed)) ?? remoteModified(parsed);
}

/** The DTSTART of the master as written (value and zone): a series whose anchor moved was re-timed as a whole. */
export function seriesAnchor(parsed: ParsedCalendar): string | undefined {
  const p = master(parsed)?.getFirstProperty('dtstart');
  return p ? `${String(p.getParameter('tzid') ?? '')}:${String(p.getFirstValue())}` : undefined;
}

export function fieldsOf(instance: Instance, parsed: ParsedCalendar): RemoteFields {
  const source = sourceOf(instance, parsed);
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

/** remoteModified for an event readSimpleEvent read: LAST-MODIFIED, else DTSTAMP. */
export function simpleEventModified(event: SimpleEvent): number | undefined {
  return event.lastModified ?? event.dtstamp;
}

/** fieldsOf for an event readSimpleEvent read: the same fields, from the same values. */
export function simpleEventFields(event: SimpleEvent): RemoteFields {
  const { instance } = event;
  return {
    title: instance.summary?.trim() || 'Busy',
    description: event.description || undefined,
    location: event.location || undefined,
    start: instance.start,
    end: instance.end,
    allDay: instance.allDay,
    busy: !instance.transparent,
    status: instance.cancelled ? 'cancelled' : 'confirmed',
  };
}

export function sameFields(a: RemoteFields, b: RemoteFields): boolean {
  return sameAppointment(a, b) && a.busy === b.busy && a.status === b.status;
}

/**
 * The fields of a booking that its iCloud copy may change (I3). TRANSP and STATUS are not among
 * them: a booking always blocks its member's time, whatever its copy on the iPhone says (D7).
 */
export type AppointmentFields = Pick<RemoteFields, 'title' | 'description' | 'location' | 'start' | 'end' | 'allDay'>;

export function appointmentFields(f: RemoteFields | PlatformEvent): AppointmentFields {
  return { title: f.title, description: f.description, location: f.location, start: f.start, end: f.end, allDay: f.allDay };
}

export function sameAppointment(a: AppointmentFields, b: AppointmentFields): boolean {
  return (
    a.title === b.title &&
    (a.description ?? undefined) === (b.description ?? undefined) &&
    (a.location ?? undefined) === (b.location ?? undefined) &&
    a.start === b.start &&
    a.end === b.end &&
    a.allDay === b.allDay
  );
}
