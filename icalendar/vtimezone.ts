/**
 * vtimezone.ts — a VTIMEZONE (RFC 5545 §3.6.5) for an IANA zone, from the platform's zone data.
 *
 * CalDAV servers serve a calendar's zone as a whole VCALENDAR holding one VTIMEZONE
 * (`CALDAV:calendar-timezone`, RFC 4791 §5.2.2; iCloud does, lambdabaa/dav#130). The transitions
 * are read off Intl (through zones.ts) between two years and written as one STANDARD/DAYLIGHT
 * sub-component per kind of change, each listing its onsets as RDATEs: exact for every year in the
 * span, without guessing the rule the zone follows. A zone without changes is one STANDARD.
 */
import { DAY_MS, formatWall, MINUTE_MS } from './values.js';
import { ianaZone, type Zone } from './zones.js';

export interface VTimezoneOptions {
  /** First and last year whose transitions are listed (default 1970..2037). */
  fromYear?: number;
  toYear?: number;
}

interface Change {
  /** Instant of the change. */
  at: number;
  from: number;
  to: number;
}

const cache = new Map<string, string>();

/** The VTIMEZONE text (CRLF, no trailing newline after END) for `tzid`, or undefined for an unknown zone. */
export function vtimezoneFor(tzid: string, options: VTimezoneOptions = {}): string | undefined {
  const fromYear = options.fromYear ?? 1970;
  const toYear = options.toYear ?? 2037;
  const key = `${tzid}|${fromYear}|${toYear}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const zone = ianaZone(tzid);
  if (!zone) return undefined;
  const start = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(toYear + 1, 0, 1);
  const changes = transitions(zone, start, end);
  const groups = new Map<string, { daylight: boolean; from: number; to: number; onsets: number[] }>();
  for (const c of changes) {
    // Daylight when the change moves clocks forward past the zone's smallest offset (a heuristic
    // that is right for every zone with seasonal time; TZNAME carries the real abbreviation).
    const daylight = c.to > c.from;
    const k = `${daylight}|${c.from}|${c.to}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { daylight, from: c.from, to: c.to, onsets: [] }));
    g.onsets.push(c.at);
  }
  const lines = ['BEGIN:VTIMEZONE', `TZID:${tzid}`];
  if (groups.size === 0) {
    const offset = zone.offsetAt(start);
    lines.push(
      'BEGIN:STANDARD',
      `DTSTART:${formatWall(start + offset, false)}`,
      `TZOFFSETFROM:${offsetText(offset)}`,
      `TZOFFSETTO:${offsetText(offset)}`,
      `TZNAME:${abbreviation(tzid, start)}`,
      'END:STANDARD',
    );
  }
  for (const g of groups.values()) {
    const kind = g.daylight ? 'DAYLIGHT' : 'STANDARD';
    // Onsets are written in the local time in force before the change (RFC 5545 §3.6.5).
    const local = g.onsets.map((at) => formatWall(at + g.from, false));
    lines.push(`BEGIN:${kind}`, `DTSTART:${local[0]}`);
    // One RDATE per line: ical.js (and so tsdav's users) reads only the first value of a list.
    for (const onset of local.slice(1)) lines.push(`RDATE:${onset}`);
    lines.push(`TZOFFSETFROM:${offsetText(g.from)}`, `TZOFFSETTO:${offsetText(g.to)}`, `TZNAME:${abbreviation(tzid, g.onsets[0])}`, `END:${kind}`);
  }
  lines.push('END:VTIMEZONE');
  const text = lines.map(fold).join('\r\n');
  cache.set(key, text);
  return text;
}

/** A whole VCALENDAR holding the zone's VTIMEZONE, as `calendar-timezone` carries it. */
export function calendarTimezoneText(tzid: string, prodid = '-//Apple Inc.//iCloud CalDAV Server//EN'): string | undefined {
  const vtz = vtimezoneFor(tzid);
  return vtz === undefined ? undefined : ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${prodid}`, 'CALSCALE:GREGORIAN', vtz, 'END:VCALENDAR', ''].join('\r\n');
}

function transitions(zone: Zone, start: number, end: number): Change[] {
  const out: Change[] = [];
  if (zone.fixedOffset !== undefined) return out;
  let prev = zone.offsetAt(start);
  // Daily steps find every change (none happen twice in a day); a binary search finds its minute.
  for (let t = start + DAY_MS; t <= end; t += DAY_MS) {
    const o = zone.offsetAt(t);
    if (o === prev) continue;
    let lo = t - DAY_MS;
    let hi = t;
    while (hi - lo > MINUTE_MS) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS || lo + MINUTE_MS;
      if (zone.offsetAt(mid) === prev) lo = mid;
      else hi = mid;
    }
    out.push({ at: hi, from: prev, to: o });
    prev = o;
  }
  return out;
}

function offsetText(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const minutes = Math.abs(ms) / MINUTE_MS;
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
}

function abbreviation(tzid: string, at: number): string {
  try {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tzid, timeZoneName: 'short' }).formatToParts(new Date(at + 12 * 3600_000));
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? tzid;
  } catch {
    return tzid;
  }
}

/** RFC 5545 §3.1: lines longer than 75 octets are folded (RDATE lists get long). */
function fold(line: string): string {
  if (line.length <= 75) return line;
  const parts = [line.slice(0, 75)];
  for (let i = 75; i < line.length; i += 74) parts.push(` ${line.slice(i, i + 74)}`);
  return parts.join('\r\n');
}
