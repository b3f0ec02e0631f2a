/** Tests for spans.ts: index spans, caps and openEndedFrom, overrides, VTODO widening, and the superset property against expandInstances. */
import { describe, it, expect } from 'vitest';
import { parseICalendar } from './parse.js';
import { MAX_TIME, MIN_TIME, expandInstances } from './instances.js';
import { computeIndexSpans } from './spans.js';

const t = (s: string): number => Date.parse(s);

function cal(...body: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', ...body, 'END:VCALENDAR'].join('\n') + '\n';
}
function event(...props: string[]): string[] {
  return ['BEGIN:VEVENT', 'UID:s-1', ...props, 'END:VEVENT'];
}
const spansOf = (text: string, options?: Parameters<typeof computeIndexSpans>[1]) => computeIndexSpans(parseICalendar(text), options);

describe('computeIndexSpans', () => {
  it('a non-recurring event is one span and not open-ended', () => {
    expect(spansOf(cal(...event('DTSTART;TZID=Europe/London:20260701T090000', 'DTEND;TZID=Europe/London:20260701T103000')))).toEqual({
      spans: [[t('2026-07-01T08:00:00Z'), t('2026-07-01T09:30:00Z')]],
    });
  });

  it('a zero-length instance gives [s, s]', () => {
    expect(spansOf(cal(...event('DTSTART:20260701T090000Z'))).spans).toEqual([[t('2026-07-01T09:00:00Z'), t('2026-07-01T09:00:00Z')]]);
  });

  it('all-day spans use the default zone', () => {
    const text = cal(...event('DTSTART;VALUE=DATE:20260310', 'DTEND;VALUE=DATE:20260312'));
    expect(spansOf(text, { defaultZone: 'Pacific/Kiritimati' }).spans).toEqual([[t('2026-03-09T10:00:00Z'), t('2026-03-11T10:00:00Z')]]);
    expect(spansOf(text).spans).toEqual([[t('2026-03-10T00:00:00Z'), t('2026-03-12T00:00:00Z')]]);
  });

  it('a finite series under the cap lists every instance (DST-aware), minus EXDATEs', () => {
    const text = cal(...event('DTSTART;TZID=Europe/London:20260316T090000', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE;TZID=Europe/London:20260323T090000'));
    expect(spansOf(text)).toEqual({
      spans: [
        [t('2026-03-16T09:00:00Z'), t('2026-03-16T10:00:00Z')],
        [t('2026-03-30T08:00:00Z'), t('2026-03-30T09:00:00Z')],
        [t('2026-04-06T08:00:00Z'), t('2026-04-06T09:00:00Z')],
      ],
    });
  });

  it('an infinite rule lists maxInstances spans and is open from the first one not listed', () => {
    const res = spansOf(cal(...event('DTSTART;TZID=America/New_York:20260302T090000', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY')), { maxInstances: 3 });
    expect(res.spans.map((s) => s[0])).toEqual([t('2026-03-02T14:00:00Z'), t('2026-03-09T13:00:00Z'), t('2026-03-16T13:00:00Z')]);
    expect(res.openEndedFrom).toBe(t('2026-03-23T13:00:00Z'));
  });

  it('a finite series over the cap is open-ended too; at the cap exactly it is not', () => {
    const text = cal(...event('DTSTART:20260101T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;COUNT=5'));
    expect(spansOf(text, { maxInstances: 4 }).openEndedFrom).toBe(t('2026-01-05T09:00:00Z'));
    expect(spansOf(text, { maxInstances: 5 }).openEndedFrom).toBeUndefined();
    expect(spansOf(text).spans).toHaveLength(5);
  });

  it('default cap is 1000 instances', () => {
    const res = spansOf(cal(...event('DTSTART:20260101T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY')));
    expect(res.spans).toHaveLength(1000);
    expect(res.openEndedFrom).toBe(t('2026-01-01T09:00:00Z') + 1000 * 86_400_000);
  });

  it('FREQ=SECONDLY is capped', () => {
    const res = spansOf(cal(...event('DTSTART:20260101T000000Z', 'RRULE:FREQ=SECONDLY')), { maxInstances: 50 });
    expect(res.spans).toHaveLength(50);
    expect(res.spans[49]).toEqual([t('2026-01-01T00:00:49Z'), t('2026-01-01T00:00:49Z')]);
    expect(res.openEndedFrom).toBe(t('2026-01-01T00:00:50Z'));
  });

  it('includes overrides wherever they moved, replacing the original slot', () => {
    const text = cal(
      ...event('DTSTART:20260302T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY;COUNT=3'),
      'BEGIN:VEVENT',
      'UID:s-1',
      'RECURRENCE-ID:20260309T090000Z',
      'DTSTART:20270101T120000Z',
      'DURATION:PT2H',
      'END:VEVENT',
    );
    expect(spansOf(text).spans).toEqual([
      [t('2026-03-02T09:00:00Z'), t('2026-03-02T10:00:00Z')],
      [t('2026-03-16T09:00:00Z'), t('2026-03-16T10:00:00Z')],
      [t('2027-01-01T12:00:00Z'), t('2027-01-01T14:00:00Z')],
    ]);
  });

  it('VTODO spans follow the RFC 4791 table, widened where its bounds are closed', () => {
    const todo = (...p: string[]) => cal('BEGIN:VTODO', 'UID:t-1', ...p, 'END:VTODO');
    expect(spansOf(todo('SUMMARY:x')).spans).toEqual([[MIN_TIME, MAX_TIME]]);
    expect(spansOf(todo('CREATED:20260101T000000Z')).spans).toEqual([[t('2026-01-01T00:00:00Z'), MAX_TIME]]);
    expect(spansOf(todo('DUE:20260101T000000Z')).spans).toEqual([[t('2026-01-01T00:00:00Z') - 1, t('2026-01-01T00:00:00Z') + 1]]);
    expect(spansOf(todo('DTSTART:20260101T000000Z')).spans).toEqual([[t('2026-01-01T00:00:00Z'), t('2026-01-01T00:00:00Z')]]);
  });

  it('spans are a superset of expandInstances for every window (property check)', () => {
    const text = cal(
      ...event('DTSTART;TZID=Europe/London:20260301T013000', 'DURATION:PT90M', 'RRULE:FREQ=DAILY;BYDAY=SU,WE', 'EXDATE;TZID=Europe/London:20260304T013000', 'RDATE:20260302T230000Z'),
      'BEGIN:VEVENT',
      'UID:s-1',
      'RECURRENCE-ID;TZID=Europe/London:20260308T013000',
      'DTSTART:20260601T000000Z',
      'END:VEVENT',
    );
    const parsed = parseICalendar(text);
    const { spans, openEndedFrom } = computeIndexSpans(parsed, { maxInstances: 20 });
    expect(openEndedFrom).toBeDefined();
    const hits = (ws: number, we: number) => spans.some(([s, e]) => (e > s ? s < we && e > ws : ws <= s && s < we)) || (openEndedFrom !== undefined && we > openEndedFrom);
    let windowsWithInstances = 0;
    for (let i = 0; i < 400; i++) {
      const ws = t('2026-02-25T00:00:00Z') + i * 7_919_000 * 3; // irregular steps over ~4 months
      const we = ws + ((i * 37) % 11) * 1_800_000 + 1;
      const found = expandInstances(parsed, { start: ws, end: we }).length > 0;
      if (found) windowsWithInstances++;
      if (found) expect(hits(ws, we)).toBe(true);
    }
    expect(windowsWithInstances).toBeGreaterThan(10);
  });
});

describe('computeIndexSpans and RECURRENCE-ID;RANGE=THISANDFUTURE', () => {
  const weekly = (...override: string[]) => cal(...event('DTSTART:20261102T090000Z', 'DTEND:20261102T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=6'), ...event(...override));
  const window = (s: string, e: string) => ({ start: t(s), end: t(e) });
  const hits = (spans: Array<[number, number]>, w: { start: number; end: number }) => spans.some(([s, e]) => (e > s ? s < w.end && e > w.start : w.start <= s && s < w.end));

  it('indexes later occurrences where the override moved them, with its length', () => {
    const text = weekly('RECURRENCE-ID;RANGE=THISANDFUTURE:20261116T090000Z', 'DTSTART:20261116T140000Z', 'DTEND:20261116T143000Z');
    const { spans } = spansOf(text);
    // 23 Nov is an afternoon occurrence now: the index must find it there and not at 09:00.
    const afternoon = window('2026-11-23T14:00:00Z', '2026-11-23T14:15:00Z');
    expect(expandInstances(parseICalendar(text), afternoon)).toHaveLength(1);
    expect(hits(spans, afternoon)).toBe(true);
    expect(spans).toContainEqual([t('2026-11-30T14:00:00Z'), t('2026-11-30T14:30:00Z')]);
    expect(spans).not.toContainEqual([t('2026-11-30T09:00:00Z'), t('2026-11-30T10:00:00Z')]);
    // Earlier occurrences keep their place.
    expect(spans).toContainEqual([t('2026-11-09T09:00:00Z'), t('2026-11-09T10:00:00Z')]);
  });

  it('is a superset of expandInstances for a series cut by the cap, with a shift backwards', () => {
    const text = cal(
      ...event('DTSTART:20261102T090000Z', 'DTEND:20261102T100000Z', 'RRULE:FREQ=DAILY'),
      ...event('RECURRENCE-ID;RANGE=THISANDFUTURE:20261104T090000Z', 'DTSTART:20261103T230000Z', 'DTEND:20261104T000000Z'),
    );
    const index = spansOf(text, { maxInstances: 5 });
    // The sixth occurrence (7 Nov 09:00, the first one past the cap) starts at 23:00 on 6 Nov.
    for (const day of ['2026-11-06', '2027-01-09']) {
      const w = window(`${day}T23:15:00Z`, `${day}T23:45:00Z`);
      const found = expandInstances(parseICalendar(text), w).length > 0;
      const indexed = hits(index.spans, w) || (index.openEndedFrom !== undefined && index.openEndedFrom < w.end);
      expect(found).toBe(true);
      expect(indexed).toBe(true);
    }
  });
});
