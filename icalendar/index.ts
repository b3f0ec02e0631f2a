/**
 * icalendar — shared iCalendar helpers for the mock iCloud CalDAV server (time-range
 * indexing, RFC 4791 §9.9) and the sync engine (busy times).
 *
 *   parseICalendar / summariseObject  — parse.ts
 *   readSimpleEvent                   — simple-event.ts (a single VEVENT without ical.js)
 *   expandInstances                   — instances.ts
 *   computeIndexSpans                 — spans.ts
 *   expandRecurrenceSet / limitRecurrenceSet — expand.ts (RFC 4791 §9.6.5/§9.6.6)
 *   time zone conversion              — zones.ts
 */
export { DEFAULT_MAX_INPUT_LENGTH, ICalendarError, parseICalendar, summariseObject, type ComponentType, type ObjectSummary, type ParseOptions, type ParsedCalendar } from './parse.js';
export {
  DEFAULT_MAX_INSTANCES,
  MAX_TIME,
  MIN_TIME,
  expandInstances,
  expandInstancesDetailed,
  matchesWindow,
  type ExpandOptions,
  type ExpandResult,
  type Instance,
  type MatchRule,
  type TimeWindow,
} from './instances.js';
export { expandRecurrenceSet, limitRecurrenceSet, type RecurrenceModifierOptions } from './expand.js';
export { readSimpleEvent, type SimpleEvent } from './simple-event.js';
export { utcDateTime } from './values.js';
export { calendarTimezoneText, vtimezoneFor, type VTimezoneOptions } from './vtimezone.js';
export { DEFAULT_MAX_INDEX_INSTANCES, computeIndexSpans, type IndexSpanOptions, type IndexSpans } from './spans.js';
export { UTC_ZONE, defaultZoneFor, epochToWallClock, ianaZone, resolveTzid, wallClockToEpoch, zonedTimeToEpoch, type WallClock, type Zone, type ZoneOptions, type ZoneSource } from './zones.js';
