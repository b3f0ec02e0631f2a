/**
 * Time index for calendar-query time-range filters (RFC 4791 §9.9), so a query touches only the
 * objects near the range instead of parsing every object in the calendar.
 *
 * Spans are computed once, at write time. Short spans go into week-sized buckets; spans longer than
 * a year and open-ended recurrences go to a small "long" set that every query checks by comparing
 * numbers. A recurrence with more instances than were listed (a rule every second, or one that
 * never ends) is indexed by its overall span, [openEndedFrom, openEndedUntil): only a query that
 * range reaches needs to look at its instances, and then it asks only whether one exists in the
 * range, which recurrence expansion answers in a bounded number of steps wherever the range lies.
 */
import type { IndexSpans } from './model.js';

const DAY = 86_400_000;
const BUCKET_MS = 7 * DAY;
const LONG_SPAN_MS = 366 * DAY;

export interface TimeRange {
  start: number;
  end: number;
}

export interface IndexMatch {
  /** Objects whose listed instances overlap the range. */
  matches: string[];
  /** Objects whose unlisted (open-ended) instances may overlap: check them by expanding. */
  maybe: string[];
}

/** RFC 4791 §9.9: zero-length instances match when they start inside the range. */
export function spanOverlaps(start: number, end: number, range: TimeRange): boolean {
  return start === end ? range.start <= start && start < range.end : start < range.end && end > range.start;
}

export class TimeIndex {
  private readonly buckets = new Map<number, Set<string>>();
  private readonly long = new Set<string>();
  private readonly entries = new Map<string, IndexSpans>();

  add(name: string, entry: IndexSpans): void {
    this.remove(name);
    this.entries.set(name, entry);
    if (entry.openEndedFrom !== undefined) this.long.add(name);
    for (const [start, end] of entry.spans) {
      if (end - start > LONG_SPAN_MS || !Number.isFinite(start) || !Number.isFinite(end)) {
        this.long.add(name);
        continue;
      }
      for (let b = bucketOf(start), last = bucketOf(Math.max(start, end - 1)); b <= last; b++) {
        let set = this.buckets.get(b);
        if (!set) this.buckets.set(b, (set = new Set()));
        set.add(name);
      }
    }
  }

  remove(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    this.long.delete(name);
    for (const [start, end] of entry.spans) {
      if (end - start > LONG_SPAN_MS || !Number.isFinite(start) || !Number.isFinite(end)) continue;
      for (let b = bucketOf(start), last = bucketOf(Math.max(start, end - 1)); b <= last; b++) {
        const set = this.buckets.get(b);
        if (set && set.delete(name) && set.size === 0) this.buckets.delete(b);
      }
    }
  }

  query(range: TimeRange): IndexMatch {
    const candidates = new Set<string>(this.long);
    const first = bucketOf(Math.max(range.start, -8.64e15));
    const last = bucketOf(Math.min(range.end, 8.64e15));
    if (last - first + 1 <= this.buckets.size) {
      for (let b = first; b <= last; b++) this.buckets.get(b)?.forEach((n) => candidates.add(n));
    } else {
      // A range wider than the populated part of the calendar: walk the buckets that exist.
      for (const [b, set] of this.buckets) if (b >= first && b <= last) set.forEach((n) => candidates.add(n));
    }
    const matches: string[] = [];
    const maybe: string[] = [];
    for (const name of candidates) {
      const entry = this.entries.get(name)!;
      if (entry.spans.some(([s, e]) => spanOverlaps(s, e, range))) matches.push(name);
      else if (entry.openEndedFrom !== undefined && range.end > entry.openEndedFrom && range.start < (entry.openEndedUntil ?? Infinity)) maybe.push(name);
    }
    return { matches, maybe };
  }
}

function bucketOf(t: number): number {
  return Math.floor(t / BUCKET_MS);
}
