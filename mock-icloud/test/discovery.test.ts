/**
 * Discovery and authentication on the wire (dossier §1–§2; RULES.md C1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { ALICE, BOB, CAROL, aliceAuth, basic, gateway, partition, PROPFIND_PRINCIPAL, startDemo, texts } from './helpers.js';

let mock: RunningMockICloud;
beforeAll(async () => {
  mock = await startDemo();
});
afterAll(() => mock.close());

describe('service discovery', () => {
  it('redirects /.well-known/caldav to / with 301', async () => {
    const res = await gateway(mock).propfind('/.well-known/caldav').set('Authorization', aliceAuth);
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/');
  });

  it('answers PROPFIND / with current-user-principal in the exact bytes tsdav matches', async () => {
    const res = await gateway(mock).propfind('/').set('Authorization', aliceAuth).set('Depth', '0').set('Content-Type', 'text/xml').send(PROPFIND_PRINCIPAL);
    expect(res.status).toBe(207);
    expect(res.text).toMatch(/<current-user-principal xmlns="DAV:"><href xmlns="DAV:">\/[0-9]+\/principal\/<\/href><\/current-user-principal>/);
    expect(res.text).toContain(`/${ALICE.dsid}/principal/`);
  });

  it('gives calendar-home-set as an absolute URL on the partition origin with an explicit port', async () => {
    const res = await gateway(mock)
      .propfind(`/${ALICE.dsid}/principal/`)
      .set('Authorization', aliceAuth)
      .set('Depth', '0')
      .send('<propfind xmlns="DAV:"><prop><calendar-home-set xmlns="urn:ietf:params:xml:ns:caldav"/><displayname/></prop></propfind>');
    expect(res.status).toBe(207);
    const home = texts(res.text, 'href').find((h) => h.includes('/calendars/'));
    expect(home).toBe(`${mock.partitionUrl}${ALICE.dsid}/calendars/`);
    expect(new URL(home!).port).not.toBe('');
    expect(new URL(home!).port).toBe(new URL(mock.partitionUrl).port);
  });

  it('serves the same data on the gateway and on the partition origin', async () => {
    const body = '<propfind xmlns="DAV:"><prop><displayname/><getctag xmlns="http://calendarserver.org/ns/"/></prop></propfind>';
    const path = `/${ALICE.dsid}/calendars/work/`;
    const [a, b] = await Promise.all([
      gateway(mock).propfind(path).set('Authorization', aliceAuth).set('Depth', '0').send(body),
      partition(mock).propfind(path).set('Authorization', aliceAuth).set('Depth', '0').send(body),
    ]);
    expect(a.status).toBe(207);
    expect(a.text).toBe(b.text);
    expect(texts(a.text, 'displayname')).toEqual(['Work']);
  });

  it('names the home after the account holder and lists inbox, outbox, notification and the tasks list', async () => {
    const res = await partition(mock)
      .propfind(`/${ALICE.dsid}/calendars/`)
      .set('Authorization', aliceAuth)
      .set('Depth', '1')
      .send('<propfind xmlns="DAV:"><prop><displayname/><resourcetype/></prop></propfind>');
    expect(res.status).toBe(207);
    const hrefs = texts(res.text, 'href');
    for (const name of ['inbox', 'outbox', 'notification', 'tasks', 'home', 'work']) expect(hrefs).toContain(`/${ALICE.dsid}/calendars/${name}/`);
    expect(res.text).toContain('<displayname xmlns="DAV:">Alice Appleseed</displayname>');
    // inbox has no displayname: it goes to a 404 propstat, as iCloud does
    const inbox = res.text.split('<response').find((r) => r.includes('/calendars/inbox/'))!;
    expect(inbox).toMatch(/<displayname xmlns="DAV:"\/><\/prop><status>HTTP\/1.1 404 Not Found<\/status>/);
    expect(inbox).toContain('<schedule-inbox xmlns="urn:ietf:params:xml:ns:caldav"/>');
  });

  it('returns one supported component per calendar, Apple colours and privileges', async () => {
    const res = await partition(mock)
      .propfind(`/${ALICE.dsid}/calendars/tasks/`)
      .set('Authorization', aliceAuth)
      .set('Depth', '0')
      .send(
        '<propfind xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/"><prop><C:supported-calendar-component-set/><A:calendar-color/><A:calendar-order/><current-user-privilege-set/><supported-report-set/><sync-token/><getctag xmlns="http://calendarserver.org/ns/"/><quota-available-bytes/></prop></propfind>',
      );
    expect(res.text).toContain(`<supported-calendar-component-set xmlns="urn:ietf:params:xml:ns:caldav"><comp xmlns="urn:ietf:params:xml:ns:caldav" name="VTODO"/></supported-calendar-component-set>`);
    expect(texts(res.text, 'calendar-color')).toEqual(['#FF9500FF']);
    expect(texts(res.text, 'calendar-order')).toEqual(['3']);
    expect(res.text).toContain('<write-content xmlns="DAV:"/>');
    expect(res.text).toContain('<sync-collection xmlns="DAV:"/>');
    const [ctag] = texts(res.text, 'getctag');
    expect(ctag).toMatch(/^HwoQEgwAA/);
    expect(texts(res.text, 'sync-token')).toEqual([ctag]);
    expect(res.text).toMatch(/<quota-available-bytes xmlns="DAV:"\/><\/prop><status>HTTP\/1.1 404 Not Found/);
  });

  it('refuses Depth: infinity', async () => {
    const res = await partition(mock).propfind(`/${ALICE.dsid}/calendars/`).set('Authorization', aliceAuth).set('Depth', 'infinity').send(PROPFIND_PRINCIPAL);
    expect(res.status).toBe(403);
    expect(res.text).toContain('propfind-finite-depth');
  });
});

describe('authentication (C1)', () => {
  const expect401 = (res: { status: number; text: string; res: { rawHeaders: string[] } }) => {
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
    // Two separate WWW-Authenticate headers, as iCloud sends (Node's parsed view would join them).
    const raw = res.res.rawHeaders;
    const challenges = raw.filter((_, i) => i % 2 === 1 && raw[i - 1].toLowerCase() === 'www-authenticate');
    expect(challenges).toEqual(['Basic realm="MMCalDav"', 'X-MobileMe-AuthToken realm="MMCalDav"']);
  };

  it.each([
    ['no credentials', undefined, 'no-credentials'],
    ['the regular Apple ID password', basic(ALICE.appleId, ALICE.regularPassword), 'regular-password'],
    ['a revoked app-specific password', basic(ALICE.appleId, 'zzzz-yyyy-xxxx-wwww'), 'revoked-app-password'],
    ['any password on an account without two-factor auth', basic(CAROL.appleId, CAROL.password), 'two-factor-off'],
    ['a wrong password', basic(ALICE.appleId, 'aaaa-bbbb-cccc-dddd'), 'wrong-password'],
    ['an unknown Apple ID', basic('nobody@example.com', 'aaaa-bbbb-cccc-dddd'), 'unknown-apple-id'],
    ['a malformed Authorization header', 'Basic !!!', 'malformed-authorization'],
  ])('refuses %s with the same bare 401, and journals the real reason', async (_what, header, reason) => {
    const req = gateway(mock).propfind('/').set('Depth', '0');
    if (header) req.set('Authorization', header);
    expect401((await req.send(PROPFIND_PRINCIPAL)) as never);
    const last = mock.control.journal({ status: 401 }).at(-1)!;
    expect(last.reason).toMatch(new RegExp(`^${reason}:`));
  });

  it('accepts the Apple ID case-insensitively with an app-specific password', async () => {
    const res = await gateway(mock).propfind('/').set('Authorization', basic('Alice@Example.COM', ALICE.appPassword)).set('Depth', '0').send(PROPFIND_PRINCIPAL);
    expect(res.status).toBe(207);
  });

  it("never lets one account read or write another account's paths", async () => {
    const bobPath = `/${BOB.dsid}/calendars/family/`;
    const read = await partition(mock).propfind(bobPath).set('Authorization', aliceAuth).set('Depth', '1').send(PROPFIND_PRINCIPAL);
    expect(read.status).toBe(403);
    expect(read.text).not.toContain('Dentist');
    const write = await partition(mock).put(`${bobPath}x.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    expect(write.status).toBe(403);
    expect(mock.control.listEvents(BOB.appleId, 'family').map((e) => e.name)).not.toContain('x.ics');
  });

  it('sends the partition header of the account', async () => {
    const res = await gateway(mock).propfind('/').set('Authorization', aliceAuth).set('Depth', '0').send(PROPFIND_PRINCIPAL);
    expect(res.headers['x-apple-user-partition']).toBe('44');
    expect(res.headers.server).toMatch(/^AppleHttpServer\//);
  });
});
