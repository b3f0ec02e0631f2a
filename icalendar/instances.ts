/**
 * instances.ts — expands a parsed calendar object into concrete instances
 * (start/end instants) and selects those overlapping a time window, following
 * the CalDAV time-range rules of RFC 4791 §9.9.
 *
 * Recurrence (RFC 5545 §3.8.5): the recurrence set is DTSTART, plus RRULE
 * occurrences, plus RDATEs, minus EXDATEs; components with a RECURRENCE-ID
 * (RFC 5545 §3.8.4.4) replace the instance they name — they may move it into or
 * out of the window, and one whose RECURRENCE-ID matches nothing still counts.
 * Rules are iterated by ical.js in the *wall-clock time of the event's own zone*
 * (a floating ICAL.Time) and each occurrence is converted with zones.ts, so a
 * weekly 09:00 Europe/London event stays at 09:00 local across DST.
 *
 * Lengths: DTEND gives an exact duration (same for every instance, RFC 5545
 * §3.8.5.3); DURATION weeks/days are nominal (added in wall-clock time) and its
 * hours/minutes/seconds exact (§3.3.6). All-day (VALUE=DATE) instances run from
 * midnight to midnight in the caller's default zone, DTEND exclusive; a DATE
 * DTSTART without DTEND/DURATION lasts one day; a DATE-TIME one has zero length.
 *
 * Safety: ical.js's iterator can loop forever inside a single next() (e.g.
 * FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30), so every internal step is charged against
 * a budget; and for frequent rules (SECONDLY…WEEKLY) iteration starts a whole
 * number of periods before the window instead of at DTSTART, so a daily rule
 * queried years ahead costs a handful of steps. Results are capped at
 * maxInstances; when a cap or the budget cuts expansion short, `truncated` says so.
 */
import ICAL from 'ical.js';
import type { ParsedCalendar } from './parse.js';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
  dayOfWall,
  daysInMonth,
  durationDays,
  durationExactMs,
  fieldsOfWall,
  formatWall,
  isPeriod,
  parseJCalDateTime,
  readDateTime,
  readDateTimes,
  readDuration,
  readRDates,
  wallFromFields,
  wallOf,
  type DateTimeValue,
} from './values.js';
import { UTC_ZONE, defaultZoneFor, earliestEpochFrom, epochToWall, resolveTzid, wallToEpoch, type Zone, type ZoneOptions } from './zones.js';

export interface Instance {
  /** Epoch ms. */
  start: number;
  /** Epoch ms; equals start for zero-length instances. */
  end: number;
  /** DTSTART is a DATE (VALUE=DATE). */
  allDay: boolean;
  /** TRANSP:TRANSPARENT on a VEVENT; always true for VTODO/VJOURNAL (they never block time). */
  transparent: boolean;
  /** STATUS:CANCELLED. */
  cancelled: boolean;
  /** Identifies the occurrence within a recurring series, e.g. '20260310T090000' (local to the
   * series' zone, 'Z' appended for a UTC series) or '20260310' for all-day series. */
  recurrenceId?: string;
  summary?: string;
  uid: string;
  zeroLength: boolean;
  /** Set when a `RECURRENCE-ID;RANGE=THISANDFUTURE` override shaped this occurrence: that
   * override's recurrenceId (its properties, not the master's, describe the occurrence). */
  shapedBy?: string;
}

export interface TimeWindow {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
}

export interface ExpandOptions {
  /** IANA zone for floating times and all-day dates (the user's / calendar's zone). Default 'UTC'. */
  defaultZone?: string;
  /** Maximum number of instances returned (default 5000). */
  maxInstances?: number;
}

export interface ExpandResult {
  instances: Instance[];
  /** True when maxInstances or the iteration budget stopped expansion early. */
  truncated: boolean;
  /** Recurrence iteration steps spent: a deterministic measure of the work done. */
  steps: number;
}

export const DEFAULT_MAX_INSTANCES = 5000;
/** Smallest / largest instants a JS Date can hold; used for open-ended VTODO ranges. */
export const MIN_TIME = -8.64e15;
export const MAX_TIME = 8.64e15;

/** Largest wall-clock time we iterate to: 9999-12-31T23:59:59. */
const MAX_WALL = wallFromFields(9999, 12, 31, 23, 59, 59);
/** Bigger than any UTC offset: wall - offset > window.end is certain past this margin. */
const OFFSET_MARGIN = 2 * DAY_MS;

// ---------------------------------------------------------------------------
// Matching (RFC 4791 §9.9)
// ---------------------------------------------------------------------------

/**
 * How a candidate is compared with a window. 'event' is the VEVENT/VJOURNAL rule
 * (half-open overlap, or start ∈ [window) for zero length); the others are rows of
 * the RFC 4791 §9.9 VTODO table.
 */
export type MatchRule = 'event' | 'todo-duration' | 'todo-due' | 'todo-due-only' | 'closed' | 'after-created' | 'always';

export function matchesWindow(start: number, end: number, rule: MatchRule, w: TimeWindow): boolean {
  switch (rule) {
    case 'event':
      return end > start ? start < w.end && end > w.start : w.start <= start && start < w.end;
    case 'todo-duration': // (start <= DTSTART+DURATION) AND ((end > DTSTART) OR (end >= DTSTART+DURATION))
      return w.start <= end && (w.end > start || w.end >= end);
    case 'todo-due': // ((start < DUE) OR (start <= DTSTART)) AND ((end > DTSTART) OR (end >= DUE))
      return (w.start < end || w.start <= start) && (w.end > start || w.end >= end);
    case 'todo-due-only': // (start < DUE) AND (end >= DUE)
      return w.start < start && w.end >= start;
    case 'closed': // COMPLETED and/or CREATED: the window touches [min, max]
      return w.start <= end && w.end >= start;
    case 'after-created': // (end > CREATED)
      return w.end > start;
    case 'always':
      return true;
  }
}

// ---------------------------------------------------------------------------
// Component templates
// ---------------------------------------------------------------------------

/** End = (days ? wall + days in wall-clock time : start) + exactMs. */
export interface Length {
  days: number;
  exactMs: number;
}

/** What one component (master or override) says about its instances. Internal (used by spans.ts). */
export interface Template {
  comp: ICAL.Component;
  kind: string;
  isDate: boolean;
  /** Zone of the DTSTART wall clock (the default zone for all-day). */
  zone: Zone;
  utc: boolean;
  /** DTSTART as wall ms in `zone`, and as an instant. */
  startWall: number;
  startEpoch: number;
  length: Length;
  match: MatchRule;
  /** For a VTODO without DTSTART: its single, non-recurring range. */
  fixed?: { start: number; end: number };
  transparent: boolean;
  cancelled: boolean;
  summary?: string;
  recurrenceId?: DateTimeValue;
}

export interface Ctx {
  uid: string;
  zoneOptions: ZoneOptions;
  defaultZone: Zone;
  zoneCache: Map<string, Zone>;
  /** Remaining ical.js iteration steps (shared by all rules of one call). */
  budget: number;
  truncated: boolean;
}

function zoneFor(v: DateTimeValue, ctx: Ctx, floating?: Zone): Zone {
  if (v.isDate) return ctx.defaultZone;
  if (v.utc) return UTC_ZONE;
  if (!v.tzid) return floating ?? resolveTzid(undefined, ctx.zoneOptions);
  let z = ctx.zoneCache.get(v.tzid);
  if (!z) {
    z = resolveTzid(v.tzid, ctx.zoneOptions);
    ctx.zoneCache.set(v.tzid, z);
  }
  return z;
}

/** Instant of a value; floating values use `floating` (the series' zone) when given. */
function epochOf(v: DateTimeValue, ctx: Ctx, floating?: Zone): number {
  return wallToEpoch(wallOf(v), zoneFor(v, ctx, floating));
}

/** The end of an occurrence starting at `wall` (in `zone`) and `start` (its instant), never before it. */
export function endFor(len: Length, wall: number, start: number, zone: Zone): number {
  const end = (len.days !== 0 ? wallToEpoch(wall + len.days * DAY_MS, zone) : start) + len.exactMs;
  return end < start ? start : end;
}

function textProp(comp: ICAL.Component, name: string): string | undefined {
  const v = comp.getFirstPropertyValue(name);
  return typeof v === 'string' ? v : undefined;
}

function optional<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined; // parse.ts already rejected unreadable values; be lenient here
  }
}

function firstDate(comp: ICAL.Component, name: string): DateTimeValue | undefined {
  const p = comp.getFirstProperty(name);
  return p ? optional(() => readDateTime(p)) : undefined;
}

/** Builds the template of a component, or undefined if it yields no instances. */
export function buildTemplate(comp: ICAL.Component, ctx: Ctx): Template | undefined {
  const kind = comp.name.toUpperCase();
  if (kind !== 'VEVENT' && kind !== 'VTODO' && kind !== 'VJOURNAL') return undefined;
  const recurrenceId = firstDate(comp, 'recurrence-id');
  const status = textProp(comp, 'status')?.trim().toUpperCase();
  const transp = textProp(comp, 'transp')?.trim().toUpperCase();
  const summary = textProp(comp, 'summary');
  const base = {
    comp,
    kind,
    transparent: kind === 'VEVENT' ? transp === 'TRANSPARENT' : true,
    cancelled: status === 'CANCELLED',
    ...(summary !== undefined ? { summary } : {}),
    ...(recurrenceId ? { recurrenceId } : {}),
  };

  // A VEVENT override without DTSTART (only legal with METHOD) starts at its RECURRENCE-ID.
  const start = firstDate(comp, 'dtstart') ?? (kind === 'VEVENT' ? recurrenceId : undefined);
  const dtend = firstDate(comp, 'dtend');
  const due = firstDate(comp, 'due');
  const durProp = comp.getFirstProperty('duration');
  const duration = durProp ? optional(() => readDuration(durProp)) : undefined;

  if (!start) {
    if (kind !== 'VTODO') return undefined; // VJOURNAL without DTSTART never matches
    const completed = firstDate(comp, 'completed');
    const created = firstDate(comp, 'created');
    let fixed: { start: number; end: number };
    let match: MatchRule;
    if (due) {
      const e = epochOf(due, ctx);
      fixed = { start: e, end: e };
      match = 'todo-due-only';
    } else if (completed && created) {
      const a = epochOf(completed, ctx);
      const b = epochOf(created, ctx);
      fixed = { start: Math.min(a, b), end: Math.max(a, b) };
      match = 'closed';
    } else if (completed) {
      const c = epochOf(completed, ctx);
      fixed = { start: c, end: c };
      match = 'closed';
    } else if (created) {
      fixed = { start: epochOf(created, ctx), end: MAX_TIME };
      match = 'after-created';
    } else {
      fixed = { start: MIN_TIME, end: MAX_TIME };
      match = 'always';
    }
    return {
      ...base,
      isDate: false,
      zone: ctx.defaultZone,
      utc: false,
      startWall: fixed.start,
      startEpoch: fixed.start,
      length: { days: 0, exactMs: fixed.end - fixed.start },
      match,
      fixed,
    };
  }

  const zone = zoneFor(start, ctx);
  const startWall = wallOf(start);
  const startEpoch = wallToEpoch(startWall, zone);

  /** Length from DTSTART to an explicit end value (DTEND or DUE). */
  const lengthTo = (end: DateTimeValue): Length => {
    if (start.isDate) {
      const diff = wallOf(end) - startWall; // a DATE-TIME end on an all-day start: whole days + rest
      const days = Math.floor(diff / DAY_MS);
      return { days, exactMs: diff - days * DAY_MS };
    }
    return { days: 0, exactMs: epochOf(end, ctx, zone) - startEpoch };
  };

  let length: Length;
  let match: MatchRule = 'event';
  if (kind === 'VEVENT') {
    if (dtend) length = lengthTo(dtend);
    else if (duration) length = { days: durationDays(duration), exactMs: durationExactMs(duration) };
    else length = start.isDate ? { days: 1, exactMs: 0 } : { days: 0, exactMs: 0 };
  } else if (kind === 'VTODO') {
    if (due) {
      length = lengthTo(due);
      match = 'todo-due';
    } else if (duration) {
      length = { days: durationDays(duration), exactMs: durationExactMs(duration) };
      match = 'todo-duration';
    } else {
      length = { days: 0, exactMs: 0 };
    }
  } else {
    length = start.isDate ? { days: 1, exactMs: 0 } : { days: 0, exactMs: 0 };
  }

  return { ...base, isDate: start.isDate, zone, utc: start.utc, startWall, startEpoch, length, match };
}

// ---------------------------------------------------------------------------
// Recurrence
// ---------------------------------------------------------------------------

/** One member of a recurrence set: wall ms in the series' zone, and its span. */
export interface Occurrence {
  wall: number;
  start: number;
  end: number;
}

const STEP_MS: Partial<Record<string, number>> = {
  SECONDLY: SECOND_MS,
  MINUTELY: MINUTE_MS,
  HOURLY: HOUR_MS,
  DAILY: DAY_MS,
  WEEKLY: 7 * DAY_MS,
};
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

function timeFromWall(wall: number, isDate: boolean): ICAL.Time {
  const f = fieldsOfWall(wall);
  return isDate ? ICAL.Time.fromData({ year: f.year, month: f.month, day: f.day, isDate: true }) : ICAL.Time.fromData({ ...f, isDate: false });
}

/** False when BYMONTHDAY names no day that exists in any month BYMONTH allows. */
function monthDaysPossible(rule: ICAL.Recur): boolean {
  const monthDays = rule.parts.BYMONTHDAY;
  if (!monthDays || monthDays.length === 0) return true;
  const months = rule.parts.BYMONTH && rule.parts.BYMONTH.length ? rule.parts.BYMONTH.map(Number) : [1];
  return months.some((m) => {
    const max = m === 2 ? 29 : [4, 6, 9, 11].includes(m) ? 30 : 31;
    return monthDays.some((d) => Math.abs(Number(d)) >= 1 && Math.abs(Number(d)) <= max);
  });
}

const BUDGET_EXHAUSTED = new Error('iteration budget exhausted');

/** Lazily yields the wall times of one RRULE, in order, within [lowerWall, upperWall]. */
class RuleStream {
  private iterator: ICAL.RecurIterator | undefined;
  private done = false;
  /** Occurrences COUNT still allows (null: no COUNT). Counted here, not by ical.js. */
  private remaining: number | null = null;
  /** True until the first occurrence has been seen (see next()). */
  private first = true;
  private readonly skippedAhead: boolean;
  private readonly untilOk: (wall: number) => boolean;
  private readonly partsOk: (wall: number) => boolean;

  constructor(
    private readonly series: Series,
    rule: ICAL.Recur,
    rawUntil: string | undefined,
    private readonly lowerWall: number,
    private readonly upperWall: number,
  ) {
    const t = series.t;
    const ctx = series.ctx;
    const { check, looseWall } = this.untilCheck(rawUntil);
    this.untilOk = check;
    this.partsOk = this.partsCheck(rule);

    let count = rule.count ?? null;
    this.skippedAhead = false;
    if (count !== null && count < 1) {
      this.done = true;
      return;
    }
    if (!monthDaysPossible(rule)) {
      this.done = true; // e.g. BYMONTH=2;BYMONTHDAY=30: ical.js would search forever
      return;
    }
    const r = rule.clone();
    // Fast-forward: start a whole number of periods before the window. Exact for
    // SECONDLY…WEEKLY rules (their BYxxx parts act within one period); with COUNT
    // only when no BYxxx part exists, so that each period holds exactly one occurrence.
    let anchor = t.startWall;
    const step = (STEP_MS[r.freq] ?? 0) * Math.max(1, r.interval || 1);
    if (step > 0 && Number.isFinite(lowerWall) && (count === null || Object.keys(r.parts).length === 0)) {
      const k = Math.floor((lowerWall - t.startWall) / step) - 1;
      if (k >= 1) {
        anchor = t.startWall + k * step;
        if (count !== null) count -= k;
      }
    }
    if (count !== null && count < 1) {
      this.done = true;
      return;
    }
    this.remaining = count;
    this.skippedAhead = anchor !== t.startWall;
    // COUNT is enforced in next(): ical.js would count the bogus dates partsCheck drops,
    // and would not count a DTSTART that does not match the rule.
    r.count = null;
    // ical.js compares UNTIL with floating wall times; give it a loose bound only
    // (it also bounds ical.js's search for sparse YEARLY rules); untilOk is exact.
    r.until = timeFromWall(Math.max(anchor, Math.min(upperWall, looseWall, MAX_WALL)), false);
    try {
      const it = r.iterator(timeFromWall(anchor, t.isDate));
      const original = it.check_contracting_rules.bind(it);
      it.check_contracting_rules = () => {
        if (--ctx.budget < 0) throw BUDGET_EXHAUSTED;
        return original();
      };
      this.iterator = it;
      if (it.completed) this.done = true;
    } catch {
      this.done = true; // rule-part combination ical.js rejects: no occurrences from it
    }
  }

  /** UNTIL is inclusive (RFC 5545 §3.3.10); compared in the value's own terms. */
  private untilCheck(raw: string | undefined): { check: (wall: number) => boolean; looseWall: number } {
    const t = this.series.t;
    const ctx = this.series.ctx;
    const v = raw === undefined ? undefined : optional(() => parseJCalDateTime(raw, raw.length === 10 ? 'date' : 'date-time'));
    if (!v) return { check: () => true, looseWall: Infinity };
    const w = wallOf(v);
    if (t.isDate) {
      if (v.isDate || (!v.utc && !v.tzid)) return { check: (wall) => wall <= w, looseWall: w };
      // All-day series with a UTC UNTIL: accept the UNTIL's UTC date, or anything
      // whose midnight (in the default zone) is not after it.
      const u = epochOf(v, ctx);
      const day = dayOfWall(w);
      return {
        check: (wall) => wall <= day || wallToEpoch(wall, ctx.defaultZone) <= u,
        looseWall: Math.max(day, u + OFFSET_MARGIN),
      };
    }
    if (v.isDate) return { check: (wall) => wall < w + DAY_MS, looseWall: w + DAY_MS };
    if (!v.utc && !v.tzid) return { check: (wall) => wall <= w, looseWall: w };
    const u = epochOf(v, ctx, t.zone);
    return { check: (wall) => wallToEpoch(wall, t.zone) <= u, looseWall: u + OFFSET_MARGIN };
  }

  /**
   * Necessary conditions every occurrence must meet. ical.js occasionally emits
   * dates that violate the rule (e.g. FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30 yields
   * March 2nd); those are dropped here.
   */
  private partsCheck(rule: ICAL.Recur): (wall: number) => boolean {
    const parts = rule.parts;
    const nums = (a: unknown[] | undefined): Set<number> | undefined => (a && a.length ? new Set(a.map(Number)) : undefined);
    const months = nums(parts.BYMONTH);
    const monthDays = nums(parts.BYMONTHDAY);
    const weekdays = parts.BYDAY && parts.BYDAY.length ? new Set(parts.BYDAY.map((d) => String(d).slice(-2).toUpperCase())) : undefined;
    const isDate = this.series.t.isDate;
    const hours = isDate ? undefined : nums(parts.BYHOUR);
    const minutes = isDate ? undefined : nums(parts.BYMINUTE);
    const seconds = isDate ? undefined : nums(parts.BYSECOND);
    if (!months && !monthDays && !weekdays && !hours && !minutes && !seconds) return () => true;
    return (wall) => {
      const d = new Date(wall);
      const month = d.getUTCMonth() + 1;
      if (months && !months.has(month)) return false;
      if (monthDays) {
        const day = d.getUTCDate();
        if (!monthDays.has(day) && !monthDays.has(day - daysInMonth(d.getUTCFullYear(), month) - 1)) return false;
      }
      if (weekdays && !weekdays.has(WEEKDAYS[d.getUTCDay()]!)) return false;
      if (hours && !hours.has(d.getUTCHours())) return false;
      if (minutes && !minutes.has(d.getUTCMinutes())) return false;
      if (seconds && !seconds.has(d.getUTCSeconds())) return false;
      return true;
    };
  }

  /** Next wall time, or undefined when the rule is exhausted (or the budget is). */
  next(): number | undefined {
    const ctx = this.series.ctx;
    while (!this.done && this.iterator) {
      if (--ctx.budget < 0) {
        ctx.truncated = this.series.truncated = true;
        this.done = true;
        break;
      }
      let o: ICAL.Time | null;
      try {
        o = this.iterator.next();
      } catch {
        // Budget exhausted inside ical.js, or one of its internal consistency errors.
        ctx.truncated = this.series.truncated = true;
        this.done = true;
        break;
      }
      if (!o) {
        this.done = true;
        break;
      }
      const wall = o.isDate ? wallFromFields(o.year, o.month, o.day) : wallFromFields(o.year, o.month, o.day, o.hour, o.minute, o.second);
      if (!this.partsOk(wall)) continue;
      if (this.remaining !== null) {
        // "The DTSTART property value always counts as the first occurrence"
        // (RFC 5545 §3.3.10), even when it does not match the rule.
        if (this.first && !this.skippedAhead && wall !== this.series.t.startWall) this.remaining--;
        if (this.remaining <= 0) {
          this.done = true;
          break;
        }
        this.remaining--;
      }
      this.first = false;
      if (wall < this.lowerWall) continue;
      if (wall > this.upperWall || !this.untilOk(wall)) {
        this.done = true;
        break;
      }
      return wall;
    }
    return undefined;
  }
}

/** A master component with its recurrence set (minus EXDATEs and overridden instances). Internal (used by spans.ts). */
export class Series {
  truncated = false;
  readonly recurring: boolean;
  private readonly exEpochs = new Set<number>();
  private readonly exDays = new Set<number>();
  private readonly fixed: Occurrence[] = [];
  private readonly fixedKeys = new Set<number>();
  private readonly rules: Array<{ rule: ICAL.Recur; until: string | undefined }> = [];

  constructor(
    readonly t: Template,
    readonly ctx: Ctx,
    overrides: readonly Template[],
  ) {
    const comp = t.comp;
    for (const p of comp.getAllProperties('rrule')) {
      const rule = optional(() => p.getFirstValue() as ICAL.Recur);
      const raw = p.jCal[3] as Record<string, unknown> | undefined;
      if (rule && rule.freq) this.rules.push({ rule, until: raw?.['until'] === undefined ? undefined : String(raw['until']) });
    }
    const rdates = comp.getAllProperties('rdate').flatMap((p) => optional(() => readRDates(p)) ?? []);
    this.recurring = t.fixed === undefined && (this.rules.length > 0 || rdates.length > 0);

    // EXDATEs and overridden RECURRENCE-IDs both remove a member of the set.
    const exclude = (v: DateTimeValue): void => {
      if (t.isDate || v.isDate) this.exDays.add(dayOfWall(wallOf(v)));
      else this.exEpochs.add(epochOf(v, ctx, t.zone));
    };
    for (const p of comp.getAllProperties('exdate')) for (const v of optional(() => readDateTimes(p)) ?? []) exclude(v);
    for (const o of overrides) if (o.recurrenceId) exclude(o.recurrenceId);

    if (t.fixed) {
      this.fixed.push({ wall: t.fixed.start, start: t.fixed.start, end: t.fixed.end });
      return;
    }
    // DTSTART is always the first member (RFC 5545 §3.8.5.1), then RDATEs (§3.8.5.2).
    const members: Occurrence[] = [this.occurrenceAt(t.startWall, t.startEpoch)];
    const timeOfDay = t.startWall - dayOfWall(t.startWall);
    for (const v of rdates) {
      const s = isPeriod(v) ? v.start : v;
      if (t.isDate) {
        members.push(this.occurrenceAt(dayOfWall(wallOf(s))));
      } else if (s.isDate) {
        members.push(this.occurrenceAt(wallOf(s) + timeOfDay));
      } else {
        const start = epochOf(s, ctx, t.zone);
        const wall = epochToWall(start, t.zone);
        const occ = this.occurrenceAt(wall, start);
        if (isPeriod(v)) {
          if (v.end) occ.end = Math.max(start, epochOf(v.end, ctx, t.zone));
          else if (v.duration) occ.end = endFor({ days: durationDays(v.duration), exactMs: durationExactMs(v.duration) }, wall, start, t.zone);
        }
        members.push(occ);
      }
    }
    members.sort((a, b) => a.wall - b.wall || a.start - b.start);
    for (const m of members) {
      const key = this.key(m);
      if (this.fixedKeys.has(key)) continue; // duplicates count once
      this.fixedKeys.add(key);
      if (!this.excluded(m)) this.fixed.push(m);
    }
  }

  private key(o: { wall: number; start: number }): number {
    return this.t.isDate ? dayOfWall(o.wall) : o.start;
  }

  private excluded(o: { wall: number; start: number }): boolean {
    return this.exDays.has(dayOfWall(o.wall)) || (!this.t.isDate && this.exEpochs.has(o.start));
  }

  /** Zone in which this series' wall times are converted. */
  get zone(): Zone {
    return this.t.zone;
  }

  occurrenceAt(wall: number, start = wallToEpoch(wall, this.t.zone)): Occurrence {
    return { wall, start, end: endFor(this.t.length, wall, start, this.t.zone) };
  }

  /** Longest instance length, as a bound on how far before a window an overlapping instance can start. */
  get maxLengthMs(): number {
    const len = this.t.length;
    return Math.max(0, len.days * 25 * HOUR_MS + len.exactMs, len.exactMs);
  }

  /**
   * An instant no member of the series ends after: Infinity when a rule has neither UNTIL nor a
   * COUNT whose reach is plain arithmetic. Loose (days), for indexing a series by its overall span.
   */
  get endBound(): number {
    let wall = this.fixed.reduce((m, o) => Math.max(m, o.wall), -Infinity);
    for (const { rule, until } of this.rules) {
      if (until !== undefined) {
        const v = optional(() => parseJCalDateTime(until, until.length === 10 ? 'date' : 'date-time'));
        if (!v) return Infinity;
        wall = Math.max(wall, wallOf(v) + DAY_MS);
      } else if (rule.count != null && Object.keys(rule.parts).length === 0) {
        // Without BYxxx parts every period holds exactly one member.
        const periods = Math.max(0, rule.count - 1) * Math.max(1, rule.interval || 1);
        const period = STEP_MS[rule.freq] ?? (rule.freq === 'MONTHLY' ? 31 * DAY_MS : rule.freq === 'YEARLY' ? 366 * DAY_MS : undefined);
        if (period === undefined) return Infinity;
        wall = Math.max(wall, this.t.startWall + periods * period);
      } else {
        return Infinity;
      }
    }
    if (!Number.isFinite(wall)) return wall;
    return Math.min(MAX_TIME, wall + OFFSET_MARGIN + this.maxLengthMs);
  }

  /** recurrenceId string of a member, in the series' own format. */
  recurrenceIdOf(wall: number): string {
    return formatWall(wall, this.t.isDate, this.t.utc);
  }

  /**
   * Members in wall-clock order. Rule occurrences are limited to
   * [lowerWall, upperWall]; DTSTART and RDATEs are always yielded.
   */
  *occurrences(lowerWall = -Infinity, upperWall = Infinity): Generator<Occurrence> {
    const streams = this.rules.map((r) => new RuleStream(this, r.rule, r.until, lowerWall, upperWall));
    const heads = streams.map((s) => s.next());
    let fi = 0;
    let last: Occurrence | undefined;
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h !== undefined && (best < 0 || h < heads[best]!)) best = i;
      }
      const fixed = this.fixed[fi];
      if (fixed && (best < 0 || fixed.wall <= heads[best]!)) {
        fi++;
        last = fixed;
        yield fixed;
        continue;
      }
      if (best < 0) return;
      const wall = heads[best]!;
      heads[best] = streams[best]!.next();
      const start = wallToEpoch(wall, this.t.zone);
      const probe = { wall, start };
      if (this.fixedKeys.has(this.key(probe)) || this.excluded(probe)) continue;
      if (last && last.wall === wall && last.start === start) continue; // same member from two RRULEs
      last = this.occurrenceAt(wall, start);
      yield last;
    }
  }
}

// ---------------------------------------------------------------------------
// Preparation shared with spans.ts
// ---------------------------------------------------------------------------

export interface Prepared {
  ctx: Ctx;
  series: Series[];
  overrides: Array<{ t: Template; recurrenceId: string | undefined }>;
}

/** Step budget for ical.js iteration: generous for real rules, bounded for hostile ones. */
export function stepBudget(maxInstances: number): number {
  return 20_000 + 20 * Math.max(0, maxInstances);
}

export function prepare(parsed: ParsedCalendar, defaultZone: string | undefined, maxInstances: number): Prepared {
  const zoneOptions: ZoneOptions = { timezones: parsed.timezones, ...(defaultZone !== undefined ? { defaultZone } : {}) };
  const ctx: Ctx = {
    uid: parsed.uid,
    zoneOptions,
    defaultZone: defaultZoneFor(defaultZone),
    zoneCache: new Map(),
    budget: stepBudget(maxInstances),
    truncated: false,
  };
  const overrideTemplates = parsed.overrides.map((c) => buildTemplate(c, ctx)).filter((t): t is Template => !!t);
  const series: Series[] = [];
  parsed.masters.forEach((c, i) => {
    const t = buildTemplate(c, ctx);
    // Overrides belong to the (first) master; extra masters — invalid per RFC 4791
    // §4.1 — are expanded on their own rather than dropped.
    if (t) series.push(new Series(t, ctx, i === 0 ? overrideTemplates : []));
  });
  const primary = parsed.masters.length ? series[0] : undefined;
  const overrides = overrideTemplates.map((t) => ({ t, recurrenceId: overrideRecurrenceId(t, primary, ctx) }));
  return { ctx, series, overrides };
}

/** recurrenceId of an override, in its master's format when there is one. */
function overrideRecurrenceId(t: Template, master: Series | undefined, ctx: Ctx): string | undefined {
  const rid = t.recurrenceId;
  if (!rid) return undefined;
  if (master && master.t.isDate) return formatWall(dayOfWall(wallOf(rid)), true);
  if (master && !rid.isDate) {
    const e = epochOf(rid, ctx, master.zone);
    return master.recurrenceIdOf(epochToWall(e, master.zone));
  }
  return formatWall(wallOf(rid), rid.isDate, rid.utc);
}

/** Span of a single (non-recurring) component, e.g. an override. */
export function templateSpan(t: Template): { start: number; end: number } {
  if (t.fixed) return t.fixed;
  return { start: t.startEpoch, end: endFor(t.length, t.startWall, t.startEpoch, t.zone) };
}

function makeInstance(t: Template, ctx: Ctx, start: number, end: number, recurrenceId: string | undefined): Instance {
  return {
    uid: ctx.uid,
    start,
    end,
    allDay: t.isDate,
    zeroLength: start === end,
    transparent: t.transparent,
    cancelled: t.cancelled,
    ...(recurrenceId !== undefined ? { recurrenceId } : {}),
    ...(t.summary !== undefined ? { summary: t.summary } : {}),
  };
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/**
 * Instances overlapping `window` (RFC 4791 §9.9), sorted by start, plus whether
 * the result was cut short by maxInstances or the iteration budget.
 */
export function expandInstancesDetailed(parsed: ParsedCalendar, window: TimeWindow, options: ExpandOptions = {}): ExpandResult {
  if (Number.isNaN(window.start) || Number.isNaN(window.end)) throw new RangeError('window.start and window.end must be numbers (epoch ms)');
  const max = Math.max(0, Math.floor(options.maxInstances ?? DEFAULT_MAX_INSTANCES));
  const { ctx, series, overrides } = prepare(parsed, options.defaultZone, max);
  const out: Instance[] = [];
  let truncated = false;

  const ranges = series[0]?.recurring ? thisAndFutureRanges(overrides, series[0], ctx) : [];
  // A shifted occurrence can start up to `reach` away from its place in the rule.
  const reach = ranges.reduce((m, r) => Math.max(m, Math.abs(r.shiftMs)), 0);
  for (const [index, s] of series.entries()) {
    // Iterate only the wall-clock stretch that can hold a matching member: a frequent rule (every
    // second) must not walk days of members on either side of the window (see wallBound).
    const lowerWall = wallBound(window.start - s.maxLengthMs - reach, s.zone, 'below');
    const upperWall = wallBound(window.end + reach, s.zone, 'above');
    let found = 0;
    for (const occ of s.occurrences(lowerWall, upperWall)) {
      const range = index === 0 ? rangeFor(ranges, occ.start) : undefined;
      const start = range ? occ.start + range.shiftMs : occ.start;
      const end = range ? start + range.lengthMs : occ.end;
      const t = range ? range.t : s.t;
      if (!matchesWindow(start, end, t.match, window)) continue;
      if (found >= max) {
        truncated = true; // one more exists
        break;
      }
      found++;
      const instance = makeInstance(t, ctx, start, end, s.recurring ? s.recurrenceIdOf(occ.wall) : undefined);
      if (range) instance.shapedBy = range.recurrenceId;
      out.push(instance);
    }
  }
  for (const { t, recurrenceId } of overrides) {
    const { start, end } = templateSpan(t);
    if (matchesWindow(start, end, t.match, window)) out.push(makeInstance(t, ctx, start, end, recurrenceId));
  }

  out.sort((a, b) => a.start - b.start || a.end - b.end);
  if (out.length > max) {
    out.length = max;
    truncated = true;
  }
  return { instances: out, truncated: truncated || ctx.truncated, steps: stepBudget(max) - ctx.budget };
}

/**
 * A wall time in `zone` that every member whose instant is on the given side of `epoch` is on the
 * same side of. A member's wall is its instant plus an offset the zone has near it (the pre-gap one
 * for a wall time a DST gap skips), so the bound is `epoch` plus the smallest (or largest) offset
 * within two days; further away, no offset (−12 h to +14 h) can bring a member across. Fixed-offset
 * zones (UTC, floating in UTC) are exact.
 */
function wallBound(epoch: number, zone: Zone, side: 'below' | 'above'): number {
  if (!Number.isFinite(epoch)) return epoch;
  if (zone.fixedOffset !== undefined) return epoch + zone.fixedOffset;
  let offset = side === 'below' ? Infinity : -Infinity;
  // Every 6 hours: zone offsets stay put for far longer than that between transitions.
  for (let t = epoch - OFFSET_MARGIN; t <= epoch + OFFSET_MARGIN; t += 6 * HOUR_MS) {
    const o = zone.offsetAt(t);
    offset = side === 'below' ? Math.min(offset, o) : Math.max(offset, o);
  }
  return epoch + offset;
}

/**
 * A `RECURRENCE-ID;RANGE=THISANDFUTURE` override (RFC 5545 §3.8.4.4): it changes its own
 * occurrence and every later one: each later occurrence moves by the same offset, takes the
 * override's length and its properties (summary, TRANSP, STATUS). The latest such override at or
 * before an occurrence decides it.
 */
export interface ThisAndFutureRange {
  t: Template;
  recurrenceId: string | undefined;
  /** The overridden occurrence, as an instant. */
  fromEpoch: number;
  shiftMs: number;
  lengthMs: number;
}

export function thisAndFutureRanges(overrides: Prepared['overrides'], master: Series, ctx: Ctx): ThisAndFutureRange[] {
  const out: ThisAndFutureRange[] = [];
  for (const { t, recurrenceId } of overrides) {
    const range = t.comp.getFirstProperty('recurrence-id')?.getParameter('range');
    if (!t.recurrenceId || String(range ?? '').toUpperCase() !== 'THISANDFUTURE') continue;
    const fromEpoch = t.recurrenceId.isDate || master.t.isDate ? wallToEpoch(dayOfWall(wallOf(t.recurrenceId)), master.zone) : epochOf(t.recurrenceId, ctx, master.zone);
    const span = templateSpan(t);
    out.push({ t, recurrenceId, fromEpoch, shiftMs: span.start - fromEpoch, lengthMs: span.end - span.start });
  }
  return out.sort((a, b) => a.fromEpoch - b.fromEpoch);
}

/** The range that shapes an occurrence starting at `start` (strictly after the override's own). */
export function rangeFor(ranges: ThisAndFutureRange[], start: number): ThisAndFutureRange | undefined {
  let found: ThisAndFutureRange | undefined;
  for (const r of ranges) if (r.fromEpoch < start) found = r;
  return found;
}

/** Instances overlapping `window` (RFC 4791 §9.9), sorted by start. See expandInstancesDetailed. */
export function expandInstances(parsed: ParsedCalendar, window: TimeWindow, options: ExpandOptions = {}): Instance[] {
  return expandInstancesDetailed(parsed, window, options).instances;
}

/** Lower bound of every instant at or after `wall` in the series' zone (for spans.ts). */
export function openFrom(series: Series, wall: number): number {
  return earliestEpochFrom(wall, series.zone);
}
