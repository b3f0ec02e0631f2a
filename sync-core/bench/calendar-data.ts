/** The sync-core benches' iCloud data: a fixed clock and plain single events, as an iPhone writes them. */
import { utcDateTime as fmt } from '../../icalendar/index.js';

export const BENCH_NOW = Date.parse('2026-11-21T09:00:00Z');
export const DAY = 86_400_000;

/** One event of an hour at `start`, last modified the day before the bench's clock. */
export const benchEvent = (uid: string, start: number, extra = '') =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//bench//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261101T000000Z',
    `LAST-MODIFIED:${fmt(BENCH_NOW - DAY)}`,
    `DTSTART:${fmt(start)}`,
    `DTEND:${fmt(start + 3_600_000)}`,
    `SUMMARY:Event ${uid}${extra}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

/** A mock account `<name>@example.com` with one calendar, `big`, of 10,000 events (thirty a day from 20 days back). */
export function bigAccount(name: string, uidPrefix: string) {
  return {
    appleId: `${name}@example.com`,
    fullName: name,
    password: 'regular',
    appPasswords: ['bigg-bigg-bigg-bigg'],
    calendars: [{ name: 'big', events: Array.from({ length: 10_000 }, (_, i) => ({ ics: benchEvent(`${uidPrefix}${i}`, BENCH_NOW - 20 * DAY + Math.floor(i / 30) * DAY + (i % 30) * 600_000) })) }],
  };
}
