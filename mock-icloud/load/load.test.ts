/**
 * A short, count-bounded version of the load run (the 60-second one is in `npm run bench`), and
 * concurrent conditional writes to one event: exactly one wins, the rest get 412, nothing is lost.
 */
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startMockICloud } from '../index.js';
import { vevent } from '../test/helpers.js';
import { runLoad } from './load.js';

/** One event whose title tells the writers apart. */
const eventNamed = (uid: string, summary: string) => vevent(uid).replace('SUMMARY:Test event', `SUMMARY:${summary}`);

describe('load', () => {
  it('serves 50 concurrent clients doing a realistic mix with no 5xx and no dropped connection', async () => {
    const mock = await startMockICloud({ clock: '2026-11-21T09:00:00Z' });
    try {
      const result = await runLoad(mock, { clients: 50, requestsPerClient: 40, accounts: 10, eventsPerAccount: 100 });
      expect(result.serverErrors).toEqual([]);
      expect(result.networkErrors).toEqual([]);
      expect(result.requests).toBe(50 * 40);
      // Only the answers the mix can cause: successes, a 404 for a multiget/GET of a deleted or
      // missing name is answered inside a 207 or as 404, and nothing else.
      expect(Object.keys(result.byStatus).sort()).toEqual(expect.arrayContaining(['201', '207']));
      for (const status of Object.keys(result.byStatus)) expect(['200', '201', '204', '207', '404', '412']).toContain(status);
    } finally {
      await mock.close();
    }
  }, 60_000);

  it('lets exactly one of many concurrent conditional writes to one event win', async () => {
    const mock = await startMockICloud({ clock: '2026-11-21T09:00:00Z' });
    try {
      const account = mock.control.createAccount({ appleId: 'race@example.com', fullName: 'Race', password: 'regular', appPasswords: ['race-race-race-race'] });
      mock.control.createCalendar('race@example.com', { name: 'work' });
      const body = (summary: string) => eventNamed('RACE-1', summary);
      const { etag } = mock.control.putEvent('race@example.com', 'work', { ics: body('original'), name: 'race.ics' });
      const url = new URL(`/${account.dsid}/calendars/work/race.ics`, mock.partitionUrl).href;
      const auth = `Basic ${Buffer.from('race@example.com:race-race-race-race').toString('base64')}`;
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          fetch(url, { method: 'PUT', headers: { Authorization: auth, 'Content-Type': 'text/calendar', 'If-Match': etag }, body: body(`writer ${i}`) }).then(async (r) => ({
            i,
            status: r.status,
            etag: r.headers.get('etag'),
          })),
        ),
      );
      const winners = results.filter((r) => r.status === 204);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.status === 412)).toHaveLength(29);
      const stored = mock.control.getEvent('race@example.com', 'work', 'race.ics');
      expect(stored.data).toContain(`SUMMARY:writer ${winners[0].i}`);
      expect(stored.etag).toBe(winners[0].etag);
    } finally {
      await mock.close();
    }
  });

  it('checks If-Match against the object as it is when the body has arrived, not when the request began', async () => {
    const mock = await startMockICloud({ clock: '2026-11-21T09:00:00Z' });
    try {
      const account = mock.control.createAccount({ appleId: 'slow@example.com', fullName: 'Slow', password: 'regular', appPasswords: ['slow-slow-slow-slow'] });
      mock.control.createCalendar('slow@example.com', { name: 'work' });
      const body = (summary: string) => eventNamed('SLOW-1', summary);
      const { etag } = mock.control.putEvent('slow@example.com', 'work', { ics: body('original'), name: 'slow.ics' });
      const url = new URL(`/${account.dsid}/calendars/work/slow.ics`, mock.partitionUrl);
      const headers = { Authorization: `Basic ${Buffer.from('slow@example.com:slow-slow-slow-slow').toString('base64')}`, 'Content-Type': 'text/calendar', 'If-Match': etag };
      // A: headers only. The server's 100 Continue means A's handler has started (and would have
      // checked If-Match by now if it checked before reading the body).
      const slowBody = body('slow writer');
      const a = httpRequest(url, { method: 'PUT', headers: { ...headers, Expect: '100-continue', 'Content-Length': Buffer.byteLength(slowBody) } });
      const aStatus = new Promise<number>((resolve) => a.on('response', (res) => (res.resume(), resolve(res.statusCode!))));
      await new Promise<void>((resolve) => a.on('continue', () => resolve()));
      // B: a full write with the same etag, while A's body is still on its way.
      const b = await fetch(url, { method: 'PUT', headers, body: body('fast writer') });
      expect(b.status).toBe(204);
      a.end(slowBody);
      expect(await aStatus).toBe(412);
      expect(mock.control.getEvent('slow@example.com', 'work', 'slow.ics').data).toContain('SUMMARY:fast writer');
    } finally {
      await mock.close();
    }
  });
});
