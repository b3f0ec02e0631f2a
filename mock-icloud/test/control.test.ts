/**
 * The control plane over HTTP (/__mock) and through the programmatic API.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseWorldText, type RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, basic, gateway, partition, PROPFIND_PRINCIPAL, startDemo, texts, vevent } from './helpers.js';

let mock: RunningMockICloud;
let slept: number[];
beforeEach(async () => {
  slept = [];
  mock = await startDemo({ sleep: async (ms) => void slept.push(ms) });
});
afterEach(() => mock.close());

const ctrl = () => gateway(mock);
const home = `/${ALICE.dsid}/calendars/home/`;
const principalOk = (auth: string) => gateway(mock).propfind('/').set('Authorization', auth).set('Depth', '0').send(PROPFIND_PRINCIPAL);

describe('accounts and app-specific passwords', () => {
  it('creates an account, issues a password that works, and revokes it (C1)', async () => {
    const created = await ctrl().post('/__mock/accounts').send({ appleId: 'dave@example.com', fullName: 'Dave Doe', password: 'dave-regular' });
    expect(created.status).toBe(201);
    expect(created.body.dsid).toMatch(/^\d{10}$/);
    const issued = await ctrl().post('/__mock/accounts/dave@example.com/app-passwords').send({ label: 'CI' });
    expect(issued.body.password).toMatch(/^[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4}$/);
    const auth = basic('dave@example.com', issued.body.password);
    expect((await principalOk(auth)).status).toBe(207);
    expect((await ctrl().delete(`/__mock/accounts/dave@example.com/app-passwords/${issued.body.password}`)).status).toBe(204);
    expect((await principalOk(auth)).status).toBe(401);
    const journal = await ctrl().get('/__mock/journal').query({ account: 'dave@example.com', status: 401 });
    expect(journal.body.at(-1).reason).toMatch(/^revoked-app-password/);
  });

  it('toggles two-factor authentication', async () => {
    expect((await ctrl().patch('/__mock/accounts/alice@example.com').send({ twoFactor: false })).status).toBe(200);
    expect((await principalOk(aliceAuth)).status).toBe(401);
    await ctrl().patch('/__mock/accounts/alice@example.com').send({ twoFactor: true });
    expect((await principalOk(aliceAuth)).status).toBe(207);
  });

  it('answers bad control requests with a clear 4xx', async () => {
    const dup = await ctrl().post('/__mock/accounts').send({ appleId: 'alice@example.com', fullName: 'x', password: 'y' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toContain('already exists');
    expect((await ctrl().get('/__mock/accounts/nobody@example.com')).status).toBe(404);
    expect((await ctrl().post('/__mock/faults').send({ kind: 'explode' })).status).toBe(400);
    expect((await ctrl().post('/__mock/accounts').set('Content-Type', 'application/json').send('{broken')).status).toBe(400);
  });
});

describe('calendars and events "as if on an iPhone"', () => {
  it('creates owned, shared and subscribed calendars', async () => {
    await ctrl().post('/__mock/accounts/bob@example.com/calendars').send({ name: 'team', displayName: 'Team', color: '#00AA00' });
    const share = await ctrl()
      .post('/__mock/accounts/alice@example.com/calendars')
      .send({ sharedFrom: { owner: 'bob@example.com', calendar: 'team', access: 'read-write' } });
    expect(share.status).toBe(201);
    expect(share.body).toMatchObject({ kind: 'shared', access: 'read-write', displayName: 'Team' });
    const sub = await ctrl().post('/__mock/accounts/alice@example.com/calendars').send({ subscribed: 'webcal://example.com/f.ics', name: 'feed', displayName: 'Feed' });
    expect(sub.body).toMatchObject({ kind: 'subscribed', source: 'webcal://example.com/f.ics' });
    // A read-write share accepts CalDAV writes, which land in bob's calendar.
    const put = await partition(mock).put(`${share.body.href}rw.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(vevent('RW-1'));
    expect(put.status).toBe(201);
    expect(mock.control.listEvents('bob@example.com', 'team').map((e) => e.uid)).toEqual(['RW-1']);
  });

  it('bumps etag, ctag and sync token on a change, and shows it to CalDAV clients', async () => {
    const before = mock.control.listCalendars(ALICE.appleId).find((c) => c.name === 'home')!.syncToken;
    const created = await ctrl()
      .post(`/__mock/accounts/alice@example.com/calendars/home/events`)
      .send({ ics: vevent('IPHONE-1') });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'IPHONE-1.ics', uid: 'IPHONE-1', created: true });
    const changed = await ctrl()
      .put(`/__mock/accounts/alice@example.com/calendars/home/events/IPHONE-1.ics`)
      .send({ ics: vevent('IPHONE-1', '20261205T100000Z', '20261205T110000Z') });
    expect(changed.body.etag).not.toBe(created.body.etag);
    const after = mock.control.listCalendars(ALICE.appleId).find((c) => c.name === 'home')!.syncToken;
    expect(after).not.toBe(before);
    const got = await partition(mock).get(`${home}IPHONE-1.ics`).set('Authorization', aliceAuth);
    expect(got.headers.etag).toBe(changed.body.etag);
    expect((await ctrl().delete(`/__mock/accounts/alice@example.com/calendars/home/events/IPHONE-1.ics`)).status).toBe(204);
    expect((await partition(mock).get(`${home}IPHONE-1.ics`).set('Authorization', aliceAuth)).status).toBe(404);
  });

  it('refuses unparseable events with 400 and says why', async () => {
    const res = await ctrl().post(`/__mock/accounts/alice@example.com/calendars/home/events`).send({ ics: 'nonsense' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/iCalendar/i);
  });
});

describe('world export, import and reset', () => {
  it('exports YAML that imports back to the same state', async () => {
    mock.control.putEvent(ALICE.appleId, 'work', { ics: vevent('EXPORTED-1') });
    const yaml = await ctrl().get('/__mock/world').query({ format: 'yaml' });
    expect(yaml.headers['content-type']).toMatch(/yaml/);
    const exported = mock.control.exportWorld();
    expect(parseWorldText(yaml.text)).toEqual(exported);
    mock.control.reset();
    expect(mock.control.listEvents(ALICE.appleId, 'work').map((e) => e.uid)).not.toContain('EXPORTED-1');
    // The control plane takes JSON only (world/schema.ts is the same for YAML files and JSON bodies).
    expect((await ctrl().put('/__mock/world').send(YAML.parse(yaml.text))).status).toBe(204);
    expect(mock.control.exportWorld()).toEqual(exported);
  });

  it('refuses an invalid world with the place of the mistake', async () => {
    const res = await ctrl()
      .put('/__mock/world')
      .send({ accounts: [{ appleId: 'x@example.com', fullName: 'X', password: 'p', calendars: [{ name: 'c', colour: 'red' }] }] });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('accounts[0] (x@example.com).calendars[0]: unknown key "colour"');
  });

  it('resets to the loaded world and clears the journal and faults', async () => {
    await principalOk(aliceAuth);
    mock.control.addFault({ kind: 'unavailable' });
    mock.control.deleteCalendar(ALICE.appleId, 'work');
    expect((await ctrl().post('/__mock/reset').send({})).status).toBe(204);
    expect(mock.control.listCalendars(ALICE.appleId).map((c) => c.name)).toContain('work');
    expect(mock.control.journal()).toEqual([]);
    expect(mock.control.listFaults()).toEqual([]);
  });
});

describe('faults', () => {
  it('answers 503 with Retry-After for the next N requests, then recovers', async () => {
    const fault = await ctrl().post('/__mock/faults').send({ kind: 'unavailable', retryAfter: 30, count: 2 });
    expect(fault.body.id).toBe('fault-1');
    for (let i = 0; i < 2; i++) {
      const res = await principalOk(aliceAuth);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('30');
    }
    expect((await principalOk(aliceAuth)).status).toBe(207);
    expect(mock.control.journal({ status: 503 }).map((e) => e.fault)).toEqual(['fault-1', 'fault-1']);
  });

  it('hits discovery too', async () => {
    mock.control.addFault({ kind: 'unavailable', count: 1 });
    expect((await gateway(mock).propfind('/.well-known/caldav').set('Authorization', aliceAuth)).status).toBe(503);
    expect((await gateway(mock).propfind('/.well-known/caldav').set('Authorization', aliceAuth)).status).toBe(301);
  });

  it('scopes a fault to one account and method', async () => {
    mock.control.addFault({ kind: 'unavailable', match: { account: 'bob@example.com' } });
    expect((await principalOk(aliceAuth)).status).toBe(207);
    expect((await principalOk(basic('bob@example.com', 'bbbb-cccc-dddd-eeee'))).status).toBe(503);
  });

  it('adds latency through the configured sleep', async () => {
    mock.control.addFault({ kind: 'latency', latencyMs: 750, count: 1 });
    expect((await principalOk(aliceAuth)).status).toBe(207);
    expect(slept).toEqual([750]);
  });

  it('omits the ETag header on PUT', async () => {
    mock.control.addFault({ kind: 'omit-etag', count: 1 });
    const res = await partition(mock).put(`${home}noetag.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(vevent('NOETAG-1'));
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBeUndefined();
    // The etag is still there for a PROPFIND, as tsdav's maintainer advises clients to do.
    const pf = await partition(mock).propfind(`${home}noetag.ics`).set('Authorization', aliceAuth).set('Depth', '0').send('<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>');
    expect(texts(pf.text, 'getetag')[0]).toBe(mock.control.getEvent(ALICE.appleId, 'home', 'noetag.ics').etag);
  });

  it('forgets all sync tokens', async () => {
    const body = '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>';
    const first = await partition(mock).report(home).set('Authorization', aliceAuth).set('Depth', '0').send(body);
    const [token] = texts(first.text, 'sync-token');
    expect((await ctrl().post('/__mock/sync-tokens/forget').send({})).status).toBe(204);
    const again = await partition(mock)
      .report(home)
      .set('Authorization', aliceAuth)
      .set('Depth', '0')
      .send(body.replace('<d:sync-token/>', `<d:sync-token>${token}</d:sync-token>`));
    expect(again.status).toBe(403);
  });
});

describe('clock', () => {
  it('is pinned and settable, so etags are deterministic', async () => {
    expect((await ctrl().get('/__mock/clock')).body.now).toBe('2026-11-21T09:00:00.000Z');
    await ctrl().put('/__mock/clock').send({ now: '2026-12-01T00:00:00Z' });
    const res = mock.control.putEvent(ALICE.appleId, 'home', { ics: vevent('CLOCK-1') });
    expect(res.etag).toBe(`"${Date.parse('2026-12-01T00:00:00Z').toString(36)}"`);
  });
});
