/**
 * One ordinary tsdav session, the same against the mock, Radicale or iCloud: discovery, the
 * calendar list, a calendar-query, then create, multiget, update, sync-collection and delete of one
 * event in the calendar named `calendarName`. It returns what tsdav saw, so a test can collect the
 * real values (UIDs, sync tokens) a capture must not contain.
 */
import { createDAVClient, type DAVCalendar } from 'tsdav';

export const SESSION_UID = 'RECORDED-SESSION-EVENT-7f3a';

export function sessionEvent(uid: string, start: string, summary: string): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//record tests//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261121T090000Z',
    `DTSTART:${start}`,
    `DTEND:${start.replace(/T(\d\d)/, (_m, h: string) => `T${String(Number(h) + 1).padStart(2, '0')}`)}`,
    `SUMMARY:${summary}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

export interface SessionResult {
  calendars: DAVCalendar[];
  /** Every sync token and ctag tsdav was given. */
  tokens: string[];
  /** Every iCalendar body tsdav read. */
  bodies: string[];
  statuses: Record<string, number>;
}

export async function tsdavSession(serverUrl: string, username: string, password: string, calendarName: string): Promise<SessionResult> {
  const client = await createDAVClient({ serverUrl, credentials: { username, password }, authMethod: 'Basic', defaultAccountType: 'caldav' });
  const calendars = await client.fetchCalendars();
  const calendar = calendars.find((c) => c.url.replace(/\/$/, '').endsWith(`/${calendarName}`));
  if (!calendar) throw new Error(`no calendar ${calendarName} among ${calendars.map((c) => c.url).join(', ')}`);
  const tokens = calendars.flatMap((c) => [c.ctag, c.syncToken].filter((t): t is string => typeof t === 'string'));
  const initial = await client.fetchCalendarObjects({ calendar });
  const bodies = initial.map((o) => String(o.data));
  const statuses: Record<string, number> = {};

  const created = await client.createCalendarObject({ calendar, filename: `${SESSION_UID}.ics`, iCalString: sessionEvent(SESSION_UID, '20261201T100000Z', 'Recorded session event') });
  statuses.create = created.status;
  const url = new URL(`${SESSION_UID}.ics`, calendar.url).href;
  const [fetched] = await client.fetchCalendarObjects({ calendar, objectUrls: [url] });
  bodies.push(String(fetched?.data ?? ''));
  const updated = await client.updateCalendarObject({ calendarObject: { url, data: sessionEvent(SESSION_UID, '20261202T100000Z', 'Recorded session event (moved)'), etag: fetched?.etag } });
  statuses.update = updated.status;
  const synced = await client.smartCollectionSync({ collection: { ...calendar, objects: initial, objectMultiGet: client.calendarMultiGet }, method: 'webdav', detailedResult: true });
  if (synced.syncToken) tokens.push(synced.syncToken);
  const [latest] = await client.fetchCalendarObjects({ calendar, objectUrls: [url] });
  const deleted = await client.deleteCalendarObject({ calendarObject: { url, etag: latest?.etag } });
  statuses.delete = deleted.status;
  return { calendars, tokens, bodies, statuses };
}
