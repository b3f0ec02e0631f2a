import { describe, expect, it } from 'vitest';
import { parseICalendar, expandInstances } from '../../icalendar/index.js';
import type { PlatformEvent } from '../platform/model.js';
import { contentHash } from './content-hash.js';
import { applySlotChange, buildPlatformEvent, eventIdFromUid, platformUid, removeOccurrence } from './ics-writer.js';

const event = (patch: Partial<PlatformEvent> = {}): PlatformEvent => ({
  id: 'evt_000007',
  subAccountId: 'sub_1',
  kind: 'appointment',
  calendarId: 'cal_1',
  userIds: ['usr_1'],
  contactIds: ['con_1'],
  title: 'Massage',
  start: Date.parse('2026-12-01T11:00:00Z'),
  end: Date.parse('2026-12-01T11:30:00Z'),
  allDay: false,
  busy: true,
  status: 'confirmed',
  deleted: false,
  origin: 'platform',
  version: 1,
  updatedAt: Date.parse('2026-11-21T09:00:00Z'),
  changeSeq: 1,
  ...patch,
});

describe('buildPlatformEvent', () => {
  it('is deterministic and carries a UID that maps back to the event', () => {
    const a = buildPlatformEvent(event(), 'Europe/London');
    expect(buildPlatformEvent(event(), 'Europe/London')).toBe(a);
    const parsed = parseICalendar(a);
    expect(parsed.uid).toBe(platformUid('evt_000007'));
    expect(eventIdFromUid(parsed.uid)).toBe('evt_000007');
    expect(a).toContain('DTSTART:20261201T110000Z');
    expect(a).toContain('LAST-MODIFIED:20261121T090000Z');
    expect(a).not.toMatch(/ATTENDEE|ORGANIZER/);
  });

  it('writes all-day events as dates in the user zone, with an exclusive end', () => {
    // Midnight 3 December in Auckland is 2 December 11:00Z.
    const ics = buildPlatformEvent(event({ allDay: true, start: Date.parse('2026-12-02T11:00:00Z'), end: Date.parse('2026-12-03T11:00:00Z') }), 'Pacific/Auckland');
    expect(ics).toContain('DTSTART;VALUE=DATE:20261203');
    expect(ics).toContain('DTEND;VALUE=DATE:20261204');
  });

  it('changes only what the platform owns, and moves SEQUENCE on', () => {
    const first = buildPlatformEvent(event(), 'UTC').replace('END:VEVENT', 'X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT');
    const second = buildPlatformEvent(event({ title: 'Longer massage', end: Date.parse('2026-12-01T12:00:00Z'), version: 2 }), 'UTC', first);
    expect(second).toContain('SUMMARY:Longer massage');
    expect(second).toContain('X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC');
    expect(second).toContain('TRIGGER:-PT5M');
    expect(second).toContain('SEQUENCE:1');
    expect(contentHash(second)).not.toBe(contentHash(first));
  });
});

describe('slot changes on iCloud events (I5)', () => {
  const weekly = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//t//EN',
    'BEGIN:VEVENT',
    'UID:W-1',
    'DTSTAMP:20261101T000000Z',
    'DTSTART;TZID=Europe/London:20261207T090000',
    'DTEND;TZID=Europe/London:20261207T093000',
    'RRULE:FREQ=WEEKLY',
    'SUMMARY:Stand-up',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  const window = { start: Date.parse('2026-12-01T00:00:00Z'), end: Date.parse('2026-12-31T00:00:00Z') };

  it('turns a moved occurrence into an override with the RECURRENCE-ID in the series zone', () => {
    const moved = applySlotChange(
      weekly,
      '20261214T090000',
      event({ kind: 'blocked', title: 'Stand-up (late)', start: Date.parse('2026-12-14T11:00:00Z'), end: Date.parse('2026-12-14T11:30:00Z') }),
      'Europe/London',
    );
    expect(moved).toContain('RECURRENCE-ID;TZID=Europe/London:20261214T090000');
    const starts = expandInstances(parseICalendar(moved), window).map((i) => new Date(i.start).toISOString());
    expect(starts).toContain('2026-12-14T11:00:00.000Z');
    expect(starts).not.toContain('2026-12-14T09:00:00.000Z');
    expect(starts).toContain('2026-12-21T09:00:00.000Z');
  });

  it('writes the whole occurrence as the platform has it, busy or free included (D1 winner)', () => {
    const transparent = weekly.replace('BEGIN:VEVENT', 'BEGIN:VEVENT\r\nTRANSP:TRANSPARENT');
    const changed = applySlotChange(transparent, '20261214T090000', event({ kind: 'blocked', title: 'Stand-up', busy: true, location: 'Room 4' }), 'Europe/London');
    const override = expandInstances(parseICalendar(changed), window).find((i) => i.recurrenceId === '20261214T090000')!;
    expect(override.transparent).toBe(false);
    expect(changed).toContain('LOCATION:Room 4');
  });

  it('excludes a deleted occurrence with EXDATE, and deletes a single event outright', () => {
    const excluded = removeOccurrence(weekly, '20261214T090000', Date.parse('2026-11-21T09:00:00Z'))!;
    expect(excluded).toContain('EXDATE;TZID=Europe/London:20261214T090000');
    expect(expandInstances(parseICalendar(excluded), window).map((i) => new Date(i.start).toISOString())).not.toContain('2026-12-14T09:00:00.000Z');
    expect(removeOccurrence(weekly, '', 0)).toBeNull();
  });
});

describe('contentHash', () => {
  it('ignores restamped properties, folding and duplicated DTSTAMPs, and sees real changes', () => {
    const base = 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Hello world\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    expect(contentHash(base.replace('DTSTAMP:20260101T000000Z', 'DTSTAMP:20270101T000000Z\r\nDTSTAMP:20260101T000000Z'))).toBe(contentHash(base));
    expect(contentHash(base.replace('SUMMARY:Hello world', 'SUMMARY:Hello\r\n  world'))).toBe(contentHash(base));
    expect(contentHash(base.replace('\r\n', '\n'))).toBe(contentHash(base));
    expect(contentHash(base.replace('Hello', 'Goodbye'))).not.toBe(contentHash(base));
  });
});
