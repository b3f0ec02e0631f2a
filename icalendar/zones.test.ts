/** Tests for zones.ts: IANA offsets via Intl, DST gap/overlap rules (RFC 5545 §3.3.5), VTIMEZONE precedence, aliases, floating/default zone. */
import { describe, it, expect } from 'vitest';
import { parseICalendar } from './parse.js';
import { UTC_ZONE, defaultZoneFor, earliestEpochFrom, epochToWallClock, ianaZone, resolveTzid, wallToEpoch, zonedTimeToEpoch, type WallClock } from './zones.js';
import { wallFromFields } from './values.js';

const at = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0): WallClock => ({ year, month, day, hour, minute, second });
const iso = (ms: number): string => new Date(ms).toISOString();

const LONDON_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0100',
  'DTSTART:19810329T010000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0000',
  'DTSTART:19961027T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

function timezonesOf(...vtimezones: string[][]) {
  const text = ['BEGIN:VCALENDAR', ...vtimezones.flat(), 'BEGIN:VEVENT', 'UID:z', 'DTSTART:20260101T000000Z', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
  return parseICalendar(text).timezones;
}

describe('IANA zones via Intl', () => {
  it('converts wall-clock times on both sides of the Europe/London DST change', () => {
    expect(iso(zonedTimeToEpoch(at(2026, 3, 28, 9), 'Europe/London'))).toBe('2026-03-28T09:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 3, 30, 9), 'Europe/London'))).toBe('2026-03-30T08:00:00.000Z');
  });

  it('converts America/New_York standard and daylight time', () => {
    expect(iso(zonedTimeToEpoch(at(2026, 1, 15, 9), 'America/New_York'))).toBe('2026-01-15T14:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 7, 15, 9), 'America/New_York'))).toBe('2026-07-15T13:00:00.000Z');
  });

  it('shifts nonexistent local times forward by the gap (RFC 5545 §3.3.5)', () => {
    // London 2026-03-29 01:30 does not exist: read with the pre-gap offset (+00) = 02:30 BST.
    expect(iso(zonedTimeToEpoch(at(2026, 3, 29, 1, 30), 'Europe/London'))).toBe('2026-03-29T01:30:00.000Z');
    // New York 2026-03-08 02:30 does not exist: read with EST (-05) = 03:30 EDT.
    expect(iso(zonedTimeToEpoch(at(2026, 3, 8, 2, 30), 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
  });

  it('resolves ambiguous local times to the first occurrence', () => {
    expect(iso(zonedTimeToEpoch(at(2026, 10, 25, 1, 30), 'Europe/London'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 11, 1, 1, 30), 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
  });

  it('handles zones far from UTC', () => {
    expect(iso(zonedTimeToEpoch(at(2026, 1, 1), 'Pacific/Kiritimati'))).toBe('2025-12-31T10:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 1, 1), 'Pacific/Pago_Pago'))).toBe('2026-01-01T11:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 3, 10, 5, 45), 'Asia/Kathmandu'))).toBe('2026-03-10T00:00:00.000Z');
  });

  it('converts instants back to wall-clock time', () => {
    expect(epochToWallClock(Date.parse('2026-07-01T12:00:00Z'), resolveTzid('Europe/London'))).toEqual(at(2026, 7, 1, 13));
    expect(epochToWallClock(Date.parse('2026-01-01T00:00:00Z'), resolveTzid('Pacific/Kiritimati'))).toEqual(at(2026, 1, 1, 14));
  });
});

describe('VTIMEZONE inside the object', () => {
  it('is used in preference to the IANA zone of the same name', () => {
    // A deliberately wrong "Europe/London" (+05:00 all year) proves the VTIMEZONE wins.
    const timezones = timezonesOf(['BEGIN:VTIMEZONE', 'TZID:Europe/London', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0500', 'TZOFFSETTO:+0500', 'END:STANDARD', 'END:VTIMEZONE']);
    expect(resolveTzid('Europe/London', { timezones }).source).toBe('vtimezone');
    expect(iso(zonedTimeToEpoch(at(2026, 7, 1, 9), 'Europe/London', { timezones }))).toBe('2026-07-01T04:00:00.000Z');
  });

  it('follows its DST rules, including gap and overlap handling, for a non-IANA TZID', () => {
    const london = LONDON_VTIMEZONE.map((l) => (l === 'TZID:Europe/London' ? 'TZID:My London' : l));
    const timezones = timezonesOf(london);
    const opts = { timezones };
    expect(iso(zonedTimeToEpoch(at(2026, 3, 28, 9), 'My London', opts))).toBe('2026-03-28T09:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 3, 30, 9), 'My London', opts))).toBe('2026-03-30T08:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 3, 29, 1, 30), 'My London', opts))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 10, 25, 1, 30), 'My London', opts))).toBe('2026-10-25T00:30:00.000Z');
    // Far future: yearly rules still apply (folded by 400-year Gregorian cycles).
    expect(iso(zonedTimeToEpoch(at(2999, 7, 1, 12), 'My London', opts))).toBe('2999-07-01T11:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2999, 12, 1, 12), 'My London', opts))).toBe('2999-12-01T12:00:00.000Z');
  });

  it('agrees with Intl for Europe/London over several years', () => {
    const timezones = timezonesOf(LONDON_VTIMEZONE);
    const vtz = resolveTzid('Europe/London', { timezones });
    const iana = ianaZone('Europe/London')!;
    expect(vtz.source).toBe('vtimezone');
    for (let t = Date.parse('2024-01-01T00:00:00Z'); t < Date.parse('2030-01-01T00:00:00Z'); t += 7 * 3600_000 + 13 * 60_000) {
      expect(vtz.offsetAt(t)).toBe(iana.offsetAt(t));
    }
  });

  it('ignores a VTIMEZONE with a non-yearly rule (and falls back to IANA)', () => {
    const timezones = timezonesOf(LONDON_VTIMEZONE.map((l) => (l.startsWith('RRULE:FREQ=YEARLY;BYMONTH=3') ? 'RRULE:FREQ=SECONDLY' : l)));
    expect(timezones.size).toBe(0);
    expect(resolveTzid('Europe/London', { timezones }).source).toBe('iana');
  });
});

describe('aliases, floating and the default zone', () => {
  it('maps Windows names, Outlook display names, vendor prefixes and fixed offsets', () => {
    expect(iso(zonedTimeToEpoch(at(2026, 7, 1, 9), 'W. Europe Standard Time'))).toBe('2026-07-01T07:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 1, 15, 9), 'Eastern Standard Time'))).toBe('2026-01-15T14:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 1, 15, 9), '(UTC-05:00) Eastern Time (US & Canada)'))).toBe('2026-01-15T14:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 7, 1, 9), '/mozilla.org/20050126_1/America/New_York'))).toBe('2026-07-01T13:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 7, 1, 9), '/freeassociation.sourceforge.net/Tzfile/Europe/London'))).toBe('2026-07-01T08:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 7, 1, 9), 'UTC+05:30'))).toBe('2026-07-01T03:30:00.000Z');
  });

  it('treats floating times (no TZID) and unknown TZIDs as local to the default zone', () => {
    expect(iso(zonedTimeToEpoch(at(2026, 7, 1, 9), undefined))).toBe('2026-07-01T09:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 7, 1, 9), undefined, { defaultZone: 'America/New_York' }))).toBe('2026-07-01T13:00:00.000Z');
    expect(iso(zonedTimeToEpoch(at(2026, 7, 1, 9), 'Mars/Olympus_Mons', { defaultZone: 'Asia/Tokyo' }))).toBe('2026-07-01T00:00:00.000Z');
    expect(resolveTzid('Mars/Olympus_Mons').source).toBe('floating');
  });

  it('honours UTC regardless of TZID and rejects an unknown default zone', () => {
    expect(iso(zonedTimeToEpoch(at(2026, 7, 1, 9), 'Europe/London', { utc: true }))).toBe('2026-07-01T09:00:00.000Z');
    expect(defaultZoneFor(undefined)).toBe(UTC_ZONE);
    expect(() => defaultZoneFor('Nowhere/Special')).toThrow(RangeError);
  });

  it('earliestEpochFrom is a lower bound across a DST gap', () => {
    const ny = resolveTzid('America/New_York');
    const inGap = wallFromFields(2026, 3, 8, 2, 30);
    const afterGap = wallFromFields(2026, 3, 8, 3, 0);
    // 02:30 (nonexistent) maps later than 03:00 EDT does; the bound covers both.
    expect(wallToEpoch(afterGap, ny)).toBeLessThan(wallToEpoch(inGap, ny));
    expect(earliestEpochFrom(inGap, ny)).toBeLessThanOrEqual(wallToEpoch(afterGap, ny));
  });

  it('is fast enough for thousands of conversions', () => {
    const zone = resolveTzid('Europe/Berlin');
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) wallToEpoch(wallFromFields(2026, 1, 1) + i * 3_600_000, zone);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
