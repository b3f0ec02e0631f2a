/**
 * `npm run bench`: the mock's main operations at 1,000 and 100,000 events per calendar.
 *
 * Shows that the indexes hold: an incremental sync-collection with a few changes and a one-day
 * time-range query should cost about the same at both sizes, while an initial sync grows with
 * the calendar. Figures are medians over repeated runs, over HTTP on loopback. This is a
 * measurement, not a test: nothing here passes or fails.
 */
import { utcDateTime } from '../../icalendar/index.js';
import { performance } from 'node:perf_hooks';
import { startMockICloud, type RunningMockICloud } from '../index.js';

const APPLE_ID = 'bench@example.com';
const PASSWORD = 'benc-hben-chbe-nchb';
const AUTH = `Basic ${Buffer.from(`${APPLE_ID}:${PASSWORD}`).toString('base64')}`;
const DAY = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00Z');

function ics(uid: string, startMs: number, weekly: boolean): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//bench//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20260101T000000Z',
    `DTSTART:${utcDateTime(startMs)}`,
    `DTEND:${utcDateTime(startMs + 3_600_000)}`,
    ...(weekly ? ['RRULE:FREQ=WEEKLY;COUNT=20'] : []),
    `SUMMARY:Event ${uid}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

async function timed(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

async function dav(mock: RunningMockICloud, method: string, path: string, body: string, depth = '1'): Promise<string> {
  const res = await fetch(new URL(path, mock.partitionUrl), { method, headers: { Authorization: AUTH, Depth: depth, 'Content-Type': 'text/xml' }, body });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status}`);
  return text;
}

const syncBody = (token: string) => `<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
const tokenOf = (xml: string) => /<sync-token[^>]*>([^<]+)<\/sync-token>/.exec(xml)![1];

async function benchSize(size: number): Promise<Record<string, string>> {
  const mock = await startMockICloud({ clock: START });
  const row: Record<string, string> = { events: size.toLocaleString('en') };
  try {
    mock.control.createAccount({ appleId: APPLE_ID, fullName: 'Bench', password: 'regular', appPasswords: [PASSWORD] });
    mock.control.createCalendar(APPLE_ID, { name: 'big' });
    const load = performance.now();
    for (let i = 0; i < size; i++) {
      // Spread over ~3 years; every 20th event recurs weekly.
      mock.control.putEvent(APPLE_ID, 'big', { ics: ics(`E${i}`, START + Math.floor((i / size) * 1000) * DAY + (i % 10) * 3_600_000, i % 20 === 0) });
    }
    const loadMs = performance.now() - load;
    row['load (events/s)'] = Math.round(size / (loadMs / 1000)).toLocaleString('en');
    const path = `/${mock.control.getAccount(APPLE_ID).dsid}/calendars/big/`;

    const initialRuns = size > 10_000 ? 3 : 10;
    row['initial sync-collection'] = `${(await timed(initialRuns, () => dav(mock, 'REPORT', path, syncBody(''), '0'))).toFixed(1)} ms`;

    let n = 0;
    row['incremental sync, 3 changes'] = `${(
      await timed(30, async () => {
        const token = mock.control.listCalendars(APPLE_ID).find((c) => c.name === 'big')!.syncToken!;
        for (let k = 0; k < 3; k++) mock.control.putEvent(APPLE_ID, 'big', { ics: ics(`E${(n++ * 7919) % size}`, START + ((n * 13) % 1000) * DAY, false) });
        const xml = await dav(mock, 'REPORT', path, syncBody(token), '0');
        if (!tokenOf(xml)) throw new Error('no token');
      })
    ).toFixed(2)} ms`;

    const query = (day: number) =>
      `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="${utcDateTime(START + day * DAY)}" end="${utcDateTime(START + (day + 1) * DAY)}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
    let d = 0;
    let matched = 0;
    row['calendar-query, one day'] = `${(
      await timed(30, async () => {
        const xml = await dav(mock, 'REPORT', path, query((d++ * 37) % 900));
        matched += (xml.match(/<response/g)?.length ?? 1) - 1;
      })
    ).toFixed(2)} ms`;
    // The query's cost follows what it returns, not the calendar's size: show what it returned.
    row['events per day queried'] = (matched / 30).toFixed(0);

    const hrefs = Array.from({ length: 10 }, (_, i) => `<d:href>${path}E${(i * 97) % size}.ics</d:href>`).join('');
    row['multiget, 10 hrefs'] =
      `${(await timed(30, () => dav(mock, 'REPORT', path, `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>${hrefs}</c:calendar-multiget>`))).toFixed(2)} ms`;

    let p = 0;
    row['PUT one event'] = `${(
      await timed(30, async () => {
        const res = await fetch(new URL(`${path}put-${p}.ics`, mock.partitionUrl), {
          method: 'PUT',
          headers: { Authorization: AUTH, 'Content-Type': 'text/calendar' },
          body: ics(`PUT-${p++}`, START + 5 * DAY, false),
        });
        if (res.status !== 201) throw new Error(`PUT → ${res.status}`);
      })
    ).toFixed(2)} ms`;
  } finally {
    await mock.close();
  }
  return row;
}

const rows = [];
for (const size of [1_000, 100_000]) {
  console.error(`mock-icloud bench: ${size.toLocaleString('en')} events…`);
  rows.push(await benchSize(size));
}
console.log('\nmock-icloud: median per operation, HTTP over loopback, one calendar\n');
console.table(rows);
