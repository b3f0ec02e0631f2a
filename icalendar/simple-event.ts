/**
 * simple-event.ts — the commonest calendar object read without ical.js: one VEVENT that does not
 * recur (alarms and VTIMEZONEs allowed). A first sync reads thousands of these, and the full path
 * (parseICalendar, then expandInstances) spends about 60 µs on each building ical.js component
 * trees and a recurrence series for a single occurrence; this reads the same facts in a few.
 *
 * The contract is strict: readSimpleEvent answers only when its answer is what the full path gives
 * (parseICalendar accepts the text; the instance is expandInstances' over all time; the text
 * values are getFirstPropertyValue's), and answers undefined for anything else, or anything it is
 * not sure to read the same way: recurrence, DURATION, METHOD, odd parameters, odd date forms,
 * several components. The caller then takes the full path, which decides (and reports errors).
 * simple-event.test.ts holds both paths to the same answers on generated objects.
 *
 * VTIMEZONEs are handed to parseICalendar itself, once per distinct text (an account's events
 * repeat the same few): the zones they define are the full path's own.
 */
import type ICAL from 'ical.js';
import { endFor, type Instance, type Length } from './instances.js';
import { DEFAULT_MAX_INPUT_LENGTH, parseICalendar } from './parse.js';
import { DAY_MS, daysInMonth, wallFromFields } from './values.js';
import { defaultZoneFor, resolveTzid, UTC_ZONE, wallToEpoch, type Zone, type ZoneOptions } from './zones.js';

export interface SimpleEvent {
  /** The UID, trimmed, as ParsedCalendar.uid. */
  uid: string;
  /** The one occurrence, as expandInstances over all time gives it. */
  instance: Instance;
  /** First DESCRIPTION and LOCATION, unescaped, as getFirstPropertyValue gives them. */
  description?: string;
  location?: string;
  /** LAST-MODIFIED and DTSTAMP as epoch ms (read only in their UTC form). */
  lastModified?: number;
  dtstamp?: number;
}

/** A DATE or DATE-TIME as written, checked. */
interface When {
  wall: number;
  isDate: boolean;
  utc: boolean;
  tzid?: string;
}

/** One content line, unfolded: NAME;PARAM=VALUE…:VALUE. */
interface Line {
  name: string;
  params: Map<string, string> | undefined;
  value: string;
}

/**
 * Properties that make an event more than simple, that the full path validates in ways not
 * repeated here, or whose value ical.js decodes as it parses (a RECUR or PERIOD), which can throw.
 */
const DECLINED = new Set(['RRULE', 'RDATE', 'EXDATE', 'EXRULE', 'RECURRENCE-ID', 'DURATION', 'DUE', 'COMPLETED', 'FREEBUSY']);
/** Value types whose ical.js decoding cannot throw (an ignored property may name one with VALUE=). */
const HARMLESS_TYPES = new Set(['TEXT', 'DATE', 'DATE-TIME', 'DURATION', 'URI', 'CAL-ADDRESS', 'INTEGER', 'BOOLEAN']);
const NAME = /^[A-Za-z0-9-]+$/;
/** An unquoted parameter value without the characters ical.js reads specially (RFC 6868 '^' included). */
const PLAIN_PARAM = /^[^";:^]*$/;
const QUOTED_PARAM = /^"[^";:,^]*"$/;
/** Far below parse.ts' limit (100), which this reading must never reach. */
const MAX_PARAMS = 16;

/**
 * The facts of `text` when it is a simple event (see above), else undefined. `defaultZone` is the
 * zone of floating times and all-day dates, as expandInstances' option.
 */
export function readSimpleEvent(text: string, defaultZone: string | undefined): SimpleEvent | undefined {
  if (text.length > DEFAULT_MAX_INPUT_LENGTH) return undefined;
  const lines = logicalLines(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (!lines || lines[0] !== 'BEGIN:VCALENDAR' || lines.at(-1) !== 'END:VCALENDAR') return undefined;

  const event = new Map<string, Line>();
  const zoneBlocks: string[] = [];
  let events = 0;
  /** 'event', 'alarm' (inside the event), 'zone' (a VTIMEZONE and its parts) or 'calendar'. */
  let where: 'calendar' | 'event' | 'alarm' | 'zone' = 'calendar';
  let zoneDepth = 0;
  for (let k = 1; k < lines.length - 1; k++) {
    const raw = lines[k]!;
    const line = contentLine(raw);
    if (!line) return undefined;
    if (line.name === 'BEGIN' || line.name === 'END') {
      if (line.params || !NAME.test(line.value) || line.value !== line.value.toUpperCase()) return undefined;
      const begin = line.name === 'BEGIN';
      if (where === 'zone') {
        zoneBlocks.push(raw);
        zoneDepth += begin ? 1 : -1;
        if (zoneDepth === 0) {
          if (line.value !== 'VTIMEZONE') return undefined;
          where = 'calendar';
        } else if (zoneDepth > 2 || (begin && line.value !== 'STANDARD' && line.value !== 'DAYLIGHT')) return undefined;
        continue;
      }
      if (begin && where === 'calendar' && line.value === 'VEVENT' && events++ === 0) where = 'event';
      else if (begin && where === 'calendar' && line.value === 'VTIMEZONE') {
        where = 'zone';
        zoneDepth = 1;
        zoneBlocks.push(raw);
      } else if (begin && where === 'event' && line.value === 'VALARM') where = 'alarm';
      else if (!begin && where === 'alarm' && line.value === 'VALARM') where = 'event';
      else if (!begin && where === 'event' && line.value === 'VEVENT') where = 'calendar';
      else return undefined;
      continue;
    }
    if (where === 'zone') {
      zoneBlocks.push(raw);
      continue;
    }
    if (!harmlessParams(line) || DECLINED.has(line.name)) return undefined;
    if (where === 'calendar' && line.name === 'METHOD') return undefined;
    if (where !== 'event') continue;
    if (DATE_PROPS.has(line.name) && event.has(line.name)) return undefined; // the full path checks every copy
    if (!event.has(line.name)) event.set(line.name, line);
  }
  if (where !== 'calendar' || events !== 1) return undefined;

  const uid = textValue(event.get('UID'))?.trim();
  const startLine = event.get('DTSTART');
  if (!uid || !startLine) return undefined;
  const start = when(startLine);
  const endLine = event.get('DTEND');
  const end = endLine ? when(endLine) : undefined;
  if (!start || (endLine && !end)) return undefined;
  for (const name of ['CREATED', 'DTSTAMP', 'LAST-MODIFIED']) if (event.has(name) && stamp(event.get(name)!) === undefined) return undefined;
  let description: string | undefined;
  let location: string | undefined;
  let summary: string | undefined;
  let status: string | undefined;
  let transp: string | undefined;
  for (const [name, set] of [
    ['DESCRIPTION', (v: string) => (description = v)],
    ['LOCATION', (v: string) => (location = v)],
    ['SUMMARY', (v: string) => (summary = v)],
    ['STATUS', (v: string) => (status = v)],
    ['TRANSP', (v: string) => (transp = v)],
  ] as const) {
    const line = event.get(name);
    if (!line) continue;
    const v = textValue(line);
    if (v === undefined) return undefined;
    set(v);
  }

  const zones = zoneOptions(zoneBlocks, defaultZone);
  if (!zones) return undefined;
  const span = spanOf(start, end, zones);
  const instance: Instance = {
    uid,
    start: span.start,
    end: span.end,
    allDay: start.isDate,
    zeroLength: span.start === span.end,
    transparent: transp?.trim().toUpperCase() === 'TRANSPARENT',
    cancelled: status?.trim().toUpperCase() === 'CANCELLED',
    ...(summary !== undefined ? { summary } : {}),
  };
  const lastModified = event.has('LAST-MODIFIED') ? stamp(event.get('LAST-MODIFIED')!) : undefined;
  const dtstamp = event.has('DTSTAMP') ? stamp(event.get('DTSTAMP')!) : undefined;
  return {
    uid,
    instance,
    ...(description !== undefined ? { description } : {}),
    ...(location !== undefined ? { location } : {}),
    ...(lastModified !== undefined ? { lastModified } : {}),
    ...(dtstamp !== undefined ? { dtstamp } : {}),
  };
}

const DATE_PROPS = new Set(['DTSTART', 'DTEND', 'CREATED', 'DTSTAMP', 'LAST-MODIFIED']);

/**
 * RFC 5545 §3.1 unfolding, as parse.ts' scan and ical.js both do it; undefined where either would
 * fail or where they differ (a continuation after a blank line continues the line before the blank
 * for the scan, and the blank for ical.js).
 */
function logicalLines(text: string): string[] | undefined {
  const out: string[] = [];
  let afterBlank = false;
  for (const l of text.split(/\r\n|\n|\r/)) {
    const first = l.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      if (out.length === 0 || afterBlank) return undefined;
      out[out.length - 1] += l.slice(1);
    } else if (l !== '') out.push(l);
    afterBlank = l === '';
  }
  return out;
}

/**
 * NAME[;PARAM=VALUE…]:VALUE in the forms both ical.js and parse.ts' scan read alike: a plain name,
 * parameters with a name, an '=' and a value without quotes, colons, semicolons or RFC 6868
 * escapes (or a quoted one without those and commas). Anything else: undefined.
 */
function contentLine(raw: string): Line | undefined {
  const colon = raw.indexOf(':');
  if (colon <= 0) return undefined;
  const semi = raw.indexOf(';');
  if (semi < 0 || semi > colon) {
    const name = raw.slice(0, colon);
    return NAME.test(name) ? { name: name.toUpperCase(), params: undefined, value: raw.slice(colon + 1) } : undefined;
  }
  const name = raw.slice(0, semi);
  if (!NAME.test(name)) return undefined;
  const params = new Map<string, string>();
  for (const part of raw.slice(semi + 1, colon).split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).toUpperCase();
    const value = part.slice(eq + 1);
    if (!NAME.test(key) || params.has(key) || params.size >= MAX_PARAMS || !(PLAIN_PARAM.test(value) || QUOTED_PARAM.test(value))) return undefined;
    params.set(key, value);
  }
  return { name: name.toUpperCase(), params, value: raw.slice(colon + 1) };
}

/** No VALUE= that would make ical.js decode the value as a type whose decoding can fail. */
function harmlessParams(line: Line): boolean {
  const type = line.params?.get('VALUE');
  return type === undefined || HARMLESS_TYPES.has(type);
}

/** ical.js' text decoding (\\ \; \, \n \N), for a property read as TEXT with no VALUE parameter. */
function textValue(line: Line | undefined): string | undefined {
  if (!line) return undefined;
  if (line.params?.has('VALUE')) return undefined;
  const v = line.value;
  if (!v.includes('\\')) return v;
  return v.replace(/\\\\|\\;|\\,|\\[Nn]/g, (s) => (s === '\\\\' ? '\\' : s === '\\;' ? ';' : s === '\\,' ? ',' : '\n'));
}

/** A UTC DATE-TIME without parameters, as epoch ms (what ical.js' toJSDate gives for it). */
function stamp(line: Line): number | undefined {
  if (line.params) return undefined;
  const w = dateTime(line.value);
  return w && w.utc ? w.wall : undefined;
}

/** DTSTART or DTEND: a DATE with VALUE=DATE, or a DATE-TIME (UTC, floating, or with a TZID). */
function when(line: Line): When | undefined {
  let type: string | undefined;
  let tzid: string | undefined;
  for (const [key, value] of line.params ?? []) {
    if (key === 'VALUE' && (value === 'DATE' || value === 'DATE-TIME')) type = value;
    else if (key === 'TZID' && PLAIN_PARAM.test(value) && value.trim() !== '' && value === value.trim()) tzid = value;
    else return undefined;
  }
  if (type === 'DATE') {
    const v = line.value;
    if (v.length !== 8 || tzid !== undefined) return undefined;
    const wall = checkedWall(digits(v, 0, 4), digits(v, 4, 2), digits(v, 6, 2), 0, 0, 0);
    return wall === undefined ? undefined : { wall, isDate: true, utc: false };
  }
  const w = dateTime(line.value);
  if (!w || (w.utc && tzid !== undefined)) return undefined;
  return tzid === undefined ? w : { ...w, tzid };
}

/**
 * YYYYMMDDTHHMMSS with an optional Z, read by character: every stamp and start of a first sync's
 * 10,000 events goes through here, and a regex match made an array and seven strings each time.
 */
function dateTime(value: string): When | undefined {
  const utc = value.length === 16 && value.charCodeAt(15) === 0x5a; /* Z */
  if ((value.length !== 15 && !utc) || value.charCodeAt(8) !== 0x54 /* T */) return undefined;
  const wall = checkedWall(digits(value, 0, 4), digits(value, 4, 2), digits(value, 6, 2), digits(value, 9, 2), digits(value, 11, 2), digits(value, 13, 2));
  return wall === undefined ? undefined : { wall, isDate: false, utc };
}

/** The number the `count` ASCII digits at `at` write, or -1 when one is not a digit. */
function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Wall ms of plainly valid fields (no leap second, years ical.js and Date agree on); a -1 (not digits) fails. */
function checkedWall(year: number, month: number, day: number, hour: number, minute: number, second: number): number | undefined {
  if (hour < 0 || minute < 0 || second < 0) return undefined;
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  return wallFromFields(year, month, day, hour, minute, second);
}

/**
 * The zone options expandInstances would use: the object's VTIMEZONEs as parseICalendar reads
 * them (undefined when it would refuse them), and the default zone.
 */
function zoneOptions(blocks: string[], defaultZone: string | undefined): ZoneOptions | undefined {
  const base: ZoneOptions = defaultZone !== undefined ? { defaultZone } : {};
  if (blocks.length === 0) return base;
  const timezones = zonesOf(blocks.join('\r\n'));
  return timezones ? { ...base, timezones } : undefined;
}

/** parseICalendar's reading of VTIMEZONE blocks, by their text; null when it refuses them. */
const zoneCache = new Map<string, ReadonlyMap<string, ICAL.Timezone> | null>();
const ZONE_CACHE_SIZE = 256;

function zonesOf(blocks: string): ReadonlyMap<string, ICAL.Timezone> | undefined {
  let known = zoneCache.get(blocks);
  if (known === undefined) {
    const probe = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\n${blocks}\r\nBEGIN:VEVENT\r\nUID:zones\r\nDTSTART:20000101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
    try {
      known = parseICalendar(probe).timezones;
    } catch {
      known = null;
    }
    if (zoneCache.size >= ZONE_CACHE_SIZE) zoneCache.clear();
    zoneCache.set(blocks, known);
  }
  return known ?? undefined;
}

/** instances.ts' zoneFor: all-day dates and floating times in the default zone, else the value's own. */
function zoneOf(v: When, options: ZoneOptions, floating?: Zone): Zone {
  if (v.isDate) return defaultZoneFor(options.defaultZone);
  if (v.utc) return UTC_ZONE;
  if (v.tzid === undefined) return floating ?? resolveTzid(undefined, options);
  return resolveTzid(v.tzid, options);
}

/** instances.ts' buildTemplate and templateSpan for a single VEVENT. */
function spanOf(start: When, end: When | undefined, options: ZoneOptions): { start: number; end: number } {
  const zone = zoneOf(start, options);
  const startEpoch = wallToEpoch(start.wall, zone);
  let length: Length;
  if (end && start.isDate) {
    const diff = end.wall - start.wall;
    const days = Math.floor(diff / DAY_MS);
    length = { days, exactMs: diff - days * DAY_MS };
  } else if (end) length = { days: 0, exactMs: wallToEpoch(end.wall, zoneOf(end, options, zone)) - startEpoch };
  else length = { days: start.isDate ? 1 : 0, exactMs: 0 };
  return { start: startEpoch, end: endFor(length, start.wall, startEpoch, zone) };
}
