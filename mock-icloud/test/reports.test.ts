/**
 * REPORTs on the wire: calendar-query, calendar-multiget, sync-collection, free-busy-query (dossier §4).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { DAV } from '../../common/xml/names.js';
import { children, parseXml, XML_LIMITS } from '../../common/xml/parse.js';
import { ALICE, aliceAuth, aliceReport, partition, startDemo, texts, vevent } from './helpers.js';

let mock: RunningMockICloud;
beforeEach(async () => {
  mock = await startDemo();
});
afterEach(() => mock.close());

const home = `/${ALICE.dsid}/calendars/home/`;
const report = (path: string, body: string, depth = '1') => aliceReport(mock, path, body, depth);
const query = (range?: [string, string], props = '<d:getetag/>', component = 'VEVENT') =>
  `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>${props}</d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="${component}">${range ? `<c:time-range start="${range[0]}" end="${range[1]}"/>` : ''}</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
const hrefsOf = (xml: string) => texts(xml, 'href');
const STANDUP = `${home}6B2F0C1E-4D3A-4E8B-9C71-2A5D8E0F3B41.ics`;

describe('calendar-query', () => {
  it('includes the collection itself as the first response, as iCloud does', async () => {
    const res = await report(home, query(undefined, '<d:getetag/><c:calendar-data/>'));
    expect(res.status).toBe(207);
    const responses = res.text.split('<response').slice(1);
    expect(responses[0]).toContain(`<href>${home}</href>`);
    expect(responses[0]).toMatch(
      /<propstat><prop\/><status>HTTP\/1.1 200 OK<\/status><\/propstat><propstat><prop><getetag xmlns="DAV:"\/><calendar-data xmlns="urn:ietf:params:xml:ns:caldav"\/><\/prop><status>HTTP\/1.1 404 Not Found/,
    );
    expect(responses).toHaveLength(4); // collection + 3 events in alice's home
    expect(res.text).toContain('<![CDATA[BEGIN:VCALENDAR\r\n');
  });

  it('matches a weekly event by an occurrence, skipping the excluded one and following the override', async () => {
    // 2026-12-14 is a normal Monday occurrence.
    expect(hrefsOf((await report(home, query(['20261214T000000Z', '20261215T000000Z']))).text)).toContain(STANDUP);
    // 2026-12-21 is excluded by EXDATE.
    expect(hrefsOf((await report(home, query(['20261221T000000Z', '20261222T000000Z']))).text)).not.toContain(STANDUP);
    // 2026-11-02 was moved to Tuesday 2026-11-03 10:30.
    expect(hrefsOf((await report(home, query(['20261102T000000Z', '20261103T000000Z']))).text)).not.toContain(STANDUP);
    expect(hrefsOf((await report(home, query(['20261103T103000Z', '20261103T104500Z']))).text)).toContain(STANDUP);
  });

  it('follows the event time zone across the daylight-saving change', async () => {
    // 09:00 Europe/London is 08:00Z in October (BST) and 09:00Z in November (GMT).
    expect(hrefsOf((await report(home, query(['20261012T080000Z', '20261012T081500Z']))).text)).toContain(STANDUP);
    expect(hrefsOf((await report(home, query(['20261109T080000Z', '20261109T081500Z']))).text)).not.toContain(STANDUP);
    expect(hrefsOf((await report(home, query(['20261109T090000Z', '20261109T091500Z']))).text)).toContain(STANDUP);
  });

  it('matches all-day events by date in the calendar zone', async () => {
    const birthday = `${home}A1C3E5F7-1B2D-4F60-8A9C-0D1E2F3A4B5C.ics`;
    expect(hrefsOf((await report(home, query(['20261128T120000Z', '20261128T130000Z']))).text)).toContain(birthday);
    expect(hrefsOf((await report(home, query(['20261129T000000Z', '20261130T000000Z']))).text)).not.toContain(birthday);
  });

  it('resolves floating times in the calendar time zone', async () => {
    // 10:00 floating in Europe/London on 2026-07-01 (BST) is 09:00Z.
    mock.control.putEvent(ALICE.appleId, 'home', { ics: vevent('FLOATING-1', '20260701T100000', '20260701T110000') });
    const href = `${home}FLOATING-1.ics`;
    expect(hrefsOf((await report(home, query(['20260701T090000Z', '20260701T091500Z']))).text)).toContain(href);
    expect(hrefsOf((await report(home, query(['20260701T100000Z', '20260701T110000Z']))).text)).not.toContain(href);
  });

  it('requires a VEVENT/VTODO comp-filter', async () => {
    const res = await report(
      home,
      '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>',
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('valid-filter');
  });

  it('reproduces the 2017 iCloud 500 when that quirk is chosen', async () => {
    const strict = await startDemo({ quirks: { queryWithoutComponentFilter: 'icloud-500' } });
    try {
      const res = await partition(strict)
        .report(home)
        .set('Authorization', aliceAuth)
        .set('Depth', '1')
        .send('<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>');
      expect(res.status).toBe(500);
      expect(res.text).toBe('');
    } finally {
      await strict.close();
    }
  });

  it('filters by property text', async () => {
    const body = `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:prop-filter name="SUMMARY"><c:text-match>birthday</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
    const hrefs = hrefsOf((await report(home, body)).text);
    expect(hrefs).toEqual([home, `${home}A1C3E5F7-1B2D-4F60-8A9C-0D1E2F3A4B5C.ics`]);
  });

  it('answers 400 to a time-range whose start is not before its end', async () => {
    expect((await report(home, query(['20261201T000000Z', '20261101T000000Z']))).status).toBe(400);
  });
});

describe('calendar-multiget', () => {
  it('returns data for known hrefs and a 404 response per missing one', async () => {
    const body = `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><d:href>${STANDUP}</d:href><d:href>${home}missing.ics</d:href><d:href>${mock.partitionUrl.replace(/\/$/, '')}${STANDUP}</d:href></c:calendar-multiget>`;
    const res = await report(home, body);
    expect(res.status).toBe(207);
    const responses = res.text.split('<response').slice(1);
    expect(responses).toHaveLength(3);
    expect(responses[0]).toContain('Team stand-up');
    expect(responses[1]).toContain(`<href>${home}missing.ics</href><status>HTTP/1.1 404 Not Found</status>`);
    expect(responses[2]).toContain('Team stand-up');
  });
});

describe('sync-collection', () => {
  const sync = (token: string, extra = '') =>
    report(home, `<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level>${extra}<d:prop><d:getetag/></d:prop></d:sync-collection>`, '0');

  it('lists everything initially, then only changes, with deletions as 404 responses', async () => {
    const initial = await sync('');
    expect(initial.status).toBe(207);
    const responses = initial.text.split('<response').slice(1);
    expect(responses[0]).toContain(`<href>${home}</href>`); // the collection itself, with its etag
    expect(responses[0]).toMatch(/<getetag xmlns="DAV:">"[0-9a-z]+"<\/getetag>/);
    expect(responses).toHaveLength(4);
    const [token1] = texts(initial.text, 'sync-token');
    expect(token1).toMatch(/^HwoQEgwAA/);

    const unchanged = await sync(token1);
    expect(unchanged.text.split('<response').slice(1)).toHaveLength(1);
    expect(texts(unchanged.text, 'sync-token')).toEqual([token1]);

    mock.control.putEvent(ALICE.appleId, 'home', { ics: vevent('PHONE-1') });
    mock.control.deleteEvent(ALICE.appleId, 'home', 'F0C05E11-2233-4455-8899-AABBCCDDEEFF.ics');
    const delta = await sync(token1);
    const [token2] = texts(delta.text, 'sync-token');
    expect(token2).not.toBe(token1);
    expect(delta.text).toContain(`<href>${home}PHONE-1.ics</href><propstat>`);
    expect(delta.text).toContain(`<href>${home}F0C05E11-2233-4455-8899-AABBCCDDEEFF.ics</href><status>HTTP/1.1 404 Not Found</status>`);
    expect(delta.text.split('<response').slice(1)).toHaveLength(3);
  });

  it('sends a long answer in chunks as it is made, and a short one whole with its length', async () => {
    for (let i = 0; i < 500; i++) mock.control.putEvent(ALICE.appleId, 'home', { ics: vevent(`BULK-${i}`) });
    const long = await sync('');
    // Written piece by piece (mock-icloud/xml/write.ts writeDocument), so Node sends it chunked.
    expect(long.headers['transfer-encoding']).toBe('chunked');
    expect(long.headers['content-length']).toBeUndefined();
    // iCloud declares the namespace again on each property: an answer's limits, not a request's.
    const root = parseXml(long.text, { ...XML_LIMITS, namespaceDeclarations: 5_000 });
    expect(children(root, DAV('response'))).toHaveLength(504);
    const [token] = texts(long.text, 'sync-token');
    expect(texts(long.text, 'href')).toContain(`${home}BULK-499.ics`);

    const short = await sync(token);
    expect(short.headers['transfer-encoding']).toBeUndefined();
    expect(Number(short.headers['content-length'])).toBe(Buffer.byteLength(short.text));
  });

  it('answers an invalid token with a bare 403, as iCloud does', async () => {
    const res = await sync('HwoQEgwAAnotarealtoken');
    expect(res.status).toBe(403);
    expect(res.text).toBe('');
  });

  it('answers forgotten tokens with 403 after the control plane drops them', async () => {
    const [token] = texts((await sync('')).text, 'sync-token');
    mock.control.forgetSyncTokens();
    expect((await sync(token)).status).toBe(403);
  });

  it('offers the RFC valid-sync-token body as a quirk', async () => {
    const strict = await startDemo({ quirks: { invalidSyncToken: 'precondition' } });
    try {
      const res = await partition(strict)
        .report(home)
        .set('Authorization', aliceAuth)
        .set('Depth', '0')
        .send('<d:sync-collection xmlns:d="DAV:"><d:sync-token>bogus</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>');
      expect(res.status).toBe(403);
      expect(res.text).toContain('<valid-sync-token xmlns="DAV:"/>');
    } finally {
      await strict.close();
    }
  });

  it('honours DAV:limit with a 507 truncation and a token that continues', async () => {
    const first = await sync('', '<d:limit><d:nresults>2</d:nresults></d:limit>');
    expect(first.status).toBe(207);
    expect(first.text).toContain('HTTP/1.1 507 Insufficient Storage');
    expect(first.text).toContain('<number-of-matches-within-limits xmlns="DAV:"/>');
    const firstHrefs = hrefsOf(first.text).filter((h) => h.endsWith('.ics'));
    expect(firstHrefs).toHaveLength(2);
    const [token] = texts(first.text, 'sync-token');
    const rest = await sync(token);
    const restHrefs = hrefsOf(rest.text).filter((h) => h.endsWith('.ics'));
    expect(rest.text).not.toContain('507');
    expect(new Set([...firstHrefs, ...restHrefs]).size).toBe(3);
  });

  it('truncates with 507 when the truncate-sync fault is on, and every page continues where the last stopped', async () => {
    mock.control.addFault({ kind: 'truncate-sync', pageSize: 1 });
    const seen: string[] = [];
    let token = '';
    for (let page = 0; page < 10; page++) {
      const res = await sync(token);
      seen.push(...hrefsOf(res.text).filter((h) => h.endsWith('.ics')));
      token = texts(res.text, 'sync-token')[0];
      if (!res.text.includes('507')) break;
    }
    expect(seen.sort()).toEqual([`${home}6B2F0C1E-4D3A-4E8B-9C71-2A5D8E0F3B41.ics`, `${home}A1C3E5F7-1B2D-4F60-8A9C-0D1E2F3A4B5C.ics`, `${home}F0C05E11-2233-4455-8899-AABBCCDDEEFF.ics`].sort());
  });

  it('tolerates Depth: 1 as python-caldav sends it', async () => {
    const res = await report(home, '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>', '1');
    expect(res.status).toBe(207);
  });
});

describe('other REPORTs', () => {
  it('refuses an unsupported report with 403 supported-report', async () => {
    const res = await report(home, '<d:expand-property xmlns:d="DAV:"><d:property name="owner"/></d:expand-property>');
    expect(res.status).toBe(403);
    expect(res.text).toContain('<supported-report xmlns="DAV:"/>');
  });
});

describe('free-busy-query', () => {
  it('is refused with a bare 400, as iCloud does', async () => {
    const res = await report(home, '<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:time-range start="20261201T000000Z" end="20261202T000000Z"/></c:free-busy-query>');
    expect(res.status).toBe(400);
    expect(res.text).toBe('');
  });
});
