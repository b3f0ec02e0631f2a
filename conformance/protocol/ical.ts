/**
 * iCalendar bodies the cases PUT: small, valid (RFC 5545), CRLF, in UTC so no VTIMEZONE is needed,
 * and dated in 2027 so "now" never matters.
 */

export const PRODID = '-//icloud-conformance//protocol cases//EN';

export function calendar(...components: string[][]): string {
  return [...['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${PRODID}`], ...components.flat(), 'END:VCALENDAR', ''].join('\r\n');
}

export interface EventSpec {
  uid: string;
  /** `20270201T100000Z`, or `VALUE=DATE:20270310` style with `date: true`. */
  start: string;
  /** Omitted: no DTEND (and no DURATION). */
  end?: string;
  date?: boolean;
  summary?: string;
  extra?: string[];
}

export function veventLines(spec: EventSpec): string[] {
  const dt = (name: string, value: string) => (spec.date ? `${name};VALUE=DATE:${value}` : `${name}:${value}`);
  return [
    'BEGIN:VEVENT',
    `UID:${spec.uid}`,
    'DTSTAMP:20261121T090000Z',
    dt('DTSTART', spec.start),
    ...(spec.end ? [dt('DTEND', spec.end)] : []),
    `SUMMARY:${spec.summary ?? `Conformance ${spec.uid}`}`,
    ...(spec.extra ?? []),
    'END:VEVENT',
  ];
}

/** One VEVENT in a VCALENDAR. */
export function event(spec: EventSpec): string {
  return calendar(veventLines(spec));
}

/**
 * A weekly meeting on Mondays 10:00–11:00Z from 2027-01-04, six occurrences (COUNT=6):
 * 01-04, 01-11, 01-18 (excluded by EXDATE), 01-25 (moved by an override to Wednesday 01-27
 * 15:00–16:00Z), 02-01, 02-08, plus an extra instance by RDATE on Monday 03-01.
 * RFC 4791 §9.9 says a time-range matches the expanded instances.
 */
export function weeklyWithExdateAndOverride(uid: string): string {
  return calendar(
    veventLines({ uid, start: '20270104T100000Z', end: '20270104T110000Z', summary: 'Weekly sync', extra: ['RRULE:FREQ=WEEKLY;COUNT=6', 'EXDATE:20270118T100000Z', 'RDATE:20270301T100000Z'] }),
    veventLines({ uid, start: '20270127T150000Z', end: '20270127T160000Z', summary: 'Weekly sync (moved)', extra: ['RECURRENCE-ID:20270125T100000Z'] }),
  );
}

/** Normalises line endings and unfolds lines (RFC 5545 §3.1) so servers' re-serialisations compare. */
export function unfold(ics: string): string[] {
  return ics
    .replace(/\r\n|\r|\n/g, '\n')
    .replace(/\n[ \t]/g, '')
    .split('\n')
    .filter((l) => l !== '');
}

/** Every value of property `name` in order (parameters ignored), e.g. `propertyValues(ics, 'UID')[0]`. */
export function propertyValues(ics: string, name: string): string[] {
  const out: string[] = [];
  for (const line of unfold(ics)) {
    const m = /^([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$/.exec(line);
    if (m && m[1].toUpperCase() === name.toUpperCase()) out.push(m[3]);
  }
  return out;
}

/** Europe/London as Apple writes it (dossier §3): GMT, BST from the last Sunday in March. */
export const EUROPE_LONDON = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0100',
  'DTSTART:19810329T010000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'TZNAME:BST',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0000',
  'DTSTART:19961027T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'TZNAME:GMT',
  'END:STANDARD',
  'END:VTIMEZONE',
];

/**
 * Mondays 09:00–10:00 Europe/London from 2027-03-15, four times: 03-15 and 03-22 at 09:00Z (GMT),
 * then 03-29 and 04-05 at 08:00Z (BST began on Sunday 03-28).
 */
export function weeklyAcrossDst(uid: string): string {
  return calendar(EUROPE_LONDON, [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261121T090000Z',
    'DTSTART;TZID=Europe/London:20270315T090000',
    'DTEND;TZID=Europe/London:20270315T100000',
    'RRULE:FREQ=WEEKLY;COUNT=4',
    'SUMMARY:Stand-up (London)',
    'END:VEVENT',
  ]);
}

export function vtodo(uid: string): string {
  return calendar(['BEGIN:VTODO', `UID:${uid}`, 'DTSTAMP:20261121T090000Z', 'SUMMARY:A task', 'END:VTODO']);
}
