/**
 * Writing iCalendar for iCloud (RULES.md P1, P2, I5; sync-anchors §4.8):
 * - platform appointments get a deterministic UID and resource name, so a retried create is
 *   recognised (If-None-Match: * → 412 → adopt) instead of duplicated;
 * - an update starts from what iCloud holds and changes only the properties the platform owns,
 *   keeping alarms, X-APPLE-* and anything else (sabre.io: "preserve unknown properties");
 * - SEQUENCE and LAST-MODIFIED move on every change;
 * - output is a pure function of its inputs (times come from the event, not the clock), so the same
 *   platform version always produces the same bytes and its hash can be compared after a crash.
 * No ORGANIZER or ATTENDEE is written: iCloud would send invitations (dossier §5).
 */
import ICAL from 'ical.js';
import { epochToWallClock, resolveTzid } from '../../icalendar/index.js';
import type { PlatformEvent } from '../platform/model.js';

export const PLATFORM_UID_SUFFIX = '@platform.icloud-sync';
const PRODID = '-//Scheduling Platform//iCloud Sync 1.0//EN';

/** The UID of the iCloud event that shows platform event `eventId`. */
export const platformUid = (eventId: string) => `${eventId}${PLATFORM_UID_SUFFIX}`;
export const platformResourceName = (eventId: string) => `${encodeURIComponent(eventId)}.ics`;

export function eventIdFromUid(uid: string): string | undefined {
  return uid.endsWith(PLATFORM_UID_SUFFIX) ? uid.slice(0, -PLATFORM_UID_SUFFIX.length) : undefined;
}

function jcalUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The calendar date (`2026-12-01`) of `ms` in `zone`: all-day dates belong to the user's day. */
function jcalDate(ms: number, zone: string): string {
  const w = epochToWallClock(ms, resolveTzid(zone));
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

interface TimeFields {
  start: number;
  end: number;
  allDay: boolean;
}

function setTimes(vevent: ICAL.Component, t: TimeFields, zone: string): void {
  vevent.removeAllProperties('dtstart');
  vevent.removeAllProperties('dtend');
  vevent.removeAllProperties('duration');
  if (t.allDay) {
    // Exclusive end date, at least the day after the start (RFC 5545 §3.6.1).
    const startDate = jcalDate(t.start, zone);
    const endDate = jcalDate(t.end, zone);
    vevent.addProperty(new ICAL.Property(['dtstart', {}, 'date', startDate]));
    vevent.addProperty(new ICAL.Property(['dtend', {}, 'date', endDate > startDate ? endDate : nextDate(startDate)]));
  } else {
    vevent.addProperty(new ICAL.Property(['dtstart', {}, 'date-time', jcalUtc(t.start)]));
    vevent.addProperty(new ICAL.Property(['dtend', {}, 'date-time', jcalUtc(t.end)]));
  }
}

function nextDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function setText(vevent: ICAL.Component, name: string, value: string | undefined): void {
  vevent.removeAllProperties(name);
  if (value !== undefined && value !== '') vevent.addPropertyWithValue(name, value);
}

function bumpStamps(vevent: ICAL.Component, updatedAt: number, minSequence: number): void {
  const previous = Number(vevent.getFirstPropertyValue('sequence') ?? -1);
  vevent.updatePropertyWithValue('sequence', Math.max(Number.isFinite(previous) ? previous + 1 : 0, minSequence));
  vevent.removeAllProperties('last-modified');
  vevent.addProperty(new ICAL.Property(['last-modified', {}, 'date-time', jcalUtc(updatedAt)]));
  vevent.removeAllProperties('dtstamp');
  vevent.addProperty(new ICAL.Property(['dtstamp', {}, 'date-time', jcalUtc(updatedAt)]));
}

function masterOf(root: ICAL.Component): ICAL.Component | undefined {
  return root.getAllSubcomponents('vevent').find((c) => !c.hasProperty('recurrence-id'));
}

/**
 * The iCloud representation of a platform appointment. With `previous` (what iCloud holds now),
 * only the platform's own properties change.
 */
export function buildPlatformEvent(event: PlatformEvent, zone: string, previous?: string): string {
  let root: ICAL.Component;
  let vevent: ICAL.Component;
  const existing = previous ? tryParse(previous) : undefined;
  const master = existing && masterOf(existing);
  if (existing && master) {
    root = existing;
    vevent = master;
    bumpStamps(vevent, event.updatedAt, event.version - 1);
  } else {
    root = new ICAL.Component(['vcalendar', [], []]);
    root.addPropertyWithValue('version', '2.0');
    root.addPropertyWithValue('prodid', PRODID);
    root.addPropertyWithValue('calscale', 'GREGORIAN');
    vevent = new ICAL.Component('vevent');
    root.addSubcomponent(vevent);
    vevent.addPropertyWithValue('uid', platformUid(event.id));
    vevent.addProperty(new ICAL.Property(['created', {}, 'date-time', jcalUtc(event.updatedAt)]));
    vevent.addProperty(new ICAL.Property(['dtstamp', {}, 'date-time', jcalUtc(event.updatedAt)]));
    vevent.addProperty(new ICAL.Property(['last-modified', {}, 'date-time', jcalUtc(event.updatedAt)]));
    vevent.addPropertyWithValue('sequence', event.version - 1);
  }
  setTimes(vevent, event, zone);
  setText(vevent, 'summary', event.title);
  setText(vevent, 'description', event.description);
  setText(vevent, 'location', event.location);
  vevent.updatePropertyWithValue('status', event.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED');
  vevent.updatePropertyWithValue('transp', event.busy ? 'OPAQUE' : 'TRANSPARENT');
  vevent.updatePropertyWithValue('x-platform-event-id', event.id);
  return root.toString() + '\r\n';
}

/** Formats a RECURRENCE-ID/EXDATE for occurrence `key` in the master's own style (zone, date or UTC). */
function occurrenceProperty(name: 'recurrence-id' | 'exdate', key: string, master: ICAL.Component): ICAL.Property {
  const dtstart = master.getFirstProperty('dtstart');
  const tzid = dtstart?.getParameter('tzid');
  if (/^\d{8}$/.test(key)) return new ICAL.Property([name, {}, 'date', `${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6, 8)}`]);
  const iso = `${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6, 8)}T${key.slice(9, 11)}:${key.slice(11, 13)}:${key.slice(13, 15)}${key.endsWith('Z') ? 'Z' : ''}`;
  return new ICAL.Property([name, !key.endsWith('Z') && typeof tzid === 'string' ? { tzid } : {}, 'date-time', iso]);
}

function overrideFor(root: ICAL.Component, key: string): ICAL.Component | undefined {
  return root.getAllSubcomponents('vevent').find((c) => {
    const rid = c.getFirstProperty('recurrence-id');
    if (!rid) return false;
    const value = String(rid.getFirstValue());
    return value.replace(/[-:]/g, '') === key || value.replace(/[-:]/g, '').replace(/T000000$/, '') === key;
  });
}

/**
 * I5: a platform change to a blocked slot that came from iCloud. A single event changes in place;
 * one occurrence of a recurring event becomes (or updates) an override with its RECURRENCE-ID.
 */
export function applySlotChange(data: string, recurrenceKey: string, slot: PlatformEvent, zone: string): string {
  const root = parseOrThrow(data);
  const master = masterOf(root);
  if (!master) throw new Error('the iCloud event has no master VEVENT to change');
  let target: ICAL.Component;
  if (recurrenceKey === '') target = master;
  else {
    target = overrideFor(root, recurrenceKey) ?? createOverride(root, master, recurrenceKey);
  }
  // The platform's whole version of the occurrence: after a D1 the winner is the slot as it is.
  setTimes(target, slot, zone);
  setText(target, 'summary', slot.title);
  setText(target, 'description', slot.description);
  setText(target, 'location', slot.location);
  target.updatePropertyWithValue('transp', slot.busy ? 'OPAQUE' : 'TRANSPARENT');
  bumpStamps(target, slot.updatedAt, 0);
  return root.toString() + '\r\n';
}

function createOverride(root: ICAL.Component, master: ICAL.Component, key: string): ICAL.Component {
  const override = new ICAL.Component(JSON.parse(JSON.stringify(master.toJSON())) as unknown[]);
  for (const p of ['rrule', 'rdate', 'exdate', 'exrule']) override.removeAllProperties(p);
  override.removeAllSubcomponents('valarm');
  override.addProperty(occurrenceProperty('recurrence-id', key, master));
  root.addSubcomponent(override);
  return override;
}

/**
 * I5: the platform deleted a blocked slot that came from iCloud. A single event is deleted (null);
 * an occurrence is excluded with EXDATE on the master and its override removed.
 */
export function removeOccurrence(data: string, recurrenceKey: string, updatedAt: number): string | null {
  if (recurrenceKey === '') return null;
  const root = parseOrThrow(data);
  const master = masterOf(root);
  if (!master) return null;
  const override = overrideFor(root, recurrenceKey);
  if (override) root.removeSubcomponent(override);
  master.addProperty(occurrenceProperty('exdate', recurrenceKey, master));
  bumpStamps(master, updatedAt, 0);
  return root.toString() + '\r\n';
}

function tryParse(data: string): ICAL.Component | undefined {
  try {
    return parseOrThrow(data);
  } catch {
    return undefined;
  }
}

function parseOrThrow(data: string): ICAL.Component {
  return new ICAL.Component(ICAL.parse(data) as unknown[]);
}
