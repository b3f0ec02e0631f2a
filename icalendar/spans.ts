/**
 * spans.ts — the time spans a calendar object occupies, for a time-range index
 * (e.g. the mock CalDAV server answering calendar-query with a time-range
 * filter, RFC 4791 §7.8 / §9.9).
 *
 * The index stores a bounded list of spans per object plus, for series that go
 * on (an RRULE without end, or more members than the cap), an `openEndedFrom`
 * instant: any window reaching past it must be checked precisely with
 * expandInstances. Spans are a superset: an object whose spans do not meet a
 * window (under the usual half-open overlap test, or start ∈ [window) for
 * zero-length spans) has no instance in it.
 *
 * Notes:
 *  - Overridden instances (RECURRENCE-ID components) are always listed, wherever
 *    they moved to; the cap applies to the members generated from each master.
 *  - VTODO rows of the RFC 4791 §9.9 table with closed bounds (DUE only,
 *    COMPLETED/CREATED, DTSTART+DUE/DURATION) are widened by 1 ms on each side
 *    so the half-open test above never misses them; a VTODO with no dates spans
 *    [MIN_TIME, MAX_TIME], one with only CREATED spans [CREATED, MAX_TIME].
 *  - Cancelled and transparent instances are included: time-range queries match them.
 *  - A `RECURRENCE-ID;RANGE=THISANDFUTURE` override moves every later member of its master by its
 *    shift and gives it its length, as expandInstances does; the open-ended bounds widen by the
 *    largest shift so they stay bounds of the shifted members.
 */
import type { ParsedCalendar } from './parse.js';
import { MAX_TIME, MIN_TIME, openFrom, prepare, rangeFor, templateSpan, thisAndFutureRanges, type MatchRule } from './instances.js';

export interface IndexSpanOptions {
  /** Zone for floating times and all-day dates (the calendar's zone). Default 'UTC'. */
  defaultZone?: string;
  /** Maximum members listed per recurring master (default 1000). */
  maxInstances?: number;
}

export interface IndexSpans {
  /** [start, end] epoch ms, sorted by start; [s, s] for zero-length instances. */
  spans: Array<[number, number]>;
  /** Instances may also exist anywhere at or after this instant (epoch ms). */
  openEndedFrom?: number;
  /**
   * With openEndedFrom: no instance ends after this instant (from UNTIL, or a COUNT without BYxxx
   * parts). Absent: the series may go on for ever. Lets an index drop a long series from queries
   * beyond its end instead of expanding it for each of them.
   */
  openEndedUntil?: number;
}

export const DEFAULT_MAX_INDEX_INSTANCES = 1000;

function span(start: number, end: number, rule: MatchRule): [number, number] {
  switch (rule) {
    case 'event':
    case 'after-created':
    case 'always':
      return [start, end];
    default: // closed VTODO bounds: widen so a half-open overlap test is a superset
      return [Math.max(MIN_TIME, start - 1), Math.min(MAX_TIME, end + 1)];
  }
}

export function computeIndexSpans(parsed: ParsedCalendar, options: IndexSpanOptions = {}): IndexSpans {
  const max = Math.max(1, Math.floor(options.maxInstances ?? DEFAULT_MAX_INDEX_INSTANCES));
  const { ctx, series, overrides } = prepare(parsed, options.defaultZone, max);
  const spans: Array<[number, number]> = [];
  let openEndedFrom = Infinity;
  let openEndedUntil = -Infinity;
  // THISANDFUTURE overrides shape the first master's later members (see expandInstances).
  const ranges = series[0]?.recurring ? thisAndFutureRanges(overrides, series[0], ctx) : [];
  const reach = ranges.reduce((m, r) => Math.max(m, Math.abs(r.shiftMs), Math.abs(r.lengthMs)), 0);

  for (const [index, s] of series.entries()) {
    let listed = 0;
    let lastWall: number | undefined;
    const shaped = index === 0 && ranges.length > 0;
    for (const occ of s.occurrences()) {
      if (listed >= max) {
        // The first member not listed; later ones start no earlier than this bound (less any shift).
        openEndedFrom = Math.min(openEndedFrom, occ.start - (shaped ? reach : 0), openFrom(s, occ.wall) - (shaped ? reach : 0));
        openEndedUntil = Math.max(openEndedUntil, s.endBound + (shaped ? 2 * reach : 0));
        break;
      }
      const range = shaped ? rangeFor(ranges, occ.start) : undefined;
      if (range) {
        const start = occ.start + range.shiftMs;
        spans.push(span(start, start + range.lengthMs, range.t.match));
      } else spans.push(span(occ.start, occ.end, s.t.match));
      listed++;
      lastWall = occ.wall;
    }
    if (s.truncated) {
      // The iteration budget ran out: we don't know what follows the last member listed.
      openEndedFrom = Math.min(openEndedFrom, openFrom(s, lastWall ?? s.t.startWall) - (shaped ? reach : 0));
      openEndedUntil = Math.max(openEndedUntil, s.endBound + (shaped ? 2 * reach : 0));
    }
  }
  for (const { t } of overrides) {
    const { start, end } = templateSpan(t);
    spans.push(span(start, end, t.match));
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (!Number.isFinite(openEndedFrom)) return { spans };
  return Number.isFinite(openEndedUntil) ? { spans, openEndedFrom, openEndedUntil } : { spans, openEndedFrom };
}
