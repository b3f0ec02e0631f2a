/**
 * Each fault kind on the wire, as a client meets it (issue 5). The scoping rules themselves are
 * unit-tested in control/faults.test.ts.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, partition, PROPFIND_PRINCIPAL, startDemo, texts, vevent } from './helpers.js';

let mock: RunningMockICloud;
beforeEach(async () => {
  mock = await startDemo();
});
afterEach(() => mock.close());

const home = `/${ALICE.dsid}/calendars/home/`;
const put = (name: string, body: string) => partition(mock).put(`${home}${name}`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(body);
const syncBody = '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>';

describe('fault kinds', () => {
  it('reset: the connection drops half-way through the response, and the server stays up', async () => {
    mock.control.addFault({ kind: 'reset', count: 1 });
    const url = new URL(home, mock.partitionUrl);
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(url, { method: 'PROPFIND', headers: { Authorization: aliceAuth, Depth: '0' } }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve('complete'));
        res.on('error', (e) => resolve(`error: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
        res.on('aborted', () => resolve('aborted'));
      });
      req.on('error', (e) => resolve(`error: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      req.end(PROPFIND_PRINCIPAL);
    });
    expect(outcome).not.toBe('complete');
    expect((await partition(mock).propfind(home).set('Authorization', aliceAuth).set('Depth', '0').send(PROPFIND_PRINCIPAL)).status).toBe(207);
  });

  it('multiget-404: hrefs sync-collection just listed answer 404 for a while', async () => {
    const listed = await partition(mock).report(home).set('Authorization', aliceAuth).set('Depth', '0').send(syncBody);
    const hrefs = texts(listed.text, 'href').filter((h) => h.endsWith('.ics'));
    mock.control.addFault({ kind: 'multiget-404', count: 1 });
    const body = `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>${hrefs.map((h) => `<d:href>${h}</d:href>`).join('')}</c:calendar-multiget>`;
    const missing = await partition(mock).report(home).set('Authorization', aliceAuth).set('Depth', '1').send(body);
    expect((missing.text.match(/404 Not Found/g) ?? []).length).toBe(hrefs.length);
    const later = await partition(mock).report(home).set('Authorization', aliceAuth).set('Depth', '1').send(body);
    expect(later.text).not.toContain('404 Not Found');
  });

  it('touch-etags: every object gets a new etag, content unchanged, and sync-collection reports them', async () => {
    const before = mock.control.listEvents(ALICE.appleId, 'home');
    const [token] = texts((await partition(mock).report(home).set('Authorization', aliceAuth).set('Depth', '0').send(syncBody)).text, 'sync-token');
    mock.control.addFault({ kind: 'touch-etags', match: { calendar: 'home' }, count: 1 });
    const delta = await partition(mock)
      .report(home)
      .set('Authorization', aliceAuth)
      .set('Depth', '0')
      .send(syncBody.replace('<d:sync-token/>', `<d:sync-token>${token}</d:sync-token>`));
    expect(texts(delta.text, 'href').filter((h) => h.endsWith('.ics'))).toHaveLength(before.length);
    const after = mock.control.listEvents(ALICE.appleId, 'home');
    expect(after.map((e) => e.data)).toEqual(before.map((e) => e.data));
    expect(after.map((e) => e.etag)).not.toEqual(before.map((e) => e.etag));
  });

  it('[F39] duplicate-dtstamp: every read carries a DTSTAMP of the read time first, so bytes change at each read and the etag does not', async () => {
    const created = await put('dup.ics', vevent('DUP-1'));
    mock.control.addFault({ kind: 'duplicate-dtstamp', match: { calendar: 'home' } });
    const read = () => partition(mock).get(`${home}dup.ics`).set('Authorization', aliceAuth);
    const first = await read();
    expect(first.text).toContain('BEGIN:VEVENT\r\nDTSTAMP:20261121T090000Z\r\nUID:DUP-1');
    expect(first.text.match(/^DTSTAMP:/gm)).toHaveLength(2);
    mock.control.setClock(Date.parse('2026-11-21T09:05:07Z'));
    const second = await read();
    expect(second.text).toContain('BEGIN:VEVENT\r\nDTSTAMP:20261121T090507Z\r\n');
    expect(second.headers['content-length']).toBe(String(Buffer.byteLength(second.text)));
    expect([first.headers.etag, second.headers.etag]).toEqual([created.headers.etag, created.headers.etag]);
    // In REPORT calendar-data too, and never in what is stored.
    const multiget = await partition(mock)
      .report(home)
      .set('Authorization', aliceAuth)
      .set('Depth', '1')
      .send(`<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><d:href>${home}dup.ics</d:href></c:calendar-multiget>`);
    expect(multiget.text).toContain('DTSTAMP:20261121T090507Z');
    expect(mock.control.getEvent(ALICE.appleId, 'home', 'dup.ics').data).toBe(vevent('DUP-1'));
  });

  it('[F39] the dtstampAtRead quirk stamps every read without a fault', async () => {
    const stamping = await startDemo({ quirks: { dtstampAtRead: 'always' } });
    try {
      await partition(stamping).put(`${home}q.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(vevent('Q-1'));
      const got = await partition(stamping).get(`${home}q.ics`).set('Authorization', aliceAuth);
      expect(got.text.match(/^DTSTAMP:/gm)).toHaveLength(2);
    } finally {
      await stamping.close();
    }
  });

  it('forbidden-write: a PUT is refused with 403 and nothing is stored', async () => {
    mock.control.addFault({ kind: 'forbidden-write', count: 1 });
    expect((await put('no.ics', vevent('NO-1'))).status).toBe(403);
    expect(mock.control.listEvents(ALICE.appleId, 'home').map((e) => e.uid)).not.toContain('NO-1');
    expect((await put('no.ics', vevent('NO-1'))).status).toBe(201);
  });

  it('revoke-password: the password is revoked mid-way through a series of requests', async () => {
    mock.control.addFault({ kind: 'revoke-password', match: { account: ALICE.appleId }, after: 2, count: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await partition(mock).propfind(home).set('Authorization', aliceAuth).set('Depth', '0').send(PROPFIND_PRINCIPAL)).status);
    expect(statuses).toEqual([207, 207, 401, 401]);
    expect(mock.control.journal({ status: 401 }).at(-1)!.reason).toMatch(/^revoked-app-password/);
    expect(mock.control.getAccount(ALICE.appleId).appPasswords.every((p) => p.revokedAt !== undefined)).toBe(true);
  });

  it('too-many-requests: 429 with Retry-After', async () => {
    mock.control.addFault({ kind: 'too-many-requests', retryAfter: 7, count: 1 });
    const res = await partition(mock).propfind(home).set('Authorization', aliceAuth).set('Depth', '0').send(PROPFIND_PRINCIPAL);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
  });
});
