/**
 * Acceptance: tsdav, unchanged, against the mock with only its server URL set to the gateway —
 * the same steps tsdav's own live iCloud suite runs (dossier §7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDAVClient, type DAVCalendar } from 'tsdav';
import type { RunningMockICloud } from '../index.js';
import { ALICE, startDemo, vevent } from './helpers.js';

type Client = Awaited<ReturnType<typeof createDAVClient>>;

let mock: RunningMockICloud;
let client: Client;
let calendars: DAVCalendar[];
const byName = (name: string) => calendars.find((c) => c.url.endsWith(`/calendars/${name}/`))!;

beforeAll(async () => {
  mock = await startDemo();
  client = await createDAVClient({
    serverUrl: mock.gatewayUrl,
    credentials: { username: ALICE.appleId, password: ALICE.appPassword },
    authMethod: 'Basic',
    defaultAccountType: 'caldav',
  });
  calendars = await client.fetchCalendars();
});
afterAll(() => mock.close());

describe('tsdav against the mock', () => {
  it('discovers the principal on the gateway and the home on the partition origin', () => {
    // createDAVClient's discovery: well-known and principal on the gateway, then the home on the partition.
    const steps = mock.control.journal().map((e) => `${e.origin} ${e.method} ${e.path} ${e.status}`);
    expect(steps.slice(0, 4)).toEqual([
      'gateway PROPFIND /.well-known/caldav 301',
      'gateway PROPFIND / 207',
      `gateway PROPFIND /${ALICE.dsid}/principal/ 207`,
      `partition PROPFIND /${ALICE.dsid}/calendars/ 207`,
    ]);
    // tsdav resolves the calendars' relative hrefs against the gateway root, not the partition home,
    // so everything after discovery runs on the gateway: both origins must serve the same data.
    expect(calendars.every((c) => c.url.startsWith(`${mock.gatewayUrl}${ALICE.dsid}/calendars/`))).toBe(true);
  });

  it('lists the calendars, with components, colours, ctags and sync tokens', () => {
    const names = calendars.map((c) => c.url.split('/').at(-2));
    expect(names).toEqual(expect.arrayContaining(['home', 'work', 'tasks']));
    expect(names).not.toContain('inbox');
    expect(names.some((n) => /^[0-9a-f]{64}$/.test(n!))).toBe(true); // bob's shared calendar
    expect(byName('work')).toMatchObject({ displayName: 'Work', components: ['VEVENT'], calendarColor: '#CC73E1FF' });
    expect(byName('tasks').components).toEqual(['VTODO']);
    expect(byName('work').ctag).toMatch(/^HwoQEgwAA/);
    expect(byName('work').syncToken).toBe(byName('work').ctag);
    expect(byName('work').reports).toEqual(expect.arrayContaining(['syncCollection', 'calendarQuery', 'calendarMultiget']));
  });

  it('fetches objects in a time range, hiding the collection-self response', async () => {
    const objects = await client.fetchCalendarObjects({ calendar: byName('work'), timeRange: { start: '2026-11-24T00:00:00Z', end: '2026-11-25T00:00:00Z' } });
    expect(objects).toHaveLength(1);
    expect(objects[0].data).toContain('SUMMARY:Pick John from school');
    const none = await client.fetchCalendarObjects({ calendar: byName('work'), timeRange: { start: '2026-12-24T00:00:00Z', end: '2026-12-25T00:00:00Z' } });
    expect(none).toHaveLength(0);
  });

  it('creates, updates and deletes an object, and smartCollectionSync sees each step', async () => {
    const calendar = byName('home');
    const objects = await client.fetchCalendarObjects({ calendar });

    const created = await client.createCalendarObject({ calendar, filename: 'tsdav-1.ics', iCalString: vevent('TSDAV-1') });
    expect(created.status).toBe(201);
    const etag = created.headers.get('etag')!;
    const afterCreate = await client.smartCollectionSync({ collection: { ...calendar, objects, objectMultiGet: client.calendarMultiGet }, method: 'webdav', detailedResult: true });
    expect(afterCreate.objects.created.map((o) => o.url)).toEqual([`${calendar.url}tsdav-1.ics`]);
    expect(afterCreate.objects.updated).toEqual([]);
    // tsdav trims text nodes, so the trailing CRLF is gone on its side (as with real iCloud).
    expect(String(afterCreate.objects.created[0].data).split('\r\n').join('\n')).toBe(vevent('TSDAV-1').split('\r\n').join('\n').trimEnd());

    const url = `${calendar.url}tsdav-1.ics`;
    const updated = await client.updateCalendarObject({ calendarObject: { url, data: vevent('TSDAV-1', '20261203T100000Z', '20261203T110000Z'), etag } });
    expect(updated.ok).toBe(true);
    const stale = await client.updateCalendarObject({ calendarObject: { url, data: vevent('TSDAV-1'), etag } });
    expect(stale.status).toBe(412);

    const [fresh] = await client.fetchCalendarObjects({ calendar, objectUrls: [url] });
    expect(fresh.data).toContain('DTSTART:20261203T100000Z');
    const deleted = await client.deleteCalendarObject({ calendarObject: { url, etag: fresh.etag } });
    expect(deleted.ok).toBe(true);

    const afterDelete = await client.smartCollectionSync({
      collection: { ...calendar, syncToken: afterCreate.syncToken, objects: [...objects, { url, etag: fresh.etag, data: fresh.data }], objectMultiGet: client.calendarMultiGet },
      method: 'webdav',
      detailedResult: true,
    });
    expect(afterDelete.objects.deleted.map((o) => o.url)).toEqual([url]);
    expect(afterDelete.objects.created).toEqual([]);
  });

  it('sees a change made "on the iPhone" through syncCalendars', async () => {
    mock.control.putEvent(ALICE.appleId, 'work', { ics: vevent('IPHONE-TSDAV') });
    const result = await client.syncCalendars({ oldCalendars: calendars, detailedResult: true });
    expect(result.updated.map((c) => c.url)).toContain(byName('work').url);
  });
});
