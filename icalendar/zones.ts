/**
 * zones.ts — turns a wall-clock date-time plus a TZID into an instant (epoch ms)
 * and back.
 *
 * Resolution order for a TZID (RFC 5545 §3.2.19, §3.6.5, §3.3.5):
 *   1. a VTIMEZONE with that TZID inside the same calendar object (via ICAL.Timezone,
 *      whose expanded list of UTC transitions we binary-search);
 *   2. an IANA zone known to Intl (offsets found with a cached Intl.DateTimeFormat);
 *   3. common aliases: Windows names ("W. Europe Standard Time"), Outlook display
 *      names, vendor-prefixed IANA names ("/mozilla.org/20050126_1/America/New_York"),
 *      and fixed offsets ("UTC+05:30");
 *   4. otherwise the value is treated as floating.
 * Floating times (no TZID, no "Z") resolve in a caller-provided default zone
 * (IANA name, default 'UTC') — RFC 5545 §3.3.5 form #1, RFC 4791 §9.9.
 *
 * Local times that do not exist (DST gap) are interpreted with the UTC offset
 * in effect before the gap, i.e. shifted forward by the gap length, as RFC 5545
 * §3.3.5 prescribes; ambiguous local times (DST overlap) resolve to the first
 * occurrence (the earlier instant).
 *
 * All time arithmetic is done on "wall ms" (see values.ts): a local date-time
 * encoded as if it were UTC. A Zone maps instants to their UTC offset; everything
 * else here is derived from that single function.
 */
import ICAL from 'ical.js';
import { DAY_MS, MINUTE_MS, fieldsOfWall, wallFromFields, type Fields } from './values.js';

export type WallClock = Fields;

export type ZoneSource = 'utc' | 'vtimezone' | 'iana' | 'fixed' | 'floating';

/** A time zone: a function from instants to UTC offsets. */
export interface Zone {
  /** The IANA name, TZID, or 'UTC' / 'UTC+05:30'. */
  readonly id: string;
  readonly source: ZoneSource;
  /** UTC offset in ms (local = utc + offset) at the given instant. */
  offsetAt(epochMs: number): number;
  /** Set when the offset never changes (lets conversions skip work). */
  readonly fixedOffset?: number;
}

export interface ZoneOptions {
  /** VTIMEZONEs of the calendar object, by TZID (ParsedCalendar.timezones). */
  timezones?: ReadonlyMap<string, ICAL.Timezone>;
  /** Zone for floating times and all-day dates (IANA name or alias). Default 'UTC'. */
  defaultZone?: string;
}

/** Earliest/latest instants a JS Date can hold. */
const MIN_EPOCH = -8.64e15;
const MAX_EPOCH = 8.64e15;
/** Exactly 400 Gregorian years (146097 days): calendars and yearly DST rules repeat. */
const GREGORIAN_CYCLE_MS = 146097 * DAY_MS;

function fixedZone(id: string, offsetMs: number, source: ZoneSource = 'fixed'): Zone {
  return { id, source, fixedOffset: offsetMs, offsetAt: () => offsetMs };
}

export const UTC_ZONE: Zone = fixedZone('UTC', 0, 'utc');

// ---------------------------------------------------------------------------
// IANA zones via Intl
// ---------------------------------------------------------------------------

const formatterCache = new Map<string, Intl.DateTimeFormat>();
const ianaZoneCache = new Map<string, Zone | null>();

function formatterFor(name: string): Intl.DateTimeFormat | undefined {
  let f = formatterCache.get(name);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined; // RangeError: unknown time zone
  }
  formatterCache.set(name, f);
  return f;
}

function intlOffset(f: Intl.DateTimeFormat, epochMs: number): number {
  // Intl refuses instants at the very edge of the Date range; offsets there are LMT anyway.
  const e = Math.min(Math.max(epochMs, MIN_EPOCH + 2 * DAY_MS), MAX_EPOCH - 2 * DAY_MS);
  const whole = Math.floor(e / 1000) * 1000;
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of f.formatToParts(whole)) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value) % 24; // some ICU versions print midnight as 24
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
      case 'era':
        bc = /^b/i.test(p.value);
        break;
    }
  }
  if (bc) year = 1 - year;
  return wallFromFields(year, month, day, hour, minute, second) - whole;
}

/** Zone for a name Intl knows, or undefined. Does not consult aliases. */
function intlZone(name: string): Zone | undefined {
  const cached = ianaZoneCache.get(name);
  if (cached !== undefined) return cached ?? undefined;
  const f = formatterFor(name);
  let zone: Zone | null = null;
  if (f) {
    const resolved = f.resolvedOptions().timeZone;
    zone =
      /^(Etc\/)?(UTC|GMT|UCT|Zulu|Universal|Greenwich)$/i.test(resolved) || /^(Etc\/)?(UTC|GMT)$/i.test(name) ? UTC_ZONE : { id: resolved, source: 'iana', offsetAt: (epoch) => intlOffset(f, epoch) };
  }
  ianaZoneCache.set(name, zone);
  return zone ?? undefined;
}

// ---------------------------------------------------------------------------
// Aliases
// ---------------------------------------------------------------------------

/** Common Windows (CLDR windowsZones "001" territory) and Outlook display names. */
const WINDOWS_ZONES: Record<string, string> = {
  'dateline standard time': 'Etc/GMT+12',
  'utc-11': 'Etc/GMT+11',
  'hawaiian standard time': 'Pacific/Honolulu',
  'alaskan standard time': 'America/Anchorage',
  'pacific standard time': 'America/Los_Angeles',
  'pacific standard time (mexico)': 'America/Tijuana',
  'us mountain standard time': 'America/Phoenix',
  'mountain standard time': 'America/Denver',
  'central america standard time': 'America/Guatemala',
  'central standard time': 'America/Chicago',
  'central standard time (mexico)': 'America/Mexico_City',
  'canada central standard time': 'America/Regina',
  'sa pacific standard time': 'America/Bogota',
  'eastern standard time': 'America/New_York',
  'us eastern standard time': 'America/Indiana/Indianapolis',
  'atlantic standard time': 'America/Halifax',
  'newfoundland standard time': 'America/St_Johns',
  'e. south america standard time': 'America/Sao_Paulo',
  'argentina standard time': 'America/Argentina/Buenos_Aires',
  'sa western standard time': 'America/La_Paz',
  'pacific sa standard time': 'America/Santiago',
  utc: 'UTC',
  'coordinated universal time': 'UTC',
  'gmt standard time': 'Europe/London',
  'greenwich standard time': 'Atlantic/Reykjavik',
  'w. europe standard time': 'Europe/Berlin',
  'central europe standard time': 'Europe/Budapest',
  'romance standard time': 'Europe/Paris',
  'central european standard time': 'Europe/Warsaw',
  'w. central africa standard time': 'Africa/Lagos',
  'gtb standard time': 'Europe/Bucharest',
  'e. europe standard time': 'Europe/Chisinau',
  'fle standard time': 'Europe/Kiev',
  'israel standard time': 'Asia/Jerusalem',
  'egypt standard time': 'Africa/Cairo',
  'south africa standard time': 'Africa/Johannesburg',
  'russian standard time': 'Europe/Moscow',
  'turkey standard time': 'Europe/Istanbul',
  'arab standard time': 'Asia/Riyadh',
  'arabian standard time': 'Asia/Dubai',
  'iran standard time': 'Asia/Tehran',
  'pakistan standard time': 'Asia/Karachi',
  'india standard time': 'Asia/Kolkata',
  'nepal standard time': 'Asia/Kathmandu',
  'bangladesh standard time': 'Asia/Dhaka',
  'se asia standard time': 'Asia/Bangkok',
  'china standard time': 'Asia/Shanghai',
  'singapore standard time': 'Asia/Singapore',
  'taipei standard time': 'Asia/Taipei',
  'w. australia standard time': 'Australia/Perth',
  'tokyo standard time': 'Asia/Tokyo',
  'korea standard time': 'Asia/Seoul',
  'cen. australia standard time': 'Australia/Adelaide',
  'aus central standard time': 'Australia/Darwin',
  'e. australia standard time': 'Australia/Brisbane',
  'aus eastern standard time': 'Australia/Sydney',
  'tasmania standard time': 'Australia/Hobart',
  'west pacific standard time': 'Pacific/Port_Moresby',
  'new zealand standard time': 'Pacific/Auckland',
  'tonga standard time': 'Pacific/Tongatapu',
  'samoa standard time': 'Pacific/Apia',
  'line islands standard time': 'Pacific/Kiritimati',
  // Outlook display names, with the "(UTC+01:00) " prefix removed
  'eastern time (us & canada)': 'America/New_York',
  'central time (us & canada)': 'America/Chicago',
  'mountain time (us & canada)': 'America/Denver',
  'pacific time (us & canada)': 'America/Los_Angeles',
  'dublin, edinburgh, lisbon, london': 'Europe/London',
  'amsterdam, berlin, bern, rome, stockholm, vienna': 'Europe/Berlin',
  'brussels, copenhagen, madrid, paris': 'Europe/Paris',
  'belgrade, bratislava, budapest, ljubljana, prague': 'Europe/Budapest',
  'sarajevo, skopje, warsaw, zagreb': 'Europe/Warsaw',
  'osaka, sapporo, tokyo': 'Asia/Tokyo',
  'chennai, kolkata, mumbai, new delhi': 'Asia/Kolkata',
  'canberra, melbourne, sydney': 'Australia/Sydney',
  'auckland, wellington': 'Pacific/Auckland',
};

const FIXED_OFFSET_RE = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i;

function aliasZone(tzid: string): Zone | undefined {
  let name = tzid.trim().replace(/^"(.*)"$/, '$1');
  const direct = intlZone(name);
  if (direct) return direct;

  // "(UTC+01:00) Amsterdam, Berlin, ..." — Outlook display names.
  const display = /^\((?:UTC|GMT)(?:[+-]\d{1,2}:\d{2})?\)\s*(.+)$/i.exec(name);
  if (display) name = display[1]!;
  const windows = WINDOWS_ZONES[name.toLowerCase()];
  if (windows) return intlZone(windows);

  // Fixed offsets: "UTC+05:30", "GMT-3", "+0100".
  const fixed = FIXED_OFFSET_RE.exec(name);
  if (fixed && (/^(UTC|GMT)/i.test(name) || fixed[3] !== undefined)) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3] ?? 0);
    if (minutes <= 18 * 60) {
      const sign = fixed[1] === '-' ? -1 : 1;
      const label = `UTC${fixed[1]}${String(fixed[2]).padStart(2, '0')}:${fixed[3] ?? '00'}`;
      return minutes === 0 ? UTC_ZONE : fixedZone(label, sign * minutes * MINUTE_MS);
    }
  }

  // Vendor prefixes: "/mozilla.org/20050126_1/America/New_York",
  // "/freeassociation.sourceforge.net/Tzfile/Europe/London", "/citadel.org/.../Europe/Paris".
  const segments = name.split('/').filter((s) => s !== '');
  for (let n = Math.min(3, segments.length - 1); n >= 1; n--) {
    const candidate = segments.slice(-n).join('/');
    if (n === 1 && !/^(UTC|GMT)$/i.test(candidate)) continue; // "Tzfile/London" ≠ anything
    const z = intlZone(candidate);
    if (z) return z;
  }
  return undefined;
}

/**
 * The zone for an IANA name or a known alias, or undefined if neither Intl nor
 * the alias table knows it.
 */
export function ianaZone(name: string): Zone | undefined {
  return aliasZone(name);
}

/** The default zone for floating times and all-day dates; throws RangeError if unknown. */
export function defaultZoneFor(name: string | undefined): Zone {
  if (name === undefined || name === '' || /^(UTC|Z|GMT|Etc\/UTC)$/i.test(name)) return UTC_ZONE;
  const z = aliasZone(name);
  if (!z) throw new RangeError(`Unknown default time zone '${name}'`);
  return z;
}

// ---------------------------------------------------------------------------
// VTIMEZONE zones via ICAL.Timezone
// ---------------------------------------------------------------------------

/** Largest year we ask ical.js to expand; later instants are folded back by 400-year cycles. */
const VTIMEZONE_MAX_YEAR = 2400;
const vtimezoneZones = new WeakMap<ICAL.Timezone, Zone>();

interface TzChange extends Fields {
  utcOffset: number;
  prevUtcOffset: number;
}

/**
 * Wraps an ICAL.Timezone. We rely on ical.js only to expand the STANDARD/DAYLIGHT
 * sub-components into a sorted list of transitions (its `changes`, stored in UTC);
 * the lookup itself is ours, because ICAL.Timezone#utcOffset takes a local time
 * and resolves gaps/overlaps differently from RFC 5545 §3.3.5.
 */
export function vtimezoneZone(tz: ICAL.Timezone): Zone {
  const cached = vtimezoneZones.get(tz);
  if (cached) return cached;
  let coveredYear = -Infinity;
  let epochs: number[] = [];
  let offsets: number[] = [];
  let firstPrev = 0;

  const ensure = (year: number): void => {
    if (year <= coveredYear) return;
    // Expand in 50-year chunks. Resetting `changes` first matters: ical.js appends
    // a fresh expansion to the existing list whenever it extends coverage.
    const target = Math.max(year, 1970) + 50;
    tz.changes = [];
    tz._ensureCoverage(target);
    const changes = tz.changes as TzChange[];
    epochs = changes.map((c) => wallFromFields(c.year, c.month, c.day, c.hour, c.minute, c.second));
    offsets = changes.map((c) => c.utcOffset * 1000);
    firstPrev = changes.length ? changes[0]!.prevUtcOffset * 1000 : 0;
    coveredYear = target;
  };

  const zone: Zone = {
    id: tz.tzid,
    source: 'vtimezone',
    offsetAt(epochMs: number): number {
      let e = Math.min(Math.max(epochMs, MIN_EPOCH), MAX_EPOCH);
      let year = new Date(e).getUTCFullYear();
      if (year > VTIMEZONE_MAX_YEAR) {
        const cycles = Math.ceil((year - VTIMEZONE_MAX_YEAR) / 400);
        e -= cycles * GREGORIAN_CYCLE_MS;
        year -= cycles * 400;
      }
      ensure(year + 1);
      // Last transition at or before e.
      let lo = 0;
      let hi = epochs.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (epochs[mid]! <= e) {
          found = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return found < 0 ? firstPrev : offsets[found]!;
    },
  };
  vtimezoneZones.set(tz, zone);
  return zone;
}

/**
 * Checks that a VTIMEZONE is safe and meaningful to hand to ICAL.Timezone:
 * every STANDARD/DAYLIGHT has DTSTART, TZOFFSETFROM and TZOFFSETTO (< 24 h), and
 * any RRULE is yearly (a FREQ=SECONDLY rule would make ical.js expand forever).
 */
export function isUsableVTimezone(vtz: ICAL.Component): boolean {
  const tzid = vtz.getFirstPropertyValue('tzid');
  if (typeof tzid !== 'string' || tzid.trim() === '') return false;
  const subs = vtz.getAllSubcomponents().filter((c) => c.name === 'standard' || c.name === 'daylight');
  if (subs.length === 0) return false;
  try {
    for (const sub of subs) {
      if (!sub.hasProperty('dtstart') || !sub.hasProperty('tzoffsetto') || !sub.hasProperty('tzoffsetfrom')) {
        return false;
      }
      const start = sub.getFirstPropertyValue('dtstart') as ICAL.Time | null;
      if (!start || !Number.isFinite(start.year) || start.year < 1 || start.year > 9999) return false;
      for (const name of ['tzoffsetto', 'tzoffsetfrom']) {
        const off = sub.getFirstPropertyValue(name) as ICAL.UtcOffset | null;
        if (!off || !Number.isFinite(off.hours) || !Number.isFinite(off.minutes) || off.hours >= 24) return false;
      }
      for (const prop of sub.getAllProperties('rrule')) {
        const rule = prop.getFirstValue() as ICAL.Recur;
        if (rule.freq !== 'YEARLY') return false;
      }
      if (sub.getAllProperties('rdate').reduce((n, p) => n + p.getValues().length, 0) > 10000) return false;
    }
  } catch {
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Resolution and conversion
// ---------------------------------------------------------------------------

/**
 * The zone a DATE-TIME value lives in. `utc` → UTC; no TZID → floating (the
 * default zone); TZID → VTIMEZONE of the object, else IANA/alias, else floating.
 */
export function resolveTzid(tzid: string | null | undefined, options: ZoneOptions = {}, utc = false): Zone {
  if (utc) return UTC_ZONE;
  if (tzid) {
    const vtz = options.timezones?.get(tzid);
    if (vtz) return vtimezoneZone(vtz);
    const z = aliasZone(tzid);
    if (z) return z;
  }
  const def = defaultZoneFor(options.defaultZone);
  return { id: def.id, source: 'floating', offsetAt: def.offsetAt, ...(def.fixedOffset !== undefined ? { fixedOffset: def.fixedOffset } : {}) };
}

/**
 * Instant of a wall-clock time (wall ms) in `zone`.
 * Gap (nonexistent local time): uses the offset before the gap, so the result is
 * shifted forward by the gap length (RFC 5545 §3.3.5). Overlap: the earlier instant.
 */
export function wallToEpoch(wall: number, zone: Zone): number {
  if (zone.fixedOffset !== undefined) return wall - zone.fixedOffset;
  const before = zone.offsetAt(wall - DAY_MS);
  const after = zone.offsetAt(wall + DAY_MS);
  if (before === after && zone.offsetAt(wall - before) === before) return wall - before;
  const candidates = new Set([before, after, zone.offsetAt(wall - before), zone.offsetAt(wall - after)]);
  let best: number | undefined;
  for (const o of candidates) {
    const e = wall - o;
    if (zone.offsetAt(e) === o && (best === undefined || e < best)) best = e;
  }
  if (best !== undefined) return best;
  return wall - before; // nonexistent: interpret with the offset in effect before the gap
}

/**
 * A lower bound for the instant of any wall-clock time >= `wall` in `zone`
 * (wallToEpoch is monotonic except inside a DST gap, where a later wall time can
 * map to an earlier instant). Used by the index to mark "open from here".
 */
export function earliestEpochFrom(wall: number, zone: Zone): number {
  if (zone.fixedOffset !== undefined) return wall - zone.fixedOffset;
  const maxOffset = Math.max(zone.offsetAt(wall - DAY_MS), zone.offsetAt(wall + DAY_MS), zone.offsetAt(wall));
  return Math.min(wallToEpoch(wall, zone), wall - maxOffset);
}

/** Wall-clock time (wall ms) of an instant in `zone`. */
export function epochToWall(epochMs: number, zone: Zone): number {
  return epochMs + zone.offsetAt(epochMs);
}

export function wallClockToEpoch(w: WallClock, zone: Zone): number {
  return wallToEpoch(wallFromFields(w.year, w.month, w.day, w.hour, w.minute, w.second), zone);
}

export function epochToWallClock(epochMs: number, zone: Zone): WallClock {
  return fieldsOfWall(epochToWall(epochMs, zone));
}

/**
 * Convenience: epoch ms of a wall-clock date-time in a TZID (see module doc for
 * the resolution order). `tzid` undefined/null means floating; pass utc=true
 * for a "Z" value.
 */
export function zonedTimeToEpoch(w: WallClock, tzid: string | null | undefined, options: ZoneOptions & { utc?: boolean } = {}): number {
  return wallClockToEpoch(w, resolveTzid(tzid, options, options.utc));
}
