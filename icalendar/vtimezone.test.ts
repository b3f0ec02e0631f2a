import { describe, expect, it } from 'vitest';
import { parseICalendar } from './parse.js';
import { expandInstances } from './instances.js';
import { calendarTimezoneText, vtimezoneFor } from './vtimezone.js';

describe('vtimezoneFor', () => {
  it('writes a VTIMEZONE that puts local times where the IANA zone does, across DST', () => {
    const vtz = vtimezoneFor('Europe/London')!;
    expect(vtz).toContain('TZID:Europe/London');
    expect(vtz).toContain('BEGIN:DAYLIGHT');
    expect(vtz).toContain('TZOFFSETTO:+0100');
    // A zoned event that names a custom TZID resolves through the generated VTIMEZONE only.
    const text = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      vtz.replace('TZID:Europe/London', 'TZID:Custom London'),
      'BEGIN:VEVENT',
      'UID:x',
      'DTSTART;TZID=Custom London:20260701T090000',
      'DTEND;TZID=Custom London:20260701T100000',
      'RRULE:FREQ=MONTHLY;COUNT=6',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const starts = expandInstances(parseICalendar(text), { start: Date.parse('2026-01-01T00:00:00Z'), end: Date.parse('2027-01-01T00:00:00Z') }).map((i) => new Date(i.start).toISOString());
    expect(starts[0]).toBe('2026-07-01T08:00:00.000Z');
    expect(starts[4]).toBe('2026-11-01T09:00:00.000Z');
  });

  it('writes one STANDARD for a zone without changes, and nothing for an unknown zone', () => {
    const tokyo = vtimezoneFor('Asia/Tokyo')!;
    expect(tokyo.match(/BEGIN:(STANDARD|DAYLIGHT)/g)).toEqual(['BEGIN:STANDARD']);
    expect(vtimezoneFor('Mars/Olympus_Mons')).toBeUndefined();
  });

  it('wraps it in a VCALENDAR for calendar-timezone, with CRLF lines of at most 75 octets', () => {
    const text = calendarTimezoneText('America/New_York')!;
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(text.split('\r\n').every((l) => l.length <= 75)).toBe(true);
    expect(
      parseICalendar(text.replace('END:VCALENDAR', 'BEGIN:VEVENT\r\nUID:y\r\nDTSTART:20260101T000000Z\r\nDTEND:20260101T010000Z\r\nEND:VEVENT\r\nEND:VCALENDAR')).timezones.has('America/New_York'),
    ).toBe(true);
  });
});
