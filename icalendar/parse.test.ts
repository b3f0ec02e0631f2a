/** Tests for parse.ts: accepted input (CRLF/LF, folding, VTIMEZONE, overrides), precise errors for malformed input, hostile-input limits, and summariseObject. */
import { describe, it, expect } from 'vitest';
import { ICalendarError, parseICalendar, summariseObject } from './parse.js';

const lines = (...l: string[]): string => l.join('\r\n') + '\r\n';

const SIMPLE = lines(
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//test//EN',
  'BEGIN:VEVENT',
  'UID:event-1@example.com',
  'DTSTAMP:20260101T000000Z',
  'DTSTART;TZID=Europe/London:20260310T090000',
  'DTEND;TZID=Europe/London:20260310T100000',
  'SUMMARY:Standup',
  'END:VEVENT',
  'END:VCALENDAR',
);

function errorOf(text: string): ICalendarError {
  try {
    parseICalendar(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ICalendarError);
    return e as ICalendarError;
  }
  throw new Error('expected parseICalendar to throw');
}

describe('parseICalendar: accepted input', () => {
  it('parses CRLF input and exposes uid, type and components', () => {
    const p = parseICalendar(SIMPLE);
    expect(p.uid).toBe('event-1@example.com');
    expect(p.componentType).toBe('VEVENT');
    expect(p.components).toHaveLength(1);
    expect(p.root.name).toBe('vcalendar');
    expect(p.master?.getFirstPropertyValue('summary')).toBe('Standup');
    expect(p.overrides).toHaveLength(0);
    expect(p.method).toBeUndefined();
  });

  it('parses LF-only input, a byte-order mark, blank lines and folded lines', () => {
    const text = '\uFEFFBEGIN:VCALENDAR\nVERSION:2.0\n\nBEGIN:VEVENT\nUID:fold\n ed-uid\nDTSTART:20260310T090000Z\nSUMMARY:A long\n  summary\nEND:VEVENT\nEND:VCALENDAR\n\n';
    const p = parseICalendar(text);
    expect(p.uid).toBe('folded-uid');
    expect(p.master?.getFirstPropertyValue('summary')).toBe('A long summary');
  });

  it('separates VTIMEZONE from calendar components, and master from overrides', () => {
    const p = parseICalendar(
      lines(
        'BEGIN:VCALENDAR',
        'METHOD:REQUEST',
        'BEGIN:VTIMEZONE',
        'TZID:Custom Zone',
        'BEGIN:STANDARD',
        'DTSTART:19700101T000000',
        'TZOFFSETFROM:+0200',
        'TZOFFSETTO:+0200',
        'END:STANDARD',
        'END:VTIMEZONE',
        'BEGIN:VEVENT',
        'UID:r',
        'DTSTART;TZID=Custom Zone:20260310T090000',
        'RRULE:FREQ=DAILY',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:r',
        'RECURRENCE-ID;TZID=Custom Zone:20260311T090000',
        'DTSTART;TZID=Custom Zone:20260311T100000',
        'END:VEVENT',
        'END:VCALENDAR',
      ),
    );
    expect(p.components).toHaveLength(2);
    expect(p.components.every((c) => c.name === 'vevent')).toBe(true);
    expect(p.masters).toHaveLength(1);
    expect(p.overrides).toHaveLength(1);
    expect(p.method).toBe('REQUEST');
    expect([...p.timezones.keys()]).toEqual(['Custom Zone']);
    expect(p.lineOf(p.overrides[0]!)).toBe(16);
  });

  it('reports VTODO and VJOURNAL component types', () => {
    const todo = parseICalendar(lines('BEGIN:VCALENDAR', 'BEGIN:VTODO', 'UID:t', 'END:VTODO', 'END:VCALENDAR'));
    expect(todo.componentType).toBe('VTODO');
    const journal = parseICalendar(lines('BEGIN:VCALENDAR', 'BEGIN:VJOURNAL', 'UID:j', 'END:VJOURNAL', 'END:VCALENDAR'));
    expect(journal.componentType).toBe('VJOURNAL');
  });

  it('accepts a bare date in DTEND without VALUE=DATE', () => {
    expect(() => parseICalendar(lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'DTSTART;VALUE=DATE:20260310', 'DTEND:20260311', 'END:VEVENT', 'END:VCALENDAR'))).not.toThrow();
  });

  it('round-trips through toString', () => {
    const p = parseICalendar(SIMPLE);
    expect(parseICalendar(p.toString()).uid).toBe('event-1@example.com');
  });
});

describe('parseICalendar: malformed input', () => {
  it('rejects text that is not iCalendar, naming the line', () => {
    expect(errorOf('garbage').message).toBe("line 1: expected BEGIN:VCALENDAR, found 'garbage'");
    expect(errorOf('\n\nhello: world\n').message).toBe("line 3: expected BEGIN:VCALENDAR, found 'hello: world'");
    expect(errorOf('').message).toMatch(/^line 1: expected BEGIN:VCALENDAR/);
    expect(errorOf('BEGIN:VEVENT\nEND:VEVENT').line).toBe(1);
  });

  it('rejects mismatched and missing END lines', () => {
    const mismatched = errorOf('BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VTODO\nEND:VCALENDAR');
    expect(mismatched.message).toBe('line 4: END:VTODO does not match BEGIN:VEVENT at line 2');
    const unterminated = errorOf('BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\n');
    expect(unterminated.message).toMatch(/unexpected end of input: BEGIN:VEVENT at line 2 has no END:VEVENT/);
  });

  it('rejects content lines without a colon, and content after END:VCALENDAR', () => {
    expect(errorOf('BEGIN:VCALENDAR\nBEGIN:VEVENT\nnocolon\nEND:VEVENT\nEND:VCALENDAR').message).toBe("line 3: content line 'nocolon' has no ':' between name and value");
    expect(errorOf('BEGIN:VCALENDAR\nBEGIN:VEVENT\nX-A;P="a:b"\nEND:VEVENT\nEND:VCALENDAR').message).toMatch(/^line 3: .*has no ':'/);
    expect(errorOf(SIMPLE + 'BEGIN:VCALENDAR\r\n').message).toMatch(/^line 12: unexpected 'BEGIN:VCALENDAR' after END:VCALENDAR/);
  });

  it('rejects invalid date values with the line of the property', () => {
    const e = errorOf(lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'DTSTART:20261345T250000', 'END:VEVENT', 'END:VCALENDAR'));
    expect(e.message).toBe("line 4: VEVENT DTSTART '20261345T250000' is not a valid calendar date-time");
    const g = errorOf(lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'DTSTART:20260101T000000Z', 'EXDATE:garbage', 'END:VEVENT', 'END:VCALENDAR'));
    expect(g.message).toMatch(/^line 5: VEVENT EXDATE 'garbage' is not a valid DATE-TIME value/);
    const d = errorOf(lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'DTSTART:20260101T000000Z', 'DURATION:1 hour', 'END:VEVENT', 'END:VCALENDAR'));
    expect(d.message).toMatch(/^line 5: VEVENT DURATION "1 hour" is not a valid DURATION value/);
  });

  it('rejects broken recurrence rules', () => {
    const noFreq = errorOf(lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'DTSTART:20260101T000000Z', 'RRULE:COUNT=3', 'END:VEVENT', 'END:VCALENDAR'));
    expect(noFreq.message).toBe('line 5: VEVENT RRULE has no FREQ');
    const bogus = errorOf(lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'DTSTART:20260101T000000Z', 'RRULE:FREQ=BOGUS', 'END:VEVENT', 'END:VCALENDAR'));
    expect(bogus.message).toMatch(/^line 5: RRULE: invalid frequency "BOGUS"/);
    const count = errorOf(lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'DTSTART:20260101T000000Z', 'RRULE:FREQ=DAILY;COUNT=0', 'END:VEVENT', 'END:VCALENDAR'));
    expect(count.message).toMatch(/^line 5: VEVENT RRULE COUNT must be a positive integer/);
    const combo = errorOf(lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'DTSTART:20260101T000000Z', 'RRULE:FREQ=WEEKLY;BYMONTHDAY=3', 'END:VEVENT', 'END:VCALENDAR'));
    expect(combo.message).toMatch(/^line 5: VEVENT RRULE is invalid: For WEEKLY recurrences neither BYMONTHDAY nor BYYEARDAY/);
  });

  it('rejects a VEVENT without DTSTART (no METHOD)', () => {
    expect(errorOf(lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'END:VEVENT', 'END:VCALENDAR')).message).toMatch(/^line 2: VEVENT has no DTSTART/);
  });

  it('requires exactly one UID shared by all components', () => {
    const none = errorOf(lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'DTSTART:20260101T000000Z', 'END:VEVENT', 'END:VCALENDAR'));
    expect(none.message).toBe('line 2: VEVENT has no UID');
    const disagree = errorOf(
      lines(
        'BEGIN:VCALENDAR',
        'BEGIN:VEVENT',
        'UID:first',
        'DTSTART:20260101T000000Z',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:second',
        'RECURRENCE-ID:20260101T000000Z',
        'DTSTART:20260101T000000Z',
        'END:VEVENT',
        'END:VCALENDAR',
      ),
    );
    expect(disagree.message).toMatch(/^line 6: VEVENT UID 'second' differs from UID 'first' at line 2/);
    expect(disagree.line).toBe(6);
  });

  it('rejects mixed component types and empty calendars', () => {
    const mixed = errorOf(lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'DTSTART:20260101T000000Z', 'END:VEVENT', 'BEGIN:VTODO', 'UID:a', 'END:VTODO', 'END:VCALENDAR'));
    expect(mixed.message).toMatch(/^line 6: VTODO mixed with VEVENT/);
    expect(errorOf(lines('BEGIN:VCALENDAR', 'VERSION:2.0', 'END:VCALENDAR')).message).toMatch(/no calendar component/);
  });

  it('fails fast, without hanging or overflowing the stack, on hostile input', () => {
    const t0 = performance.now();
    let junk = '';
    for (let i = 0; i < 200_000; i++) junk += String.fromCharCode(32 + ((i * 7919) % 90)) + (i % 50 === 0 ? '\n' : '');
    expect(() => parseICalendar(junk)).toThrow(ICalendarError);
    // 200k nested components
    const deep = 'BEGIN:VCALENDAR\n' + 'BEGIN:X\n'.repeat(200_000) + 'END:X\n'.repeat(200_000) + 'END:VCALENDAR\n';
    expect(errorOf(deep).message).toMatch(/nested more than/);
    // A line with a million parameters (ical.js's parameter parser is quadratic)
    const params = 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nX-A' + ';A=b'.repeat(1_000_000) + ':x\nEND:VEVENT\nEND:VCALENDAR\n';
    expect(errorOf(params).message).toMatch(/^line 3: X-A has more than 100 parameters/);
    expect(errorOf(SIMPLE.repeat(3)).message).toMatch(/after END:VCALENDAR/);
    expect(() => parseICalendar('BEGIN:VCALENDAR\n' + 'X'.repeat(100), { maxLength: 50 })).toThrow(/input too large/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('parses a large valid object in reasonable time', () => {
    const body: string[] = ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:big', 'DTSTART:20260101T090000Z', 'RRULE:FREQ=DAILY', 'END:VEVENT'];
    for (let i = 0; i < 5000; i++) {
      const day = new Date(Date.UTC(2026, 0, 2 + i)).toISOString().slice(0, 10).replace(/-/g, '');
      body.push('BEGIN:VEVENT', 'UID:big', `RECURRENCE-ID:${day}T090000Z`, `DTSTART:${day}T100000Z`, 'DURATION:PT1H', `DESCRIPTION:${'x'.repeat(200)}`, 'END:VEVENT');
    }
    body.push('END:VCALENDAR');
    const t0 = performance.now();
    const p = parseICalendar(body.join('\n'));
    expect(p.overrides).toHaveLength(5000);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('summariseObject', () => {
  it('summarises a simple event', () => {
    expect(summariseObject(parseICalendar(SIMPLE))).toEqual({
      uid: 'event-1@example.com',
      componentType: 'VEVENT',
      missingEnd: false,
      hasRecurrence: false,
    });
  });

  it('detects a VEVENT with DTSTART but neither DTEND nor DURATION, in the master or an override', () => {
    const master = lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'DTSTART:20260101T090000Z', 'END:VEVENT', 'END:VCALENDAR');
    expect(summariseObject(parseICalendar(master)).missingEnd).toBe(true);
    const withDuration = lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'DTSTART:20260101T090000Z', 'DURATION:PT1H', 'END:VEVENT', 'END:VCALENDAR');
    expect(summariseObject(parseICalendar(withDuration)).missingEnd).toBe(false);
    const override = lines(
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
      'UID:a',
      'DTSTART:20260101T090000Z',
      'DTEND:20260101T100000Z',
      'RRULE:FREQ=DAILY',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:a',
      'RECURRENCE-ID:20260102T090000Z',
      'DTSTART:20260102T110000Z',
      'END:VEVENT',
      'END:VCALENDAR',
    );
    const s = summariseObject(parseICalendar(override));
    expect(s.missingEnd).toBe(true);
    expect(s.hasRecurrence).toBe(true);
  });

  it('reports recurrence via RDATE and the iTIP METHOD', () => {
    const s = summariseObject(
      parseICalendar(
        lines('BEGIN:VCALENDAR', 'METHOD:request', 'BEGIN:VEVENT', 'UID:a', 'DTSTART:20260101T090000Z', 'DTEND:20260101T100000Z', 'RDATE:20260105T090000Z', 'END:VEVENT', 'END:VCALENDAR'),
      ),
    );
    expect(s).toEqual({ uid: 'a', componentType: 'VEVENT', missingEnd: false, hasRecurrence: true, method: 'REQUEST' });
  });

  it('does not flag an all-day VEVENT without DTEND or DURATION: it lasts one day (RFC 5545 §3.6.1)', () => {
    const allDay = lines('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'DTSTART;VALUE=DATE:19970102', 'RRULE:FREQ=YEARLY', 'END:VEVENT', 'END:VCALENDAR');
    expect(summariseObject(parseICalendar(allDay)).missingEnd).toBe(false);
  });

  it('does not flag VTODOs as missing an end', () => {
    const s = summariseObject(parseICalendar(lines('BEGIN:VCALENDAR', 'BEGIN:VTODO', 'UID:t', 'DTSTART:20260101T090000Z', 'END:VTODO', 'END:VCALENDAR')));
    expect(s.missingEnd).toBe(false);
    expect(s.componentType).toBe('VTODO');
  });
});
