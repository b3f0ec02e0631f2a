import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandRecurrenceSet, limitRecurrenceSet } from './expand.js';
import { parseICalendar } from './parse.js';

const STANDUP = readFileSync(new URL('../fixtures/ics/alice/weekly-standup.ics', import.meta.url), 'utf8');
const utc = (s: string) => Date.parse(s);
const blocks = (text: string) =>
  text
    .split('BEGIN:VEVENT')
    .slice(1)
    .map((b) => b.split('END:VEVENT')[0]);

describe('expandRecurrenceSet (RFC 4791 §9.6.5)', () => {
  it('lists each instance in the range as its own VEVENT in UTC, the override in place of its occurrence, the excluded one absent', () => {
    const text = expandRecurrenceSet(parseICalendar(STANDUP), { start: utc('2026-10-26T00:00:00Z'), end: utc('2026-11-10T00:00:00Z') }, { defaultZone: 'Europe/London' });
    const events = blocks(text);
    expect(events).toHaveLength(3);
    // 26 Oct (GMT after the change on 25 Oct), the override of 2 Nov (moved to Tuesday 10:30), 9 Nov.
    expect(events[0]).toContain('DTSTART:20261026T090000Z');
    expect(events[0]).toContain('DTEND:20261026T093000Z');
    expect(events[0]).toContain('RECURRENCE-ID:20261026T090000Z');
    expect(events[1]).toContain('DTSTART:20261103T103000Z');
    expect(events[1]).toContain('RECURRENCE-ID:20261102T090000Z');
    expect(events[1]).toContain('SUMMARY:Team stand-up (moved to Tuesday)');
    expect(events[2]).toContain('RECURRENCE-ID:20261109T090000Z');
    for (const e of events) {
      expect(e).not.toMatch(/^(RRULE|RDATE|EXDATE)/m);
      expect(e).not.toContain('TZID=');
    }
    expect(text).not.toContain('BEGIN:VTIMEZONE');
    expect(text).toContain('BEGIN:VALARM'); // the instance keeps the master's other content
    const excluded = expandRecurrenceSet(parseICalendar(STANDUP), { start: utc('2026-12-21T00:00:00Z'), end: utc('2026-12-22T00:00:00Z') }, { defaultZone: 'Europe/London' });
    expect(blocks(excluded)).toHaveLength(0);
  });

  it('keeps all-day instances as DATE values', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//t//EN',
      'BEGIN:VEVENT',
      'UID:a',
      'DTSTAMP:20260101T000000Z',
      'DTSTART;VALUE=DATE:19970102',
      'RRULE:FREQ=YEARLY',
      'SUMMARY:Anniversary',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const events = blocks(expandRecurrenceSet(parseICalendar(ics), { start: utc('2026-06-01T00:00:00Z'), end: utc('2028-06-01T00:00:00Z') }, { defaultZone: 'Europe/London' }));
    expect(events).toHaveLength(2);
    expect(events[0]).toContain('DTSTART;VALUE=DATE:20270102');
    expect(events[0]).toContain('DTEND;VALUE=DATE:20270103');
    expect(events[0]).toContain('RECURRENCE-ID;VALUE=DATE:20270102');
  });
});

describe('limitRecurrenceSet (RFC 4791 §9.6.6)', () => {
  it('keeps the master and only the overrides bearing on the range', () => {
    const parsed = parseICalendar(STANDUP);
    const inside = limitRecurrenceSet(parsed, { start: utc('2026-11-01T00:00:00Z'), end: utc('2026-11-05T00:00:00Z') });
    expect(blocks(inside)).toHaveLength(2);
    expect(inside).toContain('RRULE:FREQ=WEEKLY');
    expect(inside).toContain('BEGIN:VTIMEZONE');
    const outside = limitRecurrenceSet(parsed, { start: utc('2026-12-01T00:00:00Z'), end: utc('2026-12-05T00:00:00Z') });
    expect(blocks(outside)).toHaveLength(1);
    expect(outside).not.toContain('RECURRENCE-ID');
  });
});
