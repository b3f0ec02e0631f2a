/**
 * values.ts — typed reading of iCalendar DATE, DATE-TIME, DURATION and PERIOD
 * property values (RFC 5545 §3.3.4, §3.3.5, §3.3.6, §3.3.9) straight from the
 * jCal arrays that ical.js produces, plus wall-clock arithmetic helpers.
 *
 * Why not use ical.js's decorated ICAL.Time values? Their time zone is looked
 * up in ical.js's process-global TimezoneService, which would make results
 * depend on whatever other code registered, and they silently accept garbage
 * (e.g. "DTEND:20260301" without VALUE=DATE becomes the string "2026-03-01T::",
 * and "garbage" becomes "garb-ag-eT::"). Here every value is validated and the
 * TZID is kept as a plain string; zones.ts decides what it means.
 *
 * "Wall ms" (wall-clock milliseconds) used throughout the library is a local
 * date-time encoded as if it were UTC: Date.UTC(y, m - 1, d, h, min, s). It is
 * NOT an instant; it only makes calendar arithmetic and ordering cheap.
 */
import type ICAL from 'ical.js';

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** A DATE or DATE-TIME value as written in the iCalendar text. */
export interface DateTimeValue {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** VALUE=DATE (or a bare 8-digit date): an all-day date with no time. */
  isDate: boolean;
  /** Written with a trailing "Z" (UTC). */
  utc: boolean;
  /** The TZID parameter, if any (never set together with utc). */
  tzid?: string;
}

/** RFC 5545 §3.3.6 duration. Weeks and days are nominal, the rest exact. */
export interface DurationValue {
  negative: boolean;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** RFC 5545 §3.3.9 period: an explicit start and either an end or a duration. */
export interface PeriodValue {
  start: DateTimeValue;
  end?: DateTimeValue;
  duration?: DurationValue;
}

/** Thrown for an unreadable value; parse.ts turns it into an ICalendarError with a line number. */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z)?$/;
// ical.js in strict mode turns a bare date in a DATE-TIME property ("DTEND:20260301",
// no VALUE=DATE — common in the wild) into "2026-03-01T::". Accept it as a DATE.
const MANGLED_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})T::Z?$/;
const DURATION_RE = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/**
 * Recovers (approximately) the text as it was written, for error messages: undoes
 * ical.js's slicing of "YYYYMMDDTHHMMSS" into "YYYY-MM-DDTHH:MM:SS".
 */
function asWritten(raw: string): string {
  const m = /^(.{0,4})-(.{0,2})-(.{0,2})(?:T(.{0,2}):(.{0,2}):(.{0,2})(Z?))?$/.exec(raw);
  if (!m) return raw;
  const time = (m[4] ?? '') + (m[5] ?? '') + (m[6] ?? '');
  return m[1]! + m[2]! + m[3]! + (time ? `T${time}` : '') + (m[7] ?? '');
}

/**
 * Parses one jCal date or date-time string. `type` is the property's value type
 * ('date' or 'date-time'); a bare date is accepted in a date-time property.
 */
export function parseJCalDateTime(raw: unknown, type: string, tzid?: string): DateTimeValue {
  if (typeof raw !== 'string') {
    throw new ValueError(`expected a DATE or DATE-TIME value, found ${JSON.stringify(raw)}`);
  }
  let m = DATE_RE.exec(raw) ?? MANGLED_DATE_RE.exec(raw);
  let value: DateTimeValue;
  if (m) {
    value = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: 0, minute: 0, second: 0, isDate: true, utc: false };
  } else {
    m = DATETIME_RE.exec(raw);
    if (!m || type === 'date') {
      throw new ValueError(`'${asWritten(raw)}' is not a valid ${type === 'date' ? 'DATE' : 'DATE-TIME'} value`);
    }
    value = {
      year: +m[1]!,
      month: +m[2]!,
      day: +m[3]!,
      hour: +m[4]!,
      minute: +m[5]!,
      second: +m[6]!,
      isDate: false,
      utc: m[7] === 'Z',
    };
  }
  if (value.year < 1 || value.month < 1 || value.month > 12 || value.day < 1 || value.day > daysInMonth(value.year, value.month) || value.hour > 23 || value.minute > 59 || value.second > 60) {
    throw new ValueError(`'${asWritten(raw)}' is not a valid calendar ${value.isDate ? 'date' : 'date-time'}`);
  }
  if (value.second === 60) value.second = 59; // leap second: RFC 5545 allows it, we can't represent it
  if (!value.utc && !value.isDate && tzid) value.tzid = tzid;
  return value;
}

export function parseDuration(raw: unknown): DurationValue {
  const m = typeof raw === 'string' ? DURATION_RE.exec(raw) : null;
  if (!m || raw === 'P' || raw === 'PT' || /T$/.test(raw as string)) {
    throw new ValueError(`${JSON.stringify(raw)} is not a valid DURATION value`);
  }
  return {
    negative: m[1] === '-',
    weeks: +(m[2] ?? 0),
    days: +(m[3] ?? 0),
    hours: +(m[4] ?? 0),
    minutes: +(m[5] ?? 0),
    seconds: +(m[6] ?? 0),
  };
}

function tzidOf(prop: ICAL.Property): string | undefined {
  const p = prop.getParameter('tzid');
  const s = Array.isArray(p) ? p[0] : p;
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}

/** Raw jCal values of a property (index 3 onward), without ical.js decoration. */
function rawValues(prop: ICAL.Property): unknown[] {
  return prop.jCal.slice(3);
}

/** The first value of a DATE / DATE-TIME property (DTSTART, DTEND, DUE, RECURRENCE-ID, ...). */
export function readDateTime(prop: ICAL.Property): DateTimeValue {
  const values = rawValues(prop);
  if (values.length === 0) throw new ValueError('has no value');
  return parseJCalDateTime(values[0], prop.type, tzidOf(prop));
}

/** All values of a multi-valued DATE / DATE-TIME property (EXDATE). */
export function readDateTimes(prop: ICAL.Property): DateTimeValue[] {
  const tzid = tzidOf(prop);
  return rawValues(prop).map((v) => parseJCalDateTime(v, prop.type, tzid));
}

/** All values of an RDATE (DATE, DATE-TIME or PERIOD, RFC 5545 §3.8.5.2). */
export function readRDates(prop: ICAL.Property): Array<DateTimeValue | PeriodValue> {
  const tzid = tzidOf(prop);
  return rawValues(prop).map((v) => {
    if (prop.type !== 'period') return parseJCalDateTime(v, prop.type, tzid);
    if (!Array.isArray(v) || v.length !== 2) throw new ValueError(`${JSON.stringify(v)} is not a valid PERIOD value`);
    const start = parseJCalDateTime(v[0], 'date-time', tzid);
    if (typeof v[1] === 'string' && /^[+-]?P/.test(v[1])) return { start, duration: parseDuration(v[1]) };
    return { start, end: parseJCalDateTime(v[1], 'date-time', tzid) };
  });
}

export function readDuration(prop: ICAL.Property): DurationValue {
  const values = rawValues(prop);
  if (values.length === 0) throw new ValueError('has no value');
  return parseDuration(values[0]);
}

export function isPeriod(v: DateTimeValue | PeriodValue): v is PeriodValue {
  return 'start' in v;
}

/** Wall ms of explicit fields (works for years 1-99 too, unlike Date.UTC). */
export function wallFromFields(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** Wall ms of a DATE / DATE-TIME value's written fields (ignores its zone). */
export function wallOf(v: DateTimeValue): number {
  return wallFromFields(v.year, v.month, v.day, v.hour, v.minute, v.second);
}

export interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function fieldsOfWall(wall: number): Fields {
  const d = new Date(wall);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** Start of the (wall-clock) day containing `wall`. */
export function dayOfWall(wall: number): number {
  return Math.floor(wall / DAY_MS) * DAY_MS;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** RFC 5545 basic format: '20260310' (date) or '20260310T090000' (+ 'Z' when utc). */
export function formatWall(wall: number, isDate: boolean, utc = false): string {
  const f = fieldsOfWall(wall);
  const date = `${pad(f.year, 4)}${pad(f.month)}${pad(f.day)}`;
  if (isDate) return date;
  return `${date}T${pad(f.hour)}${pad(f.minute)}${pad(f.second)}${utc ? 'Z' : ''}`;
}

/** An instant as an iCalendar UTC DATE-TIME: `20261201T100000Z` (RFC 5545 §3.3.5, form #2). */
export function utcDateTime(epochMs: number): string {
  return formatWall(epochMs, false, true);
}

/** Nominal part (weeks and days) of a duration, in days, signed. */
export function durationDays(d: DurationValue): number {
  return (d.negative ? -1 : 1) * (d.weeks * 7 + d.days);
}

/** Exact part (hours, minutes, seconds) of a duration, in ms, signed. */
export function durationExactMs(d: DurationValue): number {
  return (d.negative ? -1 : 1) * (d.hours * HOUR_MS + d.minutes * MINUTE_MS + d.seconds * SECOND_MS);
}
