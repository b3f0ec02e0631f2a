/**
 * FIDELITY.md rows no other wire test pinned: each test carries its row's ID in the title
 * (fidelity-table.test.ts checks both directions).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, BOB, partition, startDemo, texts, vevent } from './helpers.js';

let mock: RunningMockICloud;
beforeEach(async () => {
  mock = await startDemo();
});
afterEach(() => mock.close());

const homeSet = `/${ALICE.dsid}/calendars/`;
const home = `${homeSet}home/`;
const propfind = (path: string, props: string, depth?: string) => {
  const req = partition(mock).propfind(path).set('Authorization', aliceAuth);
  if (depth !== undefined) req.set('Depth', depth);
  return req.send(
    `<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:a="http://apple.com/ns/ical/"><d:prop>${props}</d:prop></d:propfind>`,
  );
};
const put = (path: string, body: string) => partition(mock).put(path).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(body);
const report = (path: string, body: string) => partition(mock).report(path).set('Authorization', aliceAuth).set('Depth', '1').send(body);
const QUERY_ALL =
  '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter></c:calendar-query>';

describe('properties', () => {
  it('[F15] a PROPFIND without Depth answers for the resource alone (Depth: 0)', async () => {
    const res = await propfind(home, '<d:getetag/>');
    expect(res.status).toBe(207);
    expect(texts(res.text, 'href')).toEqual([home]);
  });

  it('[F17] [F18] the ctag is the sync token, an opaque base64 token starting HwoQEgwAA', async () => {
    const res = await propfind(home, '<cs:getctag/><d:sync-token/>', '0');
    const [ctag] = texts(res.text, 'getctag');
    expect(texts(res.text, 'sync-token')).toEqual([ctag]);
    expect(ctag).toMatch(/^HwoQEgwAA[A-Za-z0-9+/=]+$/);
  });

  it('[F20] the collection etag moves with PROPPATCH, not with contents', async () => {
    const etag = async () => texts((await propfind(home, '<d:getetag/>', '0')).text, 'getetag')[0];
    const before = await etag();
    await put(`${home}x.ics`, vevent('ETAG-1'));
    expect(await etag()).toBe(before);
    await partition(mock)
      .proppatch(home)
      .set('Authorization', aliceAuth)
      .send('<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Home 2</d:displayname></d:prop></d:set></d:propertyupdate>');
    expect(await etag()).not.toBe(before);
  });

  it('[F22] calendar-order is a whole number as text', async () => {
    expect(texts((await propfind(home, '<a:calendar-order/>', '0')).text, 'calendar-order')).toEqual(['1']);
  });

  it('[F28] a sharee names and colours a share for itself, read-only or not', async () => {
    const shared = mock.control.listCalendars(ALICE.appleId).find((c) => c.kind === 'shared')!.href;
    const res = await partition(mock)
      .proppatch(shared)
      .set('Authorization', aliceAuth)
      .send(
        '<d:propertyupdate xmlns:d="DAV:" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>Family (Bob)</d:displayname><a:calendar-color>#00FF00FF</a:calendar-color></d:prop></d:set></d:propertyupdate>',
      );
    expect(res.text).toContain('200 OK');
    expect(texts((await propfind(shared, '<d:displayname/>', '0')).text, 'displayname')).toEqual(['Family (Bob)']);
    expect(mock.control.listCalendars(BOB.appleId).find((c) => c.name === 'family')?.displayName).toBe('Family');
  });

  it('[F30] a subscription grants read and unbind only', async () => {
    const subscribed = mock.control.listCalendars(ALICE.appleId).find((c) => c.kind === 'subscribed')!.href;
    const text = (await propfind(subscribed, '<d:current-user-privilege-set/>', '0')).text;
    expect(text).toContain('<read xmlns="DAV:"/>');
    expect(text).toContain('<unbind xmlns="DAV:"/>');
    expect(text).not.toContain('<write');
  });
});

describe('reports', () => {
  it('[F36] a time-range inside a prop-filter is refused with 403 supported-filter', async () => {
    const res = await report(
      home,
      '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:prop-filter name="DTSTAMP"><c:time-range start="20260101T000000Z" end="20270101T000000Z"/></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>',
    );
    expect(res.status).toBe(403);
    expect(res.text).toContain('supported-filter');
  });

  it('[F38] calendar-data carries no X-RECURRENCE-EXCEPTION, whatever the range', async () => {
    const res = await report(home, QUERY_ALL);
    expect(res.text).not.toContain('X-RECURRENCE-EXCEPTION');
  });

  it('[F41] sync-collection answers the collection itself first, with its etag', async () => {
    const res = await partition(mock)
      .report(home)
      .set('Authorization', aliceAuth)
      .set('Depth', '0')
      .send('<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>');
    const first = res.text.split('<response').slice(1)[0];
    expect(first).toContain(`<href>${home}</href>`);
    expect(first).toMatch(/<getetag[^>]*>"[0-9a-z]+"<\/getetag>/);
  });
});

describe('writes', () => {
  it('[F58] a METHOD in a stored object is kept as sent', async () => {
    const body = vevent('METHOD-1').replace('VERSION:2.0\r\n', 'VERSION:2.0\r\nMETHOD:REQUEST\r\n');
    expect((await put(`${home}m.ics`, body)).status).toBe(201);
    expect((await partition(mock).get(`${home}m.ics`).set('Authorization', aliceAuth)).text).toBe(body);
  });

  it('[F61] error answers carry no body unless a precondition names the problem', async () => {
    const missing = await partition(mock).get(`${home}nope.ics`).set('Authorization', aliceAuth);
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('');
    await put(`${home}e.ics`, vevent('ERR-1'));
    const stale = await put(`${home}e.ics`, vevent('ERR-1')).set('If-Match', '"stale"');
    expect(stale.status).toBe(412);
    expect(stale.text).toBe('');
  });

  it('[F66] a PUT or MKCALENDAR under a calendar that does not exist is 409', async () => {
    expect((await put(`${homeSet}ghost/x.ics`, vevent('GHOST-1'))).status).toBe(409);
    expect((await partition(mock).mkcalendar(`${homeSet}ghost/inner/`).set('Authorization', aliceAuth).send('')).status).toBe(409);
  });

  it('[F68] MKCALENDAR keeps display name, colour, order, description and zone', async () => {
    const res = await partition(mock)
      .mkcalendar(`${homeSet}full/`)
      .set('Authorization', aliceAuth)
      .send(
        '<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>Full</d:displayname><a:calendar-color>#123456FF</a:calendar-color><a:calendar-order>9</a:calendar-order><c:calendar-description>All of it</c:calendar-description><c:calendar-timezone>BEGIN:VCALENDAR&#13;\nBEGIN:VTIMEZONE&#13;\nTZID:Asia/Tokyo&#13;\nEND:VTIMEZONE&#13;\nEND:VCALENDAR</c:calendar-timezone><d:unknown-prop>ignored</d:unknown-prop></d:prop></d:set></c:mkcalendar>',
      );
    expect(res.status).toBe(201);
    expect(mock.control.listCalendars(ALICE.appleId).find((c) => c.name === 'full')).toMatchObject({ displayName: 'Full', color: '#123456FF' });
    const props = (await propfind(`${homeSet}full/`, '<a:calendar-order/><c:calendar-description/><c:calendar-timezone/>', '0')).text;
    expect(texts(props, 'calendar-order')).toEqual(['9']);
    expect(texts(props, 'calendar-description')).toEqual(['All of it']);
    expect(props).toContain('TZID:Asia/Tokyo');
  });

  it('[F69] [F70] one-character collection names and resource names with spaces or non-ASCII are accepted', async () => {
    expect((await partition(mock).mkcalendar(`${homeSet}x/`).set('Authorization', aliceAuth).send('')).status).toBe(201);
    expect((await put(`${home}${encodeURIComponent('Café meeting.ics')}`, vevent('NAME-1'))).status).toBe(201);
    expect(mock.control.listEvents(ALICE.appleId, 'home').map((e) => e.name)).toContain('Café meeting.ics');
  });

  it('[F71] a calendar deleted and made again starts empty, with new tokens', async () => {
    const token = texts((await propfind(`${homeSet}work/`, '<d:sync-token/>', '0')).text, 'sync-token')[0];
    expect((await partition(mock).delete(`${homeSet}work/`).set('Authorization', aliceAuth)).status).toBe(204);
    expect((await partition(mock).mkcalendar(`${homeSet}work/`).set('Authorization', aliceAuth).send('')).status).toBe(201);
    expect(mock.control.listEvents(ALICE.appleId, 'work')).toEqual([]);
    const sync = await partition(mock)
      .report(`${homeSet}work/`)
      .set('Authorization', aliceAuth)
      .set('Depth', '0')
      .send(`<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`);
    expect(sync.status).toBe(403);
  });
});
