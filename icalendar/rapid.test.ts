/**
 * Frequent rules (every second or minute) far from DTSTART: expansion iterates only the stretch
 * of wall-clock time that can hold a member of the window, so results are right and the work (in
 * iteration steps) does not grow with the distance from DTSTART. Zones with DST included.
 */
import { describe, expect, it } from 'vitest';
import { computeIndexSpans, expandInstancesDetailed, parseICalendar } from './index.js';

const ics = (rule: string, dtstart = 'DTSTART:20261201T100000Z', dtend = 'DTEND:20261201T100001Z') =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:x', 'BEGIN:VEVENT', 'UID:r', 'DTSTAMP:20261121T090000Z', dtstart, dtend, `RRULE:${rule}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
const H = 3_600_000;

describe('rapid recurrences', () => {
  it.each([
    ['a day', '2026-12-02T10:00:00Z'],
    ['a year', '2027-12-01T10:00:00Z'],
    ['a thousand years', '3026-12-01T10:00:00Z'],
  ])('expands FREQ=SECONDLY %s after DTSTART exactly, in the same number of steps', (_what, at) => {
    const start = Date.parse(at);
    const r = expandInstancesDetailed(parseICalendar(ics('FREQ=SECONDLY')), { start, end: start + H });
    expect(r.instances).toHaveLength(3600);
    expect(r.truncated).toBe(false);
    expect(r.instances[0]!.start).toBe(start);
    const one = expandInstancesDetailed(parseICalendar(ics('FREQ=SECONDLY')), { start, end: start + H }, { maxInstances: 1 });
    expect(one.instances).toHaveLength(1);
    expect(one.steps).toBeLessThanOrEqual(12);
  });

  it.each([
    ['spring forward', '2027-03-28T00:30:00Z', '2027-03-28T01:30:00Z'],
    ['fall back', '2027-10-31T00:30:00Z', '2027-10-31T01:30:00Z'],
  ])('finds the same members of an every-minute Europe/London series across %s as a wide expansion does', (_what, from, to) => {
    const parsed = parseICalendar(ics('FREQ=MINUTELY', 'DTSTART;TZID=Europe/London:20261201T100000', 'DTEND;TZID=Europe/London:20261201T100030'));
    const start = Date.parse(from);
    const end = Date.parse(to);
    const r = expandInstancesDetailed(parsed, { start, end });
    expect(r.truncated).toBe(false);
    const wide = expandInstancesDetailed(parsed, { start: start - 3 * 24 * H, end: end + 3 * 24 * H }, { maxInstances: 20_000 });
    expect(wide.truncated).toBe(false);
    const inWindow = wide.instances.filter((i) => i.start < end && i.end > start);
    expect(r.instances.map((i) => i.start)).toEqual(inWindow.map((i) => i.start));
    expect(r.instances.length).toBeGreaterThanOrEqual(30);
  });

  it('indexes a bounded rapid series by its overall span, and an endless one as open-ended', () => {
    const until = computeIndexSpans(parseICalendar(ics('FREQ=SECONDLY;UNTIL=20261203T100000Z')));
    expect(until.openEndedFrom).toBeDefined();
    expect(until.openEndedUntil).toBeGreaterThanOrEqual(Date.parse('2026-12-03T10:00:01Z'));
    expect(until.openEndedUntil).toBeLessThan(Date.parse('2026-12-10T00:00:00Z'));
    const count = computeIndexSpans(parseICalendar(ics('FREQ=MINUTELY;COUNT=100000')));
    expect(count.openEndedUntil).toBeGreaterThanOrEqual(Date.parse('2027-02-08T20:39:01Z'));
    expect(computeIndexSpans(parseICalendar(ics('FREQ=SECONDLY'))).openEndedUntil).toBeUndefined();
    expect(computeIndexSpans(parseICalendar(ics('FREQ=SECONDLY;BYMINUTE=5;COUNT=100000'))).openEndedUntil).toBeUndefined();
  });
});
