/**
 * A load generator for the mock: N concurrent clients, each doing a realistic CalDAV mix against
 * its own account (discovery PROPFIND, incremental sync-collection, time-range queries, multiget,
 * GET, PUT creates and conditional updates, DELETE), bounded by a request count or a duration.
 * Loopback only. Used by a short test (load.test.ts) and by `npm run bench` (60 s, 50 clients).
 */
import { utcDateTime as fmt } from '../../icalendar/index.js';
import { performance } from 'node:perf_hooks';
import type { AccountSpec, CalendarSpec } from '../index.js';

/**
 * What the load generator needs: the partition origin and the control functions it seeds with,
 * in-process (MockControl) or over the control plane's HTTP routes (answers as promises).
 */
export interface LoadTarget {
  partitionUrl: string;
  control: {
    now(): number;
    createAccount(spec: AccountSpec): { dsid: string } | Promise<{ dsid: string }>;
    createCalendar(appleId: string, spec: CalendarSpec): unknown;
    putEvent(appleId: string, calendar: string, event: { ics: string; name?: string }): unknown;
  };
}

export interface LoadOptions {
  clients: number;
  /** Stop each client after this many requests… */
  requestsPerClient?: number;
  /** …or after this long, whichever comes first. */
  durationMs?: number;
  accounts?: number;
  eventsPerAccount?: number;
  seed?: number;
}

export interface LoadResult {
  requests: number;
  byStatus: Record<string, number>;
  /** Any 5xx: none is expected without faults. */
  serverErrors: Array<{ op: string; status: number }>;
  networkErrors: string[];
  p50: number;
  p99: number;
  durationMs: number;
}

const DAY = 86_400_000;

function ics(uid: string, start: number, summary: string): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//load//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261121T090000Z',
    `DTSTART:${fmt(start)}`,
    `DTEND:${fmt(start + 3_600_000)}`,
    `SUMMARY:${summary}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/**
 * Creates `accounts` accounts (load0@example.com …), each with a `work` calendar of events, through
 * the control functions (in-process, or over the control plane's HTTP routes, hence the awaits).
 */
export async function seedLoadAccounts(mock: LoadTarget, accounts: number, events: number, base: number): Promise<Array<{ appleId: string; auth: string; dsid: string }>> {
  const out = [];
  for (let a = 0; a < accounts; a++) {
    const appleId = `load${a}@example.com`;
    const account = await mock.control.createAccount({ appleId, fullName: `Load ${a}`, password: 'regular', appPasswords: ['load-load-load-load'] });
    await mock.control.createCalendar(appleId, { name: 'work' });
    for (let e = 0; e < events; e++) await mock.control.putEvent(appleId, 'work', { ics: ics(`L${a}-${e}`, base + (e % 120) * DAY + (e % 9) * 3_600_000, `Event ${e}`) });
    out.push({ appleId, auth: `Basic ${Buffer.from(`${appleId}:load-load-load-load`).toString('base64')}`, dsid: account.dsid });
  }
  return out;
}

export async function runLoad(mock: LoadTarget, options: LoadOptions): Promise<LoadResult> {
  const base = mock.control.now();
  const accounts = await seedLoadAccounts(mock, options.accounts ?? 10, options.eventsPerAccount ?? 200, base);
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  const serverErrors: LoadResult['serverErrors'] = [];
  const networkErrors: string[] = [];
  const started = performance.now();
  const deadline = options.durationMs === undefined ? Infinity : started + options.durationMs;
  const limit = options.requestsPerClient ?? Infinity;

  const client = async (index: number) => {
    const { auth, dsid, appleId } = accounts[index % accounts.length];
    const calendar = new URL(`/${dsid}/calendars/work/`, mock.partitionUrl).href;
    let random = (options.seed ?? 1) * 7919 + index;
    const next = () => (random = (random * 48271) % 2147483647) / 2147483647;
    let token = '';
    const mine: Array<{ href: string; etag: string }> = [];
    const send = async (op: string, url: string, init: RequestInit): Promise<Response | undefined> => {
      const t = performance.now();
      try {
        const res = await fetch(url, { ...init, headers: { Authorization: auth, ...(init.headers as Record<string, string>) } });
        const body = await res.text();
        latencies.push(performance.now() - t);
        byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
        if (res.status >= 500) serverErrors.push({ op, status: res.status });
        return Object.assign(res, { bodyText: body });
      } catch (error) {
        networkErrors.push(`${op}: ${(error as Error).message}`);
        return undefined;
      }
    };
    for (let n = 0; n < limit && performance.now() < deadline; n++) {
      const roll = next();
      if (roll < 0.1) {
        await send('propfind-home', new URL(`/${dsid}/calendars/`, mock.partitionUrl).href, {
          method: 'PROPFIND',
          headers: { Depth: '1' },
          body: '<propfind xmlns="DAV:"><prop><displayname/><getctag xmlns="http://calendarserver.org/ns/"/></prop></propfind>',
        });
      } else if (roll < 0.4) {
        const res = (await send('sync-collection', calendar, {
          method: 'REPORT',
          headers: { Depth: '0' },
          body: `<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`,
        })) as (Response & { bodyText: string }) | undefined;
        const found = res && /<sync-token[^>]*>([^<]+)<\/sync-token>/.exec(res.bodyText);
        token = res?.status === 207 && found ? found[1] : '';
      } else if (roll < 0.6) {
        const day = Math.floor(next() * 120);
        await send('calendar-query', calendar, {
          method: 'REPORT',
          headers: { Depth: '1' },
          body: `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="${fmt(base + day * DAY)}" end="${fmt(base + (day + 1) * DAY)}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`,
        });
      } else if (roll < 0.75) {
        const hrefs = Array.from({ length: 5 }, () => `<d:href>/${dsid}/calendars/work/L${index % accounts.length}-${Math.floor(next() * 200)}.ics</d:href>`).join('');
        await send('multiget', calendar, {
          method: 'REPORT',
          headers: { Depth: '1' },
          body: `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>${hrefs}</c:calendar-multiget>`,
        });
      } else if (roll < 0.8) {
        await send('get', `${calendar}L${index % accounts.length}-${Math.floor(next() * 200)}.ics`, { method: 'GET' });
      } else if (roll < 0.9 || mine.length === 0) {
        const uid = `C${index}-${n}-${appleId}`;
        const href = `${calendar}${encodeURIComponent(uid)}.ics`;
        const res = await send('put-create', href, {
          method: 'PUT',
          headers: { 'Content-Type': 'text/calendar', 'If-None-Match': '*' },
          body: ics(uid, base + Math.floor(next() * 120) * DAY, 'Created'),
        });
        if (res?.status === 201) mine.push({ href, etag: res.headers.get('etag') ?? '' });
      } else if (roll < 0.97) {
        const item = mine[Math.floor(next() * mine.length)];
        const uid = decodeURIComponent(
          item.href
            .split('/')
            .pop()!
            .replace(/\.ics$/, ''),
        );
        const res = await send('put-update', item.href, {
          method: 'PUT',
          headers: { 'Content-Type': 'text/calendar', 'If-Match': item.etag },
          body: ics(uid, base + Math.floor(next() * 120) * DAY, `Updated ${n}`),
        });
        if (res?.status === 204) item.etag = res.headers.get('etag') ?? item.etag;
      } else {
        const item = mine.pop()!;
        await send('delete', item.href, { method: 'DELETE', headers: { 'If-Match': item.etag } });
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, byStatus, serverErrors, networkErrors, p50: at(0.5), p99: at(0.99), durationMs: performance.now() - started };
}
