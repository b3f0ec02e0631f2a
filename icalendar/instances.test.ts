/**
 * Tests for instances.ts: recurrence expansion and RFC 4791 §9.9 window matching —
 * DST-stable weekly events (with and without VTIMEZONE), overrides, EXDATE/RDATE,
 * all-day events in far-off zones, floating times, DURATION, TRANSP/STATUS, VTODO,
 * skipping ahead for far windows, and runaway-rule caps. All dates are fixed.
 */
import { describe, it, expect } from 'vitest';
import { parseICalendar } from './parse.js';
import { MAX_TIME, MIN_TIME, expandInstances, expandInstancesDetailed, type Instance, type TimeWindow } from './instances.js';

const t = (s: string): number => Date.parse(s);
const iso = (ms: number): string => new Date(ms).toISOString();
const win = (start: string, end: string): TimeWindow => ({ start: t(start), end: t(end) });
const starts = (list: Instance[]): string[] => list.map((i) => iso(i.start));

/** A VCALENDAR around the given component lines (CRLF line endings). */
function cal(...body: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...body, 'END:VCALENDAR'].join('\r\n') + '\r\n';
}
function event(...props: string[]): string[] {
  return ['BEGIN:VEVENT', 'UID:uid-1', 'DTSTAMP:20260101T000000Z', ...props, 'END:VEVENT'];
}
function todo(...props: string[]): string[] {
  return ['BEGIN:VTODO', 'UID:todo-1', 'DTSTAMP:20260101T000000Z', ...props, 'END:VTODO'];
}
const expand = (text: string, w: TimeWindow, options?: Parameters<typeof expandInstances>[2]) => expandInstances(parseICalendar(text), w, options);

const LONDON_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0100',
  'TZNAME:BST',
  'DTSTART:19810329T010000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0000',
  'TZNAME:GMT',
  'DTSTART:19961027T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];
const NEW_YORK_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:America/New_York',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:-0500',
  'TZOFFSETTO:-0400',
  'TZNAME:EDT',
  'DTSTART:20070311T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:-0400',
  'TZOFFSETTO:-0500',
  'TZNAME:EST',
  'DTSTART:20071104T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];
/** Same rules under a TZID no IANA database knows: only the VTIMEZONE can resolve it. */
const renamed = (vtz: string[], tzid: string): string[] => vtz.map((l) => (l.startsWith('TZID:') ? `TZID:${tzid}` : l));

describe('weekly events across daylight-saving changes', () => {
  const london = (tzid: string) => event(`DTSTART;TZID=${tzid}:20260316T090000`, `DTEND;TZID=${tzid}:20260316T100000`, 'RRULE:FREQ=WEEKLY;COUNT=4', 'SUMMARY:Standup');
  const expected = ['2026-03-16T09:00:00.000Z', '2026-03-23T09:00:00.000Z', '2026-03-30T08:00:00.000Z', '2026-04-06T08:00:00.000Z'];

  it.each([
    ['IANA TZID without VTIMEZONE', cal(...london('Europe/London'))],
    ['TZID with VTIMEZONE', cal(...LONDON_VTIMEZONE, ...london('Europe/London'))],
    ['custom TZID defined only by VTIMEZONE', cal(...renamed(LONDON_VTIMEZONE, 'GMT Standard Time (custom)'), ...london('GMT Standard Time (custom)'))],
  ])('Europe/London stays at 09:00 local (%s)', (_label, text) => {
    const list = expand(text, win('2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z'));
    expect(starts(list)).toEqual(expected);
    expect(list.every((i) => i.end - i.start === 3_600_000)).toBe(true);
    expect(list.map((i) => i.recurrenceId)).toEqual(['20260316T090000', '20260323T090000', '20260330T090000', '20260406T090000']);
    expect(list[0]).toMatchObject({ uid: 'uid-1', summary: 'Standup', allDay: false, transparent: false, cancelled: false, zeroLength: false });
  });

  const ny = (tzid: string) => [...event(`DTSTART;TZID=${tzid}:20260302T090000`, 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY;COUNT=3')];
  const nyFall = (tzid: string) => [...event(`DTSTART;TZID=${tzid}:20261026T090000`, 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY;UNTIL=20261103T000000Z').map((l) => (l === 'UID:uid-1' ? 'UID:uid-2' : l))];

  it.each([
    ['IANA TZID without VTIMEZONE', (f: (z: string) => string[]) => cal(...f('America/New_York'))],
    ['TZID with VTIMEZONE', (f: (z: string) => string[]) => cal(...NEW_YORK_VTIMEZONE, ...f('America/New_York'))],
    ['custom TZID defined only by VTIMEZONE', (f: (z: string) => string[]) => cal(...renamed(NEW_YORK_VTIMEZONE, 'Eastern'), ...f('Eastern'))],
  ])('America/New_York stays at 09:00 local in March and November (%s)', (_label, build) => {
    expect(starts(expand(build(ny), win('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z')))).toEqual(['2026-03-02T14:00:00.000Z', '2026-03-09T13:00:00.000Z', '2026-03-16T13:00:00.000Z']);
    expect(starts(expand(build(nyFall), win('2026-10-01T00:00:00Z', '2026-12-01T00:00:00Z')))).toEqual(['2026-10-26T13:00:00.000Z', '2026-11-02T14:00:00.000Z']);
  });

  it('shifts an instance that falls in the DST gap forward by the gap', () => {
    const text = cal(...event('DTSTART;TZID=Europe/London:20260322T013000', 'DURATION:PT30M', 'RRULE:FREQ=WEEKLY;COUNT=3'));
    expect(starts(expand(text, win('2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z')))).toEqual([
      '2026-03-22T01:30:00.000Z', // 01:30 GMT
      '2026-03-29T01:30:00.000Z', // 01:30 does not exist → 02:30 BST
      '2026-04-05T00:30:00.000Z', // 01:30 BST
    ]);
  });
});

describe('overrides (RECURRENCE-ID)', () => {
  const series = (...overrides: string[][]) =>
    cal(...event('DTSTART;TZID=Europe/London:20260302T090000', 'DTEND;TZID=Europe/London:20260302T100000', 'RRULE:FREQ=WEEKLY', 'SUMMARY:Weekly'), ...overrides.flat());
  const override = (rid: string, start: string, end: string, ...extra: string[]) => [
    'BEGIN:VEVENT',
    'UID:uid-1',
    `RECURRENCE-ID;TZID=Europe/London:${rid}`,
    `DTSTART;TZID=Europe/London:${start}`,
    `DTEND;TZID=Europe/London:${end}`,
    'SUMMARY:Moved',
    ...extra,
    'END:VEVENT',
  ];

  it('an override moved out of the window removes the instance from it', () => {
    const text = series(override('20260309T090000', '20260320T090000', '20260320T100000'));
    expect(expand(text, win('2026-03-09T00:00:00Z', '2026-03-10T00:00:00Z'))).toEqual([]);
    const moved = expand(text, win('2026-03-20T00:00:00Z', '2026-03-21T00:00:00Z'));
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ start: t('2026-03-20T09:00:00Z'), recurrenceId: '20260309T090000', summary: 'Moved' });
  });

  it('an override moved into the window adds the instance, and results are sorted', () => {
    const text = series(override('20260316T090000', '20260311T070000', '20260311T080000'));
    const list = expand(text, win('2026-03-09T00:00:00Z', '2026-03-17T00:00:00Z'));
    expect(starts(list)).toEqual(['2026-03-09T09:00:00.000Z', '2026-03-11T07:00:00.000Z']);
    expect(list[1]!.recurrenceId).toBe('20260316T090000');
  });

  it('matches a RECURRENCE-ID written in UTC against a TZID series', () => {
    const text = series([
      'BEGIN:VEVENT',
      'UID:uid-1',
      'RECURRENCE-ID:20260406T080000Z', // 09:00 BST
      'DTSTART:20260406T120000Z',
      'DTEND:20260406T130000Z',
      'END:VEVENT',
    ]);
    const list = expand(text, win('2026-04-06T00:00:00Z', '2026-04-07T00:00:00Z'));
    expect(starts(list)).toEqual(['2026-04-06T12:00:00.000Z']);
    expect(list[0]!.recurrenceId).toBe('20260406T090000');
  });

  it('an override whose RECURRENCE-ID matches no instance still counts', () => {
    const text = series(override('20260304T090000', '20260304T150000', '20260304T160000')); // a Wednesday
    const list = expand(text, win('2026-03-02T00:00:00Z', '2026-03-10T00:00:00Z'));
    expect(starts(list)).toEqual(['2026-03-02T09:00:00.000Z', '2026-03-04T15:00:00.000Z', '2026-03-09T09:00:00.000Z']);
  });

  it('an object holding only an override (no master) yields that instance', () => {
    const text = cal(...override('20260309T090000', '20260309T110000', '20260309T120000'));
    const list = expand(text, win('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ start: t('2026-03-09T11:00:00Z'), recurrenceId: '20260309T090000' });
  });

  it('carries STATUS:CANCELLED per instance', () => {
    const text = series(override('20260309T090000', '20260309T090000', '20260309T100000', 'STATUS:CANCELLED'));
    const list = expand(text, win('2026-03-02T00:00:00Z', '2026-03-17T00:00:00Z'));
    expect(list.map((i) => i.cancelled)).toEqual([false, true, false]);
  });
});

describe('EXDATE and RDATE', () => {
  const base = (...extra: string[]) => cal(...event('DTSTART;TZID=Europe/London:20260316T090000', 'DTEND;TZID=Europe/London:20260316T100000', 'RRULE:FREQ=WEEKLY;COUNT=6', ...extra));
  const W = win('2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z');

  it('EXDATE with TZID removes the instance', () => {
    expect(starts(expand(base('EXDATE;TZID=Europe/London:20260323T090000,20260413T090000'), W))).toEqual([
      '2026-03-16T09:00:00.000Z',
      '2026-03-30T08:00:00.000Z',
      '2026-04-06T08:00:00.000Z',
      '2026-04-20T08:00:00.000Z',
    ]);
  });

  it('EXDATE in UTC matches a TZID instance by instant (after the DST change too)', () => {
    const list = expand(base('EXDATE:20260406T080000Z', 'EXDATE:20260413T090000Z' /* 10:00 BST: matches nothing */), W);
    expect(starts(list)).toEqual(['2026-03-16T09:00:00.000Z', '2026-03-23T09:00:00.000Z', '2026-03-30T08:00:00.000Z', '2026-04-13T08:00:00.000Z', '2026-04-20T08:00:00.000Z']);
  });

  it('EXDATE can exclude DTSTART itself', () => {
    expect(starts(expand(base('EXDATE;TZID=Europe/London:20260316T090000'), W))[0]).toBe('2026-03-23T09:00:00.000Z');
  });

  it('RDATE adds instances (DATE-TIME with TZID, and PERIOD with its own length)', () => {
    const text = cal(
      ...event(
        'DTSTART;TZID=Europe/London:20260316T090000',
        'DTEND;TZID=Europe/London:20260316T100000',
        'RDATE;TZID=Europe/London:20260401T150000,20260316T090000',
        'RDATE;VALUE=PERIOD:20260327T120000Z/PT3H',
      ),
    );
    const list = expand(text, W);
    expect(list.map((i) => [iso(i.start), iso(i.end)])).toEqual([
      ['2026-03-16T09:00:00.000Z', '2026-03-16T10:00:00.000Z'], // DTSTART (the duplicate RDATE counts once)
      ['2026-03-27T12:00:00.000Z', '2026-03-27T15:00:00.000Z'],
      ['2026-04-01T14:00:00.000Z', '2026-04-01T15:00:00.000Z'],
    ]);
    expect(list.map((i) => i.recurrenceId)).toEqual(['20260316T090000', '20260327T120000', '20260401T150000']);
  });

  it('EXDATE removes an RDATE too', () => {
    const text = cal(...event('DTSTART:20260316T090000Z', 'DURATION:PT1H', 'RDATE:20260318T090000Z,20260320T090000Z', 'EXDATE:20260318T090000Z'));
    expect(starts(expand(text, W))).toEqual(['2026-03-16T09:00:00.000Z', '2026-03-20T09:00:00.000Z']);
  });
});

describe('all-day, floating, DURATION, TRANSP and STATUS', () => {
  const allDay = cal(...event('DTSTART;VALUE=DATE:20260310', 'DTEND;VALUE=DATE:20260313', 'SUMMARY:Conference'));

  it('all-day multi-day event runs midnight to midnight in the default zone (Kiritimati, +14)', () => {
    const [i] = expand(allDay, win('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'), { defaultZone: 'Pacific/Kiritimati' });
    expect(i).toMatchObject({ allDay: true, start: t('2026-03-09T10:00:00Z'), end: t('2026-03-12T10:00:00Z') });
    // DTEND is exclusive: a window starting at the end does not match, one just before does.
    expect(expand(allDay, win('2026-03-12T10:00:00Z', '2026-03-13T00:00:00Z'), { defaultZone: 'Pacific/Kiritimati' })).toEqual([]);
    expect(expand(allDay, win('2026-03-12T09:00:00Z', '2026-03-12T10:00:00Z'), { defaultZone: 'Pacific/Kiritimati' })).toHaveLength(1);
  });

  it('the same all-day event in Pago Pago (-11) is a day later in UTC', () => {
    const [i] = expand(allDay, win('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'), { defaultZone: 'Pacific/Pago_Pago' });
    expect([iso(i!.start), iso(i!.end)]).toEqual(['2026-03-10T11:00:00.000Z', '2026-03-13T11:00:00.000Z']);
    // A Kiritimati-morning window on 2026-03-13 UTC touches only the Pago Pago reading.
    expect(expand(allDay, win('2026-03-13T00:00:00Z', '2026-03-13T01:00:00Z'), { defaultZone: 'Pacific/Pago_Pago' })).toHaveLength(1);
    expect(expand(allDay, win('2026-03-13T00:00:00Z', '2026-03-13T01:00:00Z'), { defaultZone: 'Pacific/Kiritimati' })).toHaveLength(0);
  });

  it('a DATE DTSTART without DTEND lasts one day; recurring all-day ids are dates', () => {
    const text = cal(...event('DTSTART;VALUE=DATE:20260310', 'RRULE:FREQ=DAILY;UNTIL=20260312', 'EXDATE;VALUE=DATE:20260311'));
    const list = expand(text, win('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'), { defaultZone: 'Europe/Berlin' });
    expect(list.map((i) => [iso(i.start), iso(i.end), i.recurrenceId])).toEqual([
      ['2026-03-09T23:00:00.000Z', '2026-03-10T23:00:00.000Z', '20260310'],
      ['2026-03-11T23:00:00.000Z', '2026-03-12T23:00:00.000Z', '20260312'], // UNTIL (a DATE) is inclusive
    ]);
  });

  it('floating times resolve in the default zone', () => {
    const text = cal(...event('DTSTART:20260310T090000', 'DTEND:20260310T100000'));
    const W = win('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
    expect(starts(expand(text, W))).toEqual(['2026-03-10T09:00:00.000Z']);
    expect(starts(expand(text, W, { defaultZone: 'America/New_York' }))).toEqual(['2026-03-10T13:00:00.000Z']);
    expect(starts(expand(text, W, { defaultZone: 'Asia/Tokyo' }))).toEqual(['2026-03-10T00:00:00.000Z']);
  });

  it('DURATION: days are nominal (23 h across spring-forward), hours exact', () => {
    const W = win('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
    const nominal = expand(cal(...event('DTSTART;TZID=Europe/London:20260328T120000', 'DURATION:P1D')), W);
    expect(iso(nominal[0]!.end)).toBe('2026-03-29T11:00:00.000Z');
    const exact = expand(cal(...event('DTSTART;TZID=Europe/London:20260328T120000', 'DURATION:PT24H')), W);
    expect(iso(exact[0]!.end)).toBe('2026-03-29T12:00:00.000Z');
    const mixed = expand(cal(...event('DTSTART:20260310T090000Z', 'DURATION:PT1H30M', 'RRULE:FREQ=DAILY;COUNT=2')), W);
    expect(mixed.map((i) => (i.end - i.start) / 60_000)).toEqual([90, 90]);
  });

  it('TRANSP:TRANSPARENT marks instances free; OPAQUE is the default', () => {
    const W = win('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
    expect(expand(cal(...event('DTSTART:20260310T090000Z', 'DURATION:PT1H', 'TRANSP:TRANSPARENT')), W)[0]!.transparent).toBe(true);
    expect(expand(cal(...event('DTSTART:20260310T090000Z', 'DURATION:PT1H', 'TRANSP:OPAQUE')), W)[0]!.transparent).toBe(false);
    expect(expand(cal(...event('DTSTART:20260310T090000Z', 'DURATION:PT1H')), W)[0]!.transparent).toBe(false);
  });

  it('STATUS:CANCELLED on the master marks every instance', () => {
    const text = cal(...event('DTSTART:20260310T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;COUNT=3', 'STATUS:CANCELLED'));
    const list = expand(text, win('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'));
    expect(list.map((i) => i.cancelled)).toEqual([true, true, true]);
    expect(list[0]!.recurrenceId).toBe('20260310T090000Z');
  });
});

describe('RFC 4791 §9.9 window matching', () => {
  const oneHour = cal(...event('DTSTART:20260310T090000Z', 'DTEND:20260310T100000Z'));
  const zero = cal(...event('DTSTART:20260310T090000Z'));

  it('non-zero duration: start < window.end && end > window.start', () => {
    expect(expand(oneHour, win('2026-03-10T10:00:00Z', '2026-03-10T11:00:00Z'))).toEqual([]);
    expect(expand(oneHour, win('2026-03-10T08:00:00Z', '2026-03-10T09:00:00Z'))).toEqual([]);
    expect(expand(oneHour, win('2026-03-10T09:59:59Z', '2026-03-10T11:00:00Z'))).toHaveLength(1);
  });

  it('zero duration: window.start <= start < window.end', () => {
    const [i] = expand(zero, win('2026-03-10T09:00:00Z', '2026-03-10T09:00:01Z'));
    expect(i).toMatchObject({ zeroLength: true, start: t('2026-03-10T09:00:00Z'), end: t('2026-03-10T09:00:00Z') });
    expect(expand(zero, win('2026-03-10T08:00:00Z', '2026-03-10T09:00:00Z'))).toEqual([]);
  });

  it('returns nothing for windows before the series starts or after it ends', () => {
    const text = cal(...event('DTSTART:20260310T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;UNTIL=20260315T090000Z'));
    expect(expand(text, win('2020-01-01T00:00:00Z', '2026-03-10T09:00:00Z'))).toEqual([]);
    expect(starts(expand(text, win('2026-03-15T00:00:00Z', '2030-01-01T00:00:00Z')))).toEqual(['2026-03-15T09:00:00.000Z']);
  });
});

describe('VTODO (RFC 4791 §9.9 table)', () => {
  const matches = (text: string, start: string, end: string) => expand(text, win(start, end)).length === 1;

  it('DTSTART + DURATION', () => {
    const text = cal(...todo('DTSTART:20260310T100000Z', 'DURATION:PT1H'));
    expect(matches(text, '2026-03-10T11:00:00Z', '2026-03-10T12:00:00Z')).toBe(true); // start <= DTSTART+DURATION
    expect(matches(text, '2026-03-10T11:00:01Z', '2026-03-10T12:00:00Z')).toBe(false);
    expect(matches(text, '2026-03-10T09:00:00Z', '2026-03-10T10:00:00Z')).toBe(false);
  });

  it('DTSTART + DUE', () => {
    const text = cal(...todo('DTSTART:20260310T100000Z', 'DUE:20260310T110000Z'));
    expect(matches(text, '2026-03-10T10:30:00Z', '2026-03-10T12:00:00Z')).toBe(true);
    expect(matches(text, '2026-03-10T11:00:00Z', '2026-03-10T12:00:00Z')).toBe(false);
    expect(matches(text, '2026-03-10T09:00:00Z', '2026-03-10T10:00:00Z')).toBe(false);
    const [i] = expand(text, win('2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z'));
    expect(i).toMatchObject({ start: t('2026-03-10T10:00:00Z'), end: t('2026-03-10T11:00:00Z'), transparent: true });
  });

  it('DUE only: start < DUE <= end', () => {
    const text = cal(...todo('DUE:20260310T110000Z'));
    expect(matches(text, '2026-03-10T10:00:00Z', '2026-03-10T11:00:00Z')).toBe(true);
    expect(matches(text, '2026-03-10T11:00:00Z', '2026-03-10T12:00:00Z')).toBe(false);
  });

  it('DTSTART only: start <= DTSTART < end', () => {
    const text = cal(...todo('DTSTART:20260310T100000Z'));
    expect(matches(text, '2026-03-10T10:00:00Z', '2026-03-10T11:00:00Z')).toBe(true);
    expect(matches(text, '2026-03-10T09:00:00Z', '2026-03-10T10:00:00Z')).toBe(false);
  });

  it('COMPLETED and CREATED', () => {
    const both = cal(...todo('CREATED:20260310T080000Z', 'COMPLETED:20260310T120000Z'));
    expect(matches(both, '2026-03-10T12:00:00Z', '2026-03-10T13:00:00Z')).toBe(true);
    expect(matches(both, '2026-03-10T07:00:00Z', '2026-03-10T08:00:00Z')).toBe(true);
    expect(matches(both, '2026-03-10T12:00:01Z', '2026-03-10T13:00:00Z')).toBe(false);
    const completed = cal(...todo('COMPLETED:20260310T120000Z'));
    expect(matches(completed, '2026-03-10T11:00:00Z', '2026-03-10T12:00:00Z')).toBe(true);
    expect(matches(completed, '2026-03-10T12:00:01Z', '2026-03-10T13:00:00Z')).toBe(false);
    const created = cal(...todo('CREATED:20260310T080000Z'));
    expect(matches(created, '2026-03-10T07:00:00Z', '2026-03-10T08:00:00Z')).toBe(false);
    expect(matches(created, '2030-01-01T00:00:00Z', '2030-01-02T00:00:00Z')).toBe(true);
  });

  it('no dates at all: matches every window', () => {
    const [i] = expand(cal(...todo('SUMMARY:Someday')), win('1990-01-01T00:00:00Z', '1990-01-02T00:00:00Z'));
    expect(i).toMatchObject({ start: MIN_TIME, end: MAX_TIME, summary: 'Someday' });
  });

  it('recurring VTODO keeps its DUE offset', () => {
    const text = cal(...todo('DTSTART:20260310T100000Z', 'DUE:20260310T120000Z', 'RRULE:FREQ=WEEKLY;COUNT=2'));
    const list = expand(text, win('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'));
    expect(list.map((i) => [iso(i.start), iso(i.end)])).toEqual([
      ['2026-03-10T10:00:00.000Z', '2026-03-10T12:00:00.000Z'],
      ['2026-03-17T10:00:00.000Z', '2026-03-17T12:00:00.000Z'],
    ]);
  });
});

describe('recurrence details', () => {
  const W = win('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');

  it('a DTSTART that does not match the rule is still the first instance and counts toward COUNT', () => {
    const text = cal(...event('DTSTART:20260303T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3')); // a Tuesday
    expect(starts(expand(text, W))).toEqual(['2026-03-03T09:00:00.000Z', '2026-03-09T09:00:00.000Z', '2026-03-16T09:00:00.000Z']);
  });

  it('UNTIL in UTC is inclusive for a TZID series', () => {
    const text = cal(...event('DTSTART;TZID=Asia/Tokyo:20260310T090000', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;UNTIL=20260312T000000Z'));
    expect(starts(expand(text, W))).toEqual(['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z', '2026-03-12T00:00:00.000Z']);
  });

  it('a floating RECURRENCE-ID or EXDATE on a TZID series is read in the series zone', () => {
    const text = cal(
      ...event('DTSTART;TZID=Europe/Paris:20260310T090000', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;COUNT=4', 'EXDATE:20260313T090000'),
      'BEGIN:VEVENT',
      'UID:uid-1',
      'RECURRENCE-ID:20260311T090000',
      'DTSTART;TZID=Europe/Paris:20260311T180000',
      'DTEND;TZID=Europe/Paris:20260311T190000',
      'END:VEVENT',
    );
    expect(starts(expand(text, W))).toEqual(['2026-03-10T08:00:00.000Z', '2026-03-11T17:00:00.000Z', '2026-03-12T08:00:00.000Z']);
  });

  it('two RRULEs yielding the same date produce one instance', () => {
    const text = cal(...event('DTSTART:20260302T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4', 'RRULE:FREQ=WEEKLY;BYDAY=WE,FR;COUNT=4'));
    // Rule 1: Mar 2, 4, 9, 11. Rule 2: DTSTART (Mar 2, counted first), 4, 6, 11.
    expect(starts(expand(text, W)).map((s) => s.slice(0, 10))).toEqual(['2026-03-02', '2026-03-04', '2026-03-06', '2026-03-09', '2026-03-11']);
  });

  it('monthly "last Friday" in a southern-hemisphere zone follows its DST end', () => {
    const text = cal(...event('DTSTART;TZID=Australia/Sydney:20260130T170000', 'DURATION:PT1H', 'RRULE:FREQ=MONTHLY;BYDAY=-1FR'));
    expect(starts(expand(text, win('2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z')))).toEqual([
      '2026-03-27T06:00:00.000Z', // AEDT +11
      '2026-04-24T07:00:00.000Z', // AEST +10 (DST ended 2026-04-05)
    ]);
  });
});

describe('efficiency and runaway rules', () => {
  it('expands thousands of instances in a DST zone quickly', () => {
    const parsed = parseICalendar(cal(...event('DTSTART;TZID=Europe/London:20260101T090000', 'DURATION:PT1H', 'RRULE:FREQ=DAILY')));
    const t0 = performance.now();
    const res = expandInstancesDetailed(parsed, win('2026-01-01T00:00:00Z', '2040-01-01T00:00:00Z'));
    expect(res.instances).toHaveLength(5000);
    expect(res.truncated).toBe(true);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('a FREQ=DAILY rule with no end, queried 5 years ahead, is fast and correct', () => {
    const text = cal(...event('DTSTART;TZID=America/New_York:20260101T090000', 'DURATION:PT30M', 'RRULE:FREQ=DAILY'));
    const parsed = parseICalendar(text);
    const t0 = performance.now();
    const res = expandInstancesDetailed(parsed, win('2031-03-01T00:00:00Z', '2031-04-01T00:00:00Z'));
    const elapsed = performance.now() - t0;
    expect(res.truncated).toBe(false);
    expect(res.instances).toHaveLength(31);
    expect(iso(res.instances[0]!.start)).toBe('2031-03-01T14:00:00.000Z'); // EST
    expect(iso(res.instances[8]!.start)).toBe('2031-03-09T13:00:00.000Z'); // EDT from 2031-03-09
    expect(res.instances[8]!.recurrenceId).toBe('20310309T090000');
    expect(elapsed).toBeLessThan(1000);
    // Two centuries out still works (no iteration from DTSTART).
    // (With maxInstances 10 the iteration budget is ~20k steps: walking 73k days from DTSTART would exhaust it.)
    const far = expandInstancesDetailed(parsed, win('2226-06-01T00:00:00Z', '2226-06-03T00:00:00Z'), { maxInstances: 10 });
    expect(far.truncated).toBe(false);
    expect(starts(far.instances)).toEqual(['2226-06-01T13:00:00.000Z', '2226-06-02T13:00:00.000Z']);
  });

  it.each([
    ['FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR;WKST=SU', 'DTSTART;TZID=Europe/London:20260107T100000'],
    ['FREQ=DAILY;INTERVAL=3;BYHOUR=9,17;BYMINUTE=15', 'DTSTART;TZID=America/New_York:20260101T091500'],
    ['FREQ=HOURLY;INTERVAL=5;COUNT=9000', 'DTSTART;TZID=Pacific/Kiritimati:20260101T000000'],
    ['FREQ=DAILY;COUNT=1000', 'DTSTART;TZID=Europe/London:20260101T100000'],
    ['FREQ=WEEKLY;INTERVAL=3', 'DTSTART;VALUE=DATE:20260101'],
  ])('skipping ahead gives the same result as iterating from DTSTART (%s)', (rule, dtstart) => {
    const parsed = parseICalendar(cal(...event(dtstart, 'DURATION:PT2H', `RRULE:${rule}`)));
    for (const [a, b] of [
      ['2028-06-01T00:00:00Z', '2028-08-01T00:00:00Z'],
      ['2028-10-20T00:00:00Z', '2028-11-10T00:00:00Z'],
    ] as const) {
      const w = win(a, b);
      const direct = expandInstances(parsed, w, { defaultZone: 'Europe/Paris' });
      const brute = expandInstances(parsed, { start: t('2025-12-01T00:00:00Z'), end: w.end }, { defaultZone: 'Europe/Paris', maxInstances: 100_000 }).filter((i) => i.start < w.end && i.end > w.start);
      expect(direct).toEqual(brute);
    }
  });

  it('COUNT still ends a skipped-ahead rule at the right instance', () => {
    const parsed = parseICalendar(cal(...event('DTSTART:20260101T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;COUNT=2000')));
    // Instance #2000 is 1999 days after 2026-01-01: 2031-06-23.
    expect(starts(expandInstances(parsed, win('2031-06-20T00:00:00Z', '2031-07-01T00:00:00Z')))).toEqual([
      '2031-06-20T09:00:00.000Z',
      '2031-06-21T09:00:00.000Z',
      '2031-06-22T09:00:00.000Z',
      '2031-06-23T09:00:00.000Z',
    ]);
  });

  it('FREQ=SECONDLY is capped at maxInstances', () => {
    const parsed = parseICalendar(cal(...event('DTSTART:20260101T000000Z', 'RRULE:FREQ=SECONDLY')));
    const t0 = performance.now();
    const res = expandInstancesDetailed(parsed, win('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'));
    expect(res.instances).toHaveLength(5000);
    expect(res.truncated).toBe(true);
    expect(iso(res.instances[4999]!.start)).toBe('2026-01-01T01:23:19.000Z');
    expect(expandInstances(parsed, win('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'), { maxInstances: 10 })).toHaveLength(10);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('rules that can never match terminate quickly', () => {
    for (const rule of ['FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', 'FREQ=MINUTELY;BYMONTH=4;BYMONTHDAY=31', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30']) {
      const parsed = parseICalendar(cal(...event('DTSTART:20260101T090000Z', 'DURATION:PT1H', `RRULE:${rule}`)));
      const t0 = performance.now();
      // Only DTSTART itself (always the first instance); ical.js's bogus "March 2nd" dates are filtered out.
      const res = expandInstancesDetailed(parsed, win('2026-01-01T00:00:00Z', '2040-01-01T00:00:00Z'));
      expect(starts(res.instances)).toEqual(['2026-01-01T09:00:00.000Z']);
      expect(res.truncated).toBe(false); // recognised as impossible, not cut off by the budget
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });

  it('drops the impossible dates ical.js emits for leap-day and day-31 rules', () => {
    const leap = parseICalendar(cal(...event('DTSTART;VALUE=DATE:20280229', 'RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29')));
    expect(starts(expandInstances(leap, win('2028-01-01T00:00:00Z', '2037-01-01T00:00:00Z')))).toEqual(['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z', '2036-02-29T00:00:00.000Z']);
    const day31 = parseICalendar(cal(...event('DTSTART:20260131T090000Z', 'RRULE:FREQ=YEARLY;BYMONTH=1,4,5;BYMONTHDAY=31')));
    expect(starts(expandInstances(day31, win('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')))).toEqual(['2026-01-31T09:00:00.000Z', '2026-05-31T09:00:00.000Z']);
  });

  it('a hostile but feasible rule is bounded by the iteration budget', () => {
    // Matches only 29 February at 00:00:00 — found by stepping second by second.
    const parsed = parseICalendar(cal(...event('DTSTART:20260101T000000Z', 'RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=0;BYMINUTE=0;BYSECOND=0')));
    const t0 = performance.now();
    const res = expandInstancesDetailed(parsed, win('2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z'));
    expect(res.truncated).toBe(true);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('RECURRENCE-ID;RANGE=THISANDFUTURE (RFC 5545 §3.8.4.4)', () => {
  const weekly = (override: string[]) =>
    cal(
      ...event('DTSTART:20261102T090000Z', 'DTEND:20261102T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=6', 'SUMMARY:Stand-up'),
      'BEGIN:VEVENT',
      'UID:uid-1',
      'DTSTAMP:20260101T000000Z',
      ...override,
      'END:VEVENT',
    );

  it('moves the overridden occurrence and every later one by the same offset, with the override’s length and summary', () => {
    const text = weekly(['RECURRENCE-ID;RANGE=THISANDFUTURE:20261116T090000Z', 'DTSTART:20261116T140000Z', 'DTEND:20261116T143000Z', 'SUMMARY:Stand-up (afternoons)']);
    const list = expand(text, win('2026-11-01T00:00:00Z', '2026-12-31T00:00:00Z'));
    expect(starts(list)).toEqual([
      '2026-11-02T09:00:00.000Z',
      '2026-11-09T09:00:00.000Z',
      '2026-11-16T14:00:00.000Z',
      '2026-11-23T14:00:00.000Z',
      '2026-11-30T14:00:00.000Z',
      '2026-12-07T14:00:00.000Z',
    ]);
    expect(list.slice(2).map((i) => i.end - i.start)).toEqual([1_800_000, 1_800_000, 1_800_000, 1_800_000]);
    expect(list.slice(3).map((i) => [i.summary, i.shapedBy])).toEqual(Array(3).fill(['Stand-up (afternoons)', '20261116T090000Z']));
    expect(list[3]!.recurrenceId).toBe('20261123T090000Z'); // each keeps its own identity
  });

  it('a cancelled range stops every later occurrence from blocking; a plain override changes one', () => {
    const cancelled = expand(
      weekly(['RECURRENCE-ID;RANGE=THISANDFUTURE:20261123T090000Z', 'DTSTART:20261123T090000Z', 'DTEND:20261123T100000Z', 'STATUS:CANCELLED']),
      win('2026-11-01T00:00:00Z', '2026-12-31T00:00:00Z'),
    );
    expect(cancelled.map((i) => i.cancelled)).toEqual([false, false, false, true, true, true]);
    const single = expand(weekly(['RECURRENCE-ID:20261116T090000Z', 'DTSTART:20261116T140000Z', 'DTEND:20261116T143000Z']), win('2026-11-01T00:00:00Z', '2026-12-31T00:00:00Z'));
    expect(starts(single)[3]).toBe('2026-11-23T09:00:00.000Z');
  });

  it('finds shifted occurrences that the window reaches only after the shift', () => {
    const text = weekly(['RECURRENCE-ID;RANGE=THISANDFUTURE:20261109T090000Z', 'DTSTART:20261112T090000Z', 'DTEND:20261112T100000Z']);
    expect(starts(expand(text, win('2026-12-10T00:00:00Z', '2026-12-11T00:00:00Z')))).toEqual(['2026-12-10T09:00:00.000Z']);
  });
});
