/**
 * Validation of an iCalendar body about to become a calendar object resource (RFC 4791 §4.1,
 * §5.3.2.1), with iCloud's own answers where it differs (dossier §5):
 * - a VEVENT with a timed DTSTART but neither DTEND nor DURATION → 404 Not Found (iCloud's odd status;
 *   an all-day DTSTART alone is one day long, RFC 5545 §3.6.1, and accepted);
 * - a component the calendar does not hold → 403 `supported-calendar-component`;
 * - unparseable data → 400 `valid-calendar-data`; no UID, or several → 400 `valid-calendar-object-resource`.
 * The spans for the time-range index are computed here, once, so queries never re-parse.
 */
import { computeIndexSpans, defaultZoneFor, ICalendarError, parseICalendar, summariseObject } from '../../icalendar/index.js';
import { DavError, precondition } from '../http/errors.js';
import type { Calendar, IndexSpans } from '../store/model.js';
import { CALDAV } from '../../common/xml/names.js';

export interface ValidObject {
  uid: string;
  component: string;
  spans: IndexSpans;
}

export interface ValidationOptions {
  /** iCloud's CalDAV-only checks (missing DTEND → 404). Off for "as if on an iPhone" control writes. */
  caldavRules: boolean;
}

/** iCloud gives back exactly what was stored, apart from line endings (dossier §5). */
export function normaliseLineEndings(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

export function validateCalendarObject(data: string, calendar: Calendar, options: ValidationOptions = { caldavRules: true }): ValidObject {
  let parsed;
  try {
    parsed = parseICalendar(data);
  } catch (error) {
    if (error instanceof ICalendarError) {
      const onUid = /uid/i.test(error.message);
      throw precondition(400, `invalid iCalendar: ${error.message}`, CALDAV(onUid ? 'valid-calendar-object-resource' : 'valid-calendar-data'));
    }
    throw error;
  }
  const summary = summariseObject(parsed);
  if (summary.componentType !== calendar.component) {
    throw precondition(403, `a ${summary.componentType} cannot be stored in "${calendar.displayName}", which holds ${calendar.component} only`, CALDAV('supported-calendar-component'));
  }
  if (options.caldavRules && summary.missingEnd) {
    throw new DavError(404, 'a timed VEVENT has DTSTART but neither DTEND nor DURATION: iCloud answers 404 Not Found (dossier §5)');
  }
  const spans = computeIndexSpans(parsed, { defaultZone: calendar.timezone ?? 'UTC' });
  return { uid: summary.uid, component: summary.componentType, spans };
}

/** Whether `name` can serve as a calendar's zone for floating and all-day times. */
export function isKnownZone(name: string): boolean {
  try {
    defaultZoneFor(name);
    return true;
  } catch {
    return false;
  }
}
