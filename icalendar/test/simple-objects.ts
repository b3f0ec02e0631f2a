/**
 * Calendar objects in the shapes iCloud and other clients write, with the quirks that tell readers
 * apart (escapes, folding, parameters, zones, bad dates, recurrence, several components): what the
 * simple-event reading is held to the full path on, in icalendar/ and in the engine.
 */
import fc from 'fast-check';
import { vtimezoneFor } from '../vtimezone.js';

export const APPLE_LONDON = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'DTSTART:19810329T010000',
  'TZNAME:BST',
  'TZOFFSETTO:+0100',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0100',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'DTSTART:19961027T020000',
  'TZNAME:GMT',
  'TZOFFSETTO:+0000',
  'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');
/** A zone no IANA name describes: only its VTIMEZONE says what it is. */
const CUSTOM = ['BEGIN:VTIMEZONE', 'TZID:Custom/Office', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0530', 'TZOFFSETTO:+0530', 'END:STANDARD', 'END:VTIMEZONE'].join('\r\n');
const BROKEN_ZONE = ['BEGIN:VTIMEZONE', 'TZID:Broken/Zone', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0100', 'RRULE:FREQ=', 'END:STANDARD', 'END:VTIMEZONE'].join(
  '\r\n',
);
const ZONE_BLOCKS = [APPLE_LONDON, vtimezoneFor('America/New_York', { fromYear: 2020, toYear: 2030 })!, CUSTOM, BROKEN_ZONE, 'BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nEND:VTIMEZONE'];

/** null most of the time: a quirk that makes the object something else should not drown the rest. */
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(null), weight: 7 }, { arbitrary: arb, weight: 1 });
const text = fc.oneof(
  fc.constantFrom('Dentist', ' padded ', '', 'Lunch\\, then coffee', 'a\\;b', 'two\\nlines', 'back\\\\slash', 'Ünïcödé ☕', 'odd \\x escape', 'trailing\\'),
  fc.string({ maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, '')),
);
const utcStamp = fc.oneof(
  { arbitrary: fc.constantFrom('20261101T000000Z', '20261120T081500Z'), weight: 12 },
  { arbitrary: fc.constantFrom('20261101T000000', '20261131T000000Z', 'garbage', '20261101T000060Z', '20261101'), weight: 1 },
);
/** DTSTART/DTEND forms a simple event may have (after the property name). */
const GOOD_DATES = [
  ':20261121T090000Z',
  ':20261121T090000',
  ':20261121T093000Z',
  ';TZID=Europe/London:20261121T090000',
  ';TZID=Europe/London:20270328T013000',
  ';TZID=America/New_York:20261101T013000',
  ';TZID=Custom/Office:20261121T090000',
  ';TZID=Nowhere/Unknown:20261121T090000',
  ';VALUE=DATE:20261121',
  ';VALUE=DATE:20261122',
  ';VALUE=DATE-TIME:20261121T100000Z',
];
/** Forms the full path reads its own way or refuses. */
const ODD_DATES = [
  ';TZID=Broken/Zone:20261121T090000',
  ';TZID="Europe/London":20261121T090000',
  ';TZID=Europe/London:20261121T090000Z',
  ';VALUE=DATE:20261123',
  ';VALUE=DATE:20261121T090000',
  ';value=date:20261121',
  ':20261121',
  ':20260230T090000Z',
  ':20261121T250000Z',
  ':20261121T235960Z',
  ':0099121T090000Z',
  ':garbage',
  ':',
  ';X-FOO=bar:20261121T110000Z',
];
const alarm = fc.constantFrom(
  ['BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT15M', 'DESCRIPTION:Reminder', 'END:VALARM'],
  ['BEGIN:VALARM', 'X-WR-ALARMUID:1B2C', 'ACTION:NONE', 'TRIGGER;VALUE=DATE-TIME:19760401T005545Z', 'END:VALARM'],
  ['BEGIN:VALARM', 'TRIGGER:garbage', 'END:VALARM'],
  ['BEGIN:VALARM', 'TRIGGER:-PT5M', 'END:VALARM'],
);
const anyAlarm = fc.oneof({ arbitrary: alarm, weight: 10 }, { arbitrary: fc.constant(['BEGIN:VALARM', 'RRULE:FREQ=', 'END:VALARM']), weight: 1 });
const dateValue = fc.oneof({ arbitrary: fc.constantFrom(...GOOD_DATES), weight: 10 }, { arbitrary: fc.constantFrom(...GOOD_DATES, ...ODD_DATES), weight: 1 });
/** Properties that leave an event simple. */
const BENIGN_EXTRAS = [
  'SEQUENCE:3',
  'X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC',
  'ATTENDEE;CN="Doe, Jane";PARTSTAT=ACCEPTED:mailto:jane@example.com',
  'ATTENDEE;CN=Jane:mailto:jane@example.com',
  'CREATED:20261101T000000Z',
  'CLASS:PUBLIC',
  'GEO:1.5;2.5',
  'X-NUM;VALUE=INTEGER:abc',
  'SUMMARY:second summary',
  'summary:lower-case name',
  'URL:https://example.com/x',
];
/** Properties that make it something else, or that the full path refuses. */
const ODD_EXTRAS = [
  'ORGANIZER;CN=Bob:mailto:bob@example.com',
  'RRULE:FREQ=DAILY;COUNT=3',
  'RRULE:FREQ=',
  'EXDATE:20261122T090000Z',
  'RECURRENCE-ID:20261121T090000Z',
  'DURATION:PT1H',
  'DURATION:bogus',
  'CREATED:garbage',
  'FREEBUSY:garbage',
  'X-REC;VALUE=RECUR:FREQ=',
  'DTSTART:20261122T090000Z',
  'STATUS:TENTATIVE',
  'X-P;A=1;B=2;C=3;D=4;E=5;F=6;G=7;H=8;I=9;J=10;K=11;L=12;M=13;N=14;O=15;P=16;Q=17:x',
  'BAD LINE',
  ';NONAME:x',
  'X-EMPTY-PARAM;=x:y',
];
const extra = fc.oneof({ arbitrary: fc.constantFrom(...BENIGN_EXTRAS), weight: 10 }, { arbitrary: fc.constantFrom(...BENIGN_EXTRAS, ...ODD_EXTRAS), weight: 1 });

export const calendarObjects = fc.record({
  method: rarely(fc.constantFrom('METHOD:PUBLISH', 'METHOD:REQUEST')),
  zones: fc.oneof({ arbitrary: fc.subarray(ZONE_BLOCKS.slice(0, 3), { maxLength: 2 }), weight: 5 }, { arbitrary: fc.subarray(ZONE_BLOCKS, { maxLength: 2 }), weight: 1 }),
  zonesAfter: fc.boolean(),
  uid: fc.oneof({ arbitrary: fc.constantFrom('UID:E1', 'UID: spaced ', 'UID:a\\,b', 'UID;X-P=1:E2', 'uid:lower'), weight: 5 }, { arbitrary: fc.constantFrom('UID:', 'UID;VALUE=TEXT:E3'), weight: 1 }),
  dtstamp: fc.option(utcStamp.map((v) => `DTSTAMP:${v}`)),
  lastModified: fc.option(utcStamp.map((v) => `LAST-MODIFIED:${v}`)),
  start: fc.oneof({ arbitrary: dateValue.map((v) => `DTSTART${v}`), weight: 12 }, { arbitrary: fc.constant(null), weight: 1 }),
  end: fc.option(dateValue.map((v) => `DTEND${v}`)),
  summary: fc.option(text.map((v) => `SUMMARY:${v}`)),
  summaryParams: fc.oneof({ arbitrary: fc.constantFrom('', ';LANGUAGE=en-GB', ';ALTREP="cid:x"'), weight: 8 }, { arbitrary: fc.constant(';VALUE=TEXT'), weight: 1 }),
  description: fc.option(text.map((v) => `DESCRIPTION:${v}`)),
  location: fc.option(text.map((v) => `LOCATION:${v}`)),
  transp: fc.option(fc.constantFrom('TRANSP:OPAQUE', 'TRANSP:TRANSPARENT', 'TRANSP: transparent ', 'TRANSP:TRANS\\,PARENT')),
  status: fc.option(
    fc.oneof({ arbitrary: fc.constantFrom('STATUS:CONFIRMED', 'STATUS:CANCELLED', 'STATUS:cancelled'), weight: 8 }, { arbitrary: fc.constant('STATUS;VALUE=TEXT:CANCELLED'), weight: 1 }),
  ),
  extras: fc.array(extra, { maxLength: 3 }),
  alarms: fc.array(anyAlarm, { maxLength: 2 }),
  secondEvent: rarely(fc.constantFrom('VEVENT', 'VTODO')),
  trailer: rarely(fc.constantFrom('X-AFTER:1', 'END:VCALENDAR', 'BEGIN:VCALENDAR')),
  eol: fc.constantFrom('\r\n', '\n', '\r'),
  bom: fc.boolean(),
  folds: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(' ', '\t')), { maxLength: 3 }),
  blank: rarely(fc.nat()),
  zone: fc.constantFrom('Europe/London', 'UTC', 'America/New_York', 'Asia/Kolkata'),
});

export type ObjectShape = typeof calendarObjects extends fc.Arbitrary<infer T> ? T : never;

export function buildObject(s: ObjectShape): string {
  const withParams = (line: string | null, params: string) => (line === null ? [] : [line.replace(/^SUMMARY/, `SUMMARY${params}`)]);
  const event = [
    'BEGIN:VEVENT',
    s.uid,
    ...[s.dtstamp, s.lastModified, s.start, s.end].filter((l): l is string => l !== null),
    ...withParams(s.summary, s.summaryParams),
    ...[s.description, s.location, s.transp, s.status].filter((l): l is string => l !== null),
    ...s.extras,
    ...s.alarms.flat(),
    'END:VEVENT',
  ];
  const second = s.secondEvent ? [`BEGIN:${s.secondEvent}`, 'UID:E1', 'DTSTART:20261121T090000Z', `END:${s.secondEvent}`] : [];
  const zones = s.zones.flatMap((z) => z.split('\r\n'));
  let lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Apple Inc.//iPhone OS 18.1//EN',
    ...(s.method ? [s.method] : []),
    ...(s.zonesAfter ? [] : zones),
    ...event,
    ...second,
    ...(s.zonesAfter ? zones : []),
    'END:VCALENDAR',
    ...(s.trailer ? [s.trailer] : []),
  ];
  for (const [at, cut, ws] of s.folds) {
    const k = at % lines.length;
    const line = lines[k]!;
    if (line.length < 2) continue;
    const c = 1 + (cut % (line.length - 1));
    lines = [...lines.slice(0, k), line.slice(0, c), ws + line.slice(c), ...lines.slice(k + 1)];
  }
  if (s.blank !== null) lines.splice(1 + (s.blank % (lines.length - 1)), 0, '');
  return (s.bom ? '\uFEFF' : '') + lines.join(s.eol) + s.eol;
}
