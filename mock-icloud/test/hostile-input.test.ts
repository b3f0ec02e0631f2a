/**
 * Issue 9 §5, hostile input: each finding reproduced on the wire. Bad input gets a precise 4xx
 * naming the problem, the server stays up and answers other clients, and no data changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryWork } from '../dav/reports/calendar-query.js';
import { LIMITS } from '../http/body.js';
import type { RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, basic, gateway, partition, PROPFIND_PRINCIPAL, startDemo, texts } from './helpers.js';

let mock: RunningMockICloud;
let snapshot: string;
beforeAll(async () => {
  mock = await startDemo();
  snapshot = JSON.stringify(mock.control.exportWorld());
});
afterAll(() => mock.close());

const home = `/${ALICE.dsid}/calendars/home/`;
const DEFAULT_REPORT_BYTES = LIMITS.reportDataBytes;
const propfind = (body: string | Buffer) => partition(mock).propfind(home).set('Authorization', aliceAuth).set('Depth', '0').set('Content-Type', 'application/xml').send(body);
/** The reason the journal recorded for the last request (the wire carries only the status). */
const lastReason = () => mock.control.journal().at(-1)?.reason ?? '';

describe('XML nesting the depth pre-scan used to miss (finding 1)', () => {
  const deep = (n: number) => `${'<x>'.repeat(n)}${'</x>'.repeat(n)}`;
  it.each([
    ['a comment full of </', `<propfind xmlns="DAV:"><!--${'</'.repeat(30_000)}-->${deep(30_000)}</propfind>`],
    ['a CDATA section full of </', `<propfind xmlns="DAV:"><prop><![CDATA[${'</'.repeat(30_000)}]]></prop>${deep(30_000)}</propfind>`],
    ['an attribute value full of </ and />', `<propfind xmlns="DAV:" a="${'/>'.repeat(30_000)}">${deep(30_000)}</propfind>`],
  ])('answers 30,000 levels behind %s with 400', async (_what, body) => {
    const res = await propfind(body);
    expect(res.status).toBe(400);
    expect(lastReason()).toMatch(/nested more than 64 levels/);
  });
});

describe('limits checked before the parser does any real work (finding 2)', () => {
  const prefixes = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ` xmlns:p${i + from}="urn:x:${i + from}"`).join('');
  it.each([
    ['15,000 namespace prefixes on one element', `<propfind xmlns="DAV:"${prefixes(15_000)}><prop/></propfind>`, /namespace declarations/],
    ['15,000 attributes on one element', `<propfind xmlns="DAV:"${Array.from({ length: 15_000 }, (_, i) => ` a${i}="1"`).join('')}><prop/></propfind>`, /attributes on one element/],
    [
      'namespace prefixes spread over many elements',
      `<propfind xmlns="DAV:"><prop>${Array.from({ length: 100 }, (_, i) => `<getetag${prefixes(16, i * 16)}/>`).join('')}</prop></propfind>`,
      /namespace declarations in one body/,
    ],
  ])('refuses %s with 400 naming the limit', async (_what, body, reason) => {
    const res = await propfind(body);
    expect(res.status).toBe(400);
    expect(lastReason()).toMatch(reason);
  });

  it('keeps answering other clients meanwhile', async () => {
    const body = `<propfind xmlns="DAV:"${prefixes(15_000)}><prop/></propfind>`;
    const [hostile, other] = await Promise.all([propfind(body), gateway(mock).propfind('/').set('Authorization', aliceAuth).set('Depth', '0').send(PROPFIND_PRINCIPAL)]);
    expect(hostile.status).toBe(400);
    expect(other.status).toBe(207);
  });
});

describe('XML that is not well-formed (finding 3)', () => {
  it.each([
    ['an undefined entity', '<propfind xmlns="DAV:"><prop>&foo;</prop></propfind>', /undefined entity &foo;/],
    ['a bare ampersand', '<propfind xmlns="DAV:"><prop>a & b</prop></propfind>', /"&"/],
    ['&#0;', '<propfind xmlns="DAV:"><prop>&#0;</prop></propfind>', /not a legal XML character/],
    ['&#x110000;', '<propfind xmlns="DAV:"><prop>&#x110000;</prop></propfind>', /not a legal XML character/],
    ['&#xD800; (a surrogate)', '<propfind xmlns="DAV:"><prop>&#xD800;</prop></propfind>', /not a legal XML character/],
    ['an undefined entity in an attribute', '<propfind xmlns="DAV:" a="&foo;"><prop/></propfind>', /undefined entity &foo;/],
    ['"<" in an attribute value', '<propfind xmlns="DAV:" a="<"><prop/></propfind>', /"<" in an attribute value/],
    [']]> in text', '<propfind xmlns="DAV:"><prop>a]]>b</prop></propfind>', /"]]>"/],
    ['a NUL byte', '<propfind xmlns="DAV:"><prop>\u0000</prop></propfind>', /U\+0000/],
    ['a control character', '<propfind xmlns="DAV:"><prop>\u0001</prop></propfind>', /U\+0001/],
    ['U+FFFE', '<propfind xmlns="DAV:"><prop>\uFFFE</prop></propfind>', /U\+FFFE/],
    ['the xml prefix rebound', '<propfind xmlns="DAV:" xmlns:xml="urn:other"><prop/></propfind>', /"xml" prefix/],
    ['the XML namespace bound to another prefix', '<propfind xmlns="DAV:" xmlns:x="http://www.w3.org/XML/1998/namespace"><prop/></propfind>', /XML namespace/],
    ['xmlns:xmlns', '<propfind xmlns="DAV:" xmlns:xmlns="urn:x"><prop/></propfind>', /"xmlns" prefix/],
    ['an element with the xmlns prefix', '<xmlns:propfind xmlns="DAV:"><prop/></xmlns:propfind>', /"xmlns" prefix/],
    ['a prefix undeclared with xmlns:p=""', '<propfind xmlns="DAV:" xmlns:p=""><prop/></propfind>', /empty/],
    ['a duplicate attribute', '<propfind xmlns="DAV:" a="1" a="2"><prop/></propfind>', /attribute "a" twice/],
    ['the same expanded attribute twice', '<propfind xmlns="DAV:" xmlns:a="urn:x" xmlns:b="urn:x" a:n="1" b:n="2"><prop/></propfind>', /twice/],
    ['two colons in a name', '<a:b:propfind xmlns:a="DAV:"><prop/></a:b:propfind>', /not a valid qualified name/],
    ['an XML declaration that is not first', ' <?xml version="1.0"?><propfind xmlns="DAV:"><prop/></propfind>', /XML declaration/],
    ['a second root element', '<propfind xmlns="DAV:"><prop/></propfind><propfind xmlns="DAV:"/>', /after the root element/],
    ['text after the root element', '<propfind xmlns="DAV:"><prop/></propfind>junk', /after the root element/],
    ['"--" in a comment', '<propfind xmlns="DAV:"><!-- a -- b --><prop/></propfind>', /"--"/],
    ['a mismatched end tag', '<propfind xmlns="DAV:"><prop></propfind>', /<\/propfind> closes <prop>/],
    ['an unquoted attribute', '<propfind xmlns="DAV:" a=1><prop/></propfind>', /quoted/],
    ['a CDATA section outside the root', '<![CDATA[x]]><propfind xmlns="DAV:"/>', /CDATA/],
  ])('refuses %s with 400', async (_what, body, reason) => {
    const res = await propfind(body);
    expect(res.status).toBe(400);
    expect(lastReason()).toMatch(reason);
  });

  it.each([
    ['character references and the predefined entities', '<propfind xmlns="DAV:"><prop>&#x1F600;&#65;&lt;&gt;&amp;&apos;&quot;</prop></propfind>'],
    [
      'an XML declaration, comments and processing instructions',
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!-- c --><?pi x?><propfind xmlns="DAV:"><prop><getetag/></prop></propfind>\n<!-- after -->',
    ],
    ['a byte order mark', '\uFEFF<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>'],
    ['single-quoted attributes and spaces around =', "<propfind xmlns = 'DAV:' ><prop ><getetag /></prop ></propfind >"],
    ['"]]>" inside CDATA-free text split by an element', '<propfind xmlns="DAV:"><prop>]]<getetag/>></prop></propfind>'],
  ])('still accepts %s', async (_what, body) => {
    expect((await propfind(body)).status).toBe(207);
  });
});

const veventBytes = (summary: Buffer, uid = 'UTF8-HOSTILE') =>
  Buffer.concat([
    Buffer.from(
      ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20261121T090000Z', 'DTSTART:20261201T100000Z', 'DTEND:20261201T110000Z', 'SUMMARY:'].join('\r\n'),
    ),
    summary,
    Buffer.from('\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'),
  ]);

describe('invalid UTF-8 (finding 4)', () => {
  it.each([
    ['a lone continuation byte', Buffer.from([0x80])],
    ['a truncated sequence', Buffer.from([0x43, 0x61, 0x66, 0xc3])],
    ['an overlong encoding of "/"', Buffer.from([0xc0, 0xaf])],
    ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
    ['a Latin-1 byte', Buffer.from('Caf\xe9', 'latin1')],
  ])('refuses %s in an iCalendar PUT with 400 valid-calendar-data, and stores nothing', async (_what, bytes) => {
    const res = await partition(mock).put(`${home}utf8.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(veventBytes(bytes));
    expect(res.status).toBe(400);
    expect(res.text).toContain('valid-calendar-data');
    expect(lastReason()).toMatch(/not valid UTF-8 at byte \d+/);
    expect(mock.control.listEvents(ALICE.appleId, 'home').map((e) => e.name)).not.toContain('utf8.ics');
  });

  it('refuses invalid UTF-8 in a PROPPATCH value with 400 and leaves the property alone', async () => {
    const before = mock.control.listCalendars(ALICE.appleId).find((c) => c.name === 'home')!.displayName;
    const prefix = Buffer.from('<propertyupdate xmlns="DAV:"><set><prop><displayname>Caf');
    const body = Buffer.concat([prefix, Buffer.from([0xe9]), Buffer.from('</displayname></prop></set></propertyupdate>')]);
    const res = await partition(mock).proppatch(home).set('Authorization', aliceAuth).set('Content-Type', 'application/xml').send(body);
    expect(res.status).toBe(400);
    expect(lastReason()).toContain(`not valid UTF-8 at byte ${prefix.length}`);
    expect(mock.control.listCalendars(ALICE.appleId).find((c) => c.name === 'home')!.displayName).toBe(before);
  });

  it('still stores valid multi-byte UTF-8 as sent', async () => {
    const res = await partition(mock)
      .put(`${home}utf8-ok.ics`)
      .set('Authorization', aliceAuth)
      .set('Content-Type', 'text/calendar')
      .send(veventBytes(Buffer.from('Café 😀 日本'), 'UTF8-OK'));
    expect(res.status).toBe(201);
    expect(mock.control.getEvent(ALICE.appleId, 'home', 'utf8-ok.ics').data).toContain('SUMMARY:Café 😀 日本');
    await partition(mock).delete(`${home}utf8-ok.ics`).set('Authorization', aliceAuth);
  });
});

describe('conditional requests compare etags as RFC 9110 §13.1 says (finding 5)', () => {
  const event = `${home}conditional.ics`;
  let etag: string;
  beforeAll(async () => {
    const res = await partition(mock)
      .put(event)
      .set('Authorization', aliceAuth)
      .set('Content-Type', 'text/calendar')
      .send(veventBytes(Buffer.from('x'), 'CONDITIONAL'));
    etag = res.headers.etag;
  });
  afterAll(async () => {
    await partition(mock).delete(event).set('Authorization', aliceAuth);
  });
  const req = (method: 'get' | 'put' | 'delete', headers: Record<string, string>) => {
    const r = partition(mock)[method](event).set('Authorization', aliceAuth).set(headers);
    return method === 'put' ? r.set('Content-Type', 'text/calendar').send(veventBytes(Buffer.from('y'), 'CONDITIONAL')) : r;
  };

  it('If-Match: W/"<etag>" never matches (strong comparison): DELETE, PUT and GET answer 412', async () => {
    expect((await req('delete', { 'If-Match': `W/${etag}` })).status).toBe(412);
    expect((await req('put', { 'If-Match': `W/${etag}` })).status).toBe(412);
    expect((await req('get', { 'If-Match': `W/${etag}` })).status).toBe(412);
    expect(mock.control.getEvent(ALICE.appleId, 'home', 'conditional.ics').etag).toBe(etag);
  });

  it('If-Match with the strong etag, or in a list, still matches', async () => {
    expect((await req('get', { 'If-Match': `"nope", ${etag}` })).status).toBe(200);
    expect((await req('get', { 'If-Match': '*' })).status).toBe(200);
  });

  it('If-None-Match uses the weak comparison: W/"<etag>" matches', async () => {
    expect((await req('get', { 'If-None-Match': `W/${etag}` })).status).toBe(304);
    expect((await req('put', { 'If-None-Match': `W/${etag}` })).status).toBe(412);
    expect((await req('delete', { 'If-None-Match': `W/${etag}` })).status).toBe(412);
    expect((await req('get', { 'If-None-Match': '"other"' })).status).toBe(200);
  });

  it('If-Match is evaluated before If-None-Match (RFC 9110 §13.2.2): a failed If-Match is 412, not 304', async () => {
    expect((await req('get', { 'If-Match': '"stale"', 'If-None-Match': etag })).status).toBe(412);
  });
});

describe('what one REPORT can cost is bounded (finding 6)', () => {
  const MB19 = 1.9 * 1024 * 1024;
  const big = (uid: string) => veventBytes(Buffer.from(`${'x'.repeat(60)}\r\n `.repeat(Math.floor(MB19 / 64))), uid);
  const multiget = (hrefs: string[], data = true) =>
    partition(mock)
      .report(home)
      .set('Authorization', aliceAuth)
      .set('Depth', '1')
      .send(
        `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/>${data ? '<c:calendar-data/>' : ''}</d:prop>${hrefs.map((h) => `<d:href>${h}</d:href>`).join('')}</c:calendar-multiget>`,
      );
  const responses = (xml: string) => xml.split('<response').length - 1;
  beforeAll(async () => {
    for (const name of ['big-1', 'big-2']) {
      expect((await partition(mock).put(`${home}${name}.ics`).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send(big(name.toUpperCase()))).status).toBe(201);
    }
  });
  afterAll(async () => {
    for (const name of ['big-1', 'big-2']) await partition(mock).delete(`${home}${name}.ics`).set('Authorization', aliceAuth);
    LIMITS.reportDataBytes = DEFAULT_REPORT_BYTES;
  });

  it('answers a 1.9 MB event named 250 times in a 16 kB multiget once', async () => {
    const res = await multiget(Array.from({ length: 250 }, () => `${home}big-1.ics`));
    expect(res.status).toBe(207);
    expect(responses(res.text)).toBe(1);
    expect(res.text.length).toBeLessThan(2.5 * 1024 * 1024);
  });

  it("refuses more distinct hrefs than CalendarServer's MaxMultigetWithDataHrefs with 403 number-of-matches-within-limits", async () => {
    const res = await multiget(
      Array.from({ length: LIMITS.multigetHrefs + 1 }, (_, i) => `${home}n${i}.ics`),
      false,
    );
    expect(res.status).toBe(403);
    expect(res.text).toContain('number-of-matches-within-limits');
    expect(lastReason()).toMatch(/5001 distinct hrefs; the limit is 5000/);
  });

  describe('with the answer limited to 3 MiB of calendar-data', () => {
    beforeAll(() => {
      LIMITS.reportDataBytes = 3 * 1024 * 1024;
    });
    afterAll(() => {
      LIMITS.reportDataBytes = DEFAULT_REPORT_BYTES;
    });

    it('refuses a multiget that would carry more with 403 number-of-matches-within-limits, and answers it without calendar-data', async () => {
      const res = await multiget([`${home}big-1.ics`, `${home}big-2.ics`]);
      expect(res.status).toBe(403);
      expect(res.text).toContain('number-of-matches-within-limits');
      // Other spellings of the same object cost what they carry: they cannot get round the limit.
      expect((await multiget([`${home}big-1.ics`, `${mock.partitionUrl.replace(/\/$/, '')}${home}big-1.ics`])).status).toBe(403);
      expect((await multiget([`${home}big-1.ics`, `${home}big-2.ics`], false)).status).toBe(207);
    });

    it('refuses a calendar-query that would carry more with 403 number-of-matches-within-limits', async () => {
      const query = (data: boolean) =>
        partition(mock)
          .report(home)
          .set('Authorization', aliceAuth)
          .set('Depth', '1')
          .send(
            `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/>${data ? '<c:calendar-data/>' : ''}</d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter></c:calendar-query>`,
          );
      const res = await query(true);
      expect(res.status).toBe(403);
      expect(res.text).toContain('number-of-matches-within-limits');
      expect((await query(false)).status).toBe(207);
    });

    it('pages a sync-collection that would carry more: 507 and a token that continues', async () => {
      const sync = (token: string) =>
        partition(mock)
          .report(home)
          .set('Authorization', aliceAuth)
          .set('Depth', '0')
          .send(
            `<d:sync-collection xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/><c:calendar-data/></d:prop></d:sync-collection>`,
          );
      const seen = new Set<string>();
      let token = '';
      let pages = 0;
      for (;;) {
        const res = await sync(token);
        expect(res.status).toBe(207);
        expect(res.text.length).toBeLessThan(4 * 1024 * 1024);
        for (const m of res.text.matchAll(/<href>[^<]*\/([^/<]+\.ics)<\/href>/g)) seen.add(m[1]);
        token = texts(res.text, 'sync-token').at(-1)!;
        pages++;
        if (!res.text.includes('507')) break;
        expect(res.text).toContain('number-of-matches-within-limits');
      }
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(seen).toEqual(new Set(mock.control.listEvents(ALICE.appleId, 'home').map((e) => e.name)));
    });
  });
});

describe('rapid recurrences: right anywhere, at a bounded cost (finding 7)', () => {
  const rapid = `/${ALICE.dsid}/calendars/rapid/`;
  const at = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+/, '');
  const event = (uid: string, rule: string, start = '20261201T100000Z', end = '20261201T100001Z') =>
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//t//EN',
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20261121T090000Z',
      `DTSTART:${start}`,
      `DTEND:${end}`,
      `RRULE:${rule}`,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
  const query = async (from: string, to: string) => {
    const res = await partition(mock)
      .report(rapid)
      .set('Authorization', aliceAuth)
      .set('Depth', '1')
      .send(
        `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="${at(from)}" end="${at(to)}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`,
      );
    expect(res.status).toBe(207);
    return [...res.text.matchAll(/<href>[^<]*\/([^/<]+)\.ics<\/href>/g)].map((m) => m[1]).sort();
  };
  const work = async (from: string, to: string) => {
    queryWork.expansions = queryWork.steps = 0;
    const found = await query(from, to);
    return { found: found.length, ...queryWork };
  };
  const put = (uid: string, rule: string, start?: string, end?: string) => mock.control.putEvent(ALICE.appleId, 'rapid', { ics: event(uid, rule, start, end), name: `${uid}.ics` });

  const T0 = Date.parse('2026-12-01T10:00:00Z');
  /** The events, and an arithmetic oracle for each: members at T0 + k·step, lasting `dur`. */
  const series: Array<{ uid: string; rule: string; step: number; dur: number; count?: number; until?: number; minute?: number }> = [
    { uid: 's1', rule: 'FREQ=SECONDLY', step: 1000, dur: 1000 },
    { uid: 's2', rule: 'FREQ=SECONDLY;INTERVAL=2', step: 2000, dur: 1000 },
    { uid: 's3', rule: 'FREQ=SECONDLY;INTERVAL=3', step: 3000, dur: 0 },
    { uid: 'm1', rule: 'FREQ=MINUTELY', step: 60_000, dur: 1000 },
    { uid: 'm7', rule: 'FREQ=MINUTELY;INTERVAL=7', step: 420_000, dur: 0 },
    { uid: 'byminute', rule: 'FREQ=SECONDLY;BYMINUTE=5', step: 1000, dur: 1000, minute: 5 },
    { uid: 'until', rule: 'FREQ=SECONDLY;UNTIL=20261203T100000Z', step: 1000, dur: 1000, until: Date.parse('2026-12-03T10:00:00Z') },
    { uid: 'count', rule: 'FREQ=MINUTELY;COUNT=100000', step: 60_000, dur: 1000, count: 100_000 },
  ];
  const oracle = (from: number, to: number) =>
    series
      .filter((e) => {
        for (let k = Math.max(0, Math.floor((from - e.dur - T0) / e.step)); T0 + k * e.step < to; k++) {
          const s = T0 + k * e.step;
          if ((e.count !== undefined && k >= e.count) || (e.until !== undefined && s > e.until)) return false;
          if (e.minute !== undefined && new Date(s).getUTCMinutes() !== e.minute) continue;
          if (e.dur === 0 ? s >= from : s + e.dur > from) return true;
        }
        return false;
      })
      .map((e) => e.uid)
      .sort();

  beforeAll(() => {
    mock.control.createCalendar(ALICE.appleId, { name: 'rapid', displayName: 'Rapid' });
    for (const e of series) put(e.uid, e.rule, '20261201T100000Z', e.dur === 0 ? '20261201T100000Z' : '20261201T100001Z');
  });
  afterAll(() => mock.control.deleteCalendar(ALICE.appleId, 'rapid'));

  it.each([
    ['two days after DTSTART', '2026-12-03T10:00:00Z', '2026-12-03T10:01:00Z'],
    ['two days after, at minute 5', '2026-12-03T10:05:00Z', '2026-12-03T10:06:00Z'],
    ['a month after, on a 2-second window', '2027-01-01T00:00:01Z', '2027-01-01T00:00:03Z'],
    ['a month after, on one second', '2027-01-01T00:05:30Z', '2027-01-01T00:05:31Z'],
    ['at the last of 100,000 COUNTed members', '2027-02-08T20:39:00Z', '2027-02-08T20:39:30Z'],
    ['just after it', '2027-02-08T20:40:00Z', '2027-02-10T00:00:00Z'],
    ['ten years after', '2036-06-01T12:34:56Z', '2036-06-01T12:35:56Z'],
    ['a thousand years after, on one second', '3026-12-01T10:00:03Z', '3026-12-01T10:00:04Z'],
    ['before DTSTART', '2026-11-30T00:00:00Z', '2026-12-01T10:00:00Z'],
  ])('answers a time-range %s as arithmetic says', async (_what, from, to) => {
    const expected = oracle(Date.parse(from), Date.parse(to));
    expect(await query(from, to)).toEqual(expected);
  });

  it('the oracle agrees with the hand-computed ends of the bounded series', () => {
    expect(oracle(Date.parse('2027-02-08T20:39:00Z'), Date.parse('2027-02-08T20:39:30Z'))).toContain('count');
    expect(oracle(Date.parse('2027-02-08T20:40:00Z'), Date.parse('2027-02-10T00:00:00Z'))).not.toContain('count');
    expect(oracle(Date.parse('2026-12-03T10:00:00Z'), Date.parse('2026-12-03T10:00:01Z'))).toContain('until');
    expect(oracle(Date.parse('2026-12-03T10:00:01Z'), Date.parse('2026-12-04T10:00:00Z'))).not.toContain('until');
  });

  it('costs the same per matching event wherever the range lies, and nothing for events it does not reach, however many exist', async () => {
    const near = await work('2026-12-03T10:00:00Z', '2026-12-03T11:00:00Z');
    const far = await work('2526-12-03T10:00:00Z', '2526-12-03T11:00:00Z');
    expect(far.expansions).toBe(6); // s1, s2, s3, m1, m7, byminute go on for ever; until and count have ended
    // A few steps each, wherever the range lies; BYMINUTE=5 walks at most one hour of seconds to minute 5.
    expect(far.steps).toBeLessThanOrEqual(6 * 8 + 3600);
    expect(near.steps).toBeLessThanOrEqual(8 * 8 + 3600);
    const before = await work('2026-11-01T00:00:00Z', '2026-12-01T09:00:00Z');
    const after = await work('2027-06-01T00:00:00Z', '2027-06-01T01:00:00Z');
    // Twenty more every-second events that ended long ago change nothing for later queries...
    for (let i = 0; i < 20; i++) put(`old-${i}`, 'FREQ=SECONDLY;UNTIL=20261202T000000Z');
    expect(await work('2026-11-01T00:00:00Z', '2026-12-01T09:00:00Z')).toEqual(before);
    expect(await work('2027-06-01T00:00:00Z', '2027-06-01T01:00:00Z')).toEqual(after);
    // ...and twenty that never end cost each what one costs.
    for (let i = 0; i < 20; i++) put(`forever-${i}`, 'FREQ=SECONDLY');
    const more = await work('2526-12-03T10:00:00Z', '2526-12-03T11:00:00Z');
    expect(more.expansions).toBe(26);
    expect(more.steps).toBe(far.steps + 20 * (await perEvent()));
    expect(before).toMatchObject({ expansions: 0, steps: 0 });
  });

  /** Steps one plain every-second series costs on a far range. */
  async function perEvent(): Promise<number> {
    mock.control.createCalendar(ALICE.appleId, { name: 'one', displayName: 'One' });
    mock.control.putEvent(ALICE.appleId, 'one', { ics: event('one', 'FREQ=SECONDLY'), name: 'one.ics' });
    queryWork.expansions = queryWork.steps = 0;
    await partition(mock)
      .report(`/${ALICE.dsid}/calendars/one/`)
      .set('Authorization', aliceAuth)
      .set('Depth', '1')
      .send(
        `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="25261203T100000Z" end="25261203T110000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`,
      );
    const steps = queryWork.steps;
    mock.control.deleteCalendar(ALICE.appleId, 'one');
    return steps;
  }
});

describe('Apple IDs are normalised once, at authentication (finding 8)', () => {
  it.each([
    ['surrounding spaces', '  alice@example.com  '],
    ['tabs', '\talice@example.com\t'],
    ['another case', ' ALICE@Example.COM'],
  ])('logs in with %s and journals the request under the canonical Apple ID', async (_what, user) => {
    const res = await gateway(mock).propfind('/').set('Authorization', basic(user, ALICE.appPassword)).set('Depth', '0').send(PROPFIND_PRINCIPAL);
    expect(res.status).toBe(207);
    expect(mock.control.journal().at(-1)!.account).toBe('alice@example.com');
  });

  it('journals a refused login under the canonical claimed ID too', async () => {
    const res = await gateway(mock).propfind('/').set('Authorization', basic('\tAlice@Example.com ', 'wrong')).set('Depth', '0').send(PROPFIND_PRINCIPAL);
    expect(res.status).toBe(401);
    expect(mock.control.journal().at(-1)).toMatchObject({ account: 'alice@example.com', reason: expect.stringMatching(/^wrong-password/) });
    expect(mock.control.journal({ account: ' ALICE@example.com ' }).at(-1)!.status).toBe(401);
  });

  it('scopes faults to the canonical Apple ID', async () => {
    const fault = mock.control.addFault({ kind: 'unavailable', match: { account: 'Alice@Example.com ' }, count: 1 });
    const res = await gateway(mock).propfind('/').set('Authorization', basic(' alice@example.com', ALICE.appPassword)).set('Depth', '0').send(PROPFIND_PRINCIPAL);
    expect(res.status).toBe(503);
    expect(mock.control.listFaults().map((f) => f.id)).not.toContain(fault.id);
  });

  it('refuses an Apple ID that is only white space as a malformed header', async () => {
    const res = await gateway(mock).propfind('/').set('Authorization', basic(' \t ', ALICE.appPassword)).set('Depth', '0').send(PROPFIND_PRINCIPAL);
    expect(res.status).toBe(401);
    expect(lastReason()).toMatch(/^malformed-authorization/);
  });
});

describe('the control plane (finding 9)', () => {
  const ctrl = () => gateway(mock);

  it('is not served on the partition: /__mock there is a CalDAV path like any other', async () => {
    expect((await partition(mock).get('/__mock/world')).status).toBe(401);
    const res = await partition(mock).get('/__mock/world').set('Authorization', aliceAuth);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain(ALICE.appPassword);
    expect((await partition(mock).post('/__mock/reset').set('Authorization', aliceAuth).send({})).status).not.toBe(204);
  });

  it.each([
    ['a DNS-rebound name', 'attacker.example'],
    ['a rebound name with a port', 'attacker.example:8443'],
    ['an IP the mock does not serve', '10.0.0.7:8443'],
    ['garbage', 'a b c'],
  ])('refuses a Host header naming %s with 403', async (_what, host) => {
    const res = await ctrl().get('/__mock/world').set('Host', host);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/not an address this mock serves/);
    expect(res.text).not.toContain(ALICE.appPassword);
  });

  it('answers to the addresses it serves', async () => {
    const port = new URL(mock.gatewayUrl).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, 'localhost']) {
      expect((await ctrl().get('/__mock/clock').set('Host', host)).status).toBe(200);
    }
  });

  it.each([
    ['text/plain (a cross-site form or fetch needs no preflight for it)', 'text/plain', '{"kind":"unavailable"}'],
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded', 'kind=unavailable'],
    ['multipart/form-data', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="kind"\r\n\r\nunavailable\r\n--x--\r\n'],
    ['no Content-Type at all', undefined, undefined],
    ['text/calendar', 'text/calendar', 'BEGIN:VCALENDAR'],
  ])('refuses a POST with %s with 415, changing nothing', async (_what, type, payload) => {
    let req = ctrl().post('/__mock/faults');
    if (type) req = req.set('Content-Type', type);
    const res = await (payload === undefined ? req : req.send(payload));
    expect(res.status).toBe(415);
    expect(mock.control.listFaults()).toEqual([]);
    const reset = await ctrl()
      .post('/__mock/reset')
      .set('Content-Type', type ?? '')
      .send(payload ?? '');
    expect(reset.status).toBe(415);
  });

  it.each([
    ['a fault with "cout"', '/__mock/faults', { kind: 'unavailable', cout: 2 }, /unknown key "cout" \(expected one of: kind, match, after, count/],
    ['a fault scope with "acount"', '/__mock/faults', { kind: 'unavailable', match: { acount: 'a@b' } }, /match: unknown key "acount"/],
    ['an account with "appleid"', '/__mock/accounts', { appleid: 'dave@example.com', fullName: 'Dave', password: 'p' }, /unknown key "appleid"/],
    ['an account without a password', '/__mock/accounts', { appleId: 'dave@example.com', fullName: 'Dave' }, /"password" is required/],
    [
      'a calendar with "colour"',
      `/__mock/accounts/${ALICE.appleId}/calendars`,
      { name: 'colourful', colour: '#FF0000' },
      /unknown key "colour" \(expected one of: name, displayName, component, color/,
    ],
    ['a share with "acess"', `/__mock/accounts/${ALICE.appleId}/calendars`, { sharedFrom: { owner: 'bob@example.com', calendar: 'family', acess: 'read-write' } }, /sharedFrom: unknown key "acess"/],
    ['an event with "icz"', `/__mock/accounts/${ALICE.appleId}/calendars/home/events`, { icz: 'BEGIN:VCALENDAR' }, /unknown key "icz"/],
    ["an event naming a file on the mock's disk", `/__mock/accounts/${ALICE.appleId}/calendars/home/events`, { file: '/etc/passwd' }, /"file" reads the mock's own disk/],
    ['an app password with "lable"', `/__mock/accounts/${ALICE.appleId}/app-passwords`, { lable: 'CI' }, /unknown key "lable"/],
    ['a reset with a body', '/__mock/reset', { everything: true }, /unknown key "everything" \(it takes no keys\)/],
  ])('refuses %s with 400 naming it, and stores nothing', async (_what, path, payload, message) => {
    const res = await ctrl().post(path).send(payload);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
    expect(mock.control.listFaults()).toEqual([]);
    expect(mock.control.listAccounts().map((a) => a.appleId)).not.toContain('dave@example.com');
    expect(mock.control.listCalendars(ALICE.appleId).map((c) => c.name)).not.toContain('colourful');
  });

  it('takes a body-less POST that says application/json (as a script sends it)', async () => {
    expect((await ctrl().post('/__mock/sync-tokens/forget').set('Content-Type', 'application/json')).status).toBe(204);
  });

  it('refuses misspelt keys in PATCH, PUT /clock and PUT /world too', async () => {
    expect((await ctrl().patch(`/__mock/accounts/${ALICE.appleId}`).send({ twoFactor: false, twofactor: false })).body.error).toMatch(/unknown key "twofactor"/);
    expect((await ctrl().put('/__mock/clock').send({ time: '2027-01-01T00:00:00Z' })).body.error).toMatch(/unknown key "time"/);
    const world = mock.control.exportWorld();
    (world.accounts[0] as unknown as Record<string, unknown>).twoFactorr = true;
    expect((await ctrl().put('/__mock/world').send(world)).body.error).toMatch(/accounts\[0\] \(alice@example\.com\): unknown key "twoFactorr"/);
  });

  it('refuses invalid UTF-8 and broken JSON with 400', async () => {
    expect(
      (
        await ctrl()
          .post('/__mock/faults')
          .set('Content-Type', 'application/json')
          .send(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))
      ).status,
    ).toBe(400);
    expect((await ctrl().post('/__mock/faults').set('Content-Type', 'application/json').send('{"kind":')).status).toBe(400);
  });

  describe('with a token', () => {
    let guarded: RunningMockICloud;
    const TOKEN = 'correct-horse-battery-staple';
    beforeAll(async () => {
      guarded = await startDemo({ controlToken: TOKEN });
    });
    afterAll(() => guarded.close());

    it('answers only requests carrying it', async () => {
      const res = await gateway(guarded).get('/__mock/world');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect((await gateway(guarded).get('/__mock/world').set('Authorization', 'Bearer wrong-token-wrong-token')).status).toBe(401);
      expect((await gateway(guarded).get('/__mock/world').set('Authorization', aliceAuth)).status).toBe(401);
      const ok = await gateway(guarded).get('/__mock/world').set('Authorization', `Bearer ${TOKEN}`);
      expect(ok.status).toBe(200);
      expect(ok.body.accounts.length).toBe(3);
      expect((await gateway(guarded).post('/__mock/reset').set('Authorization', `Bearer ${TOKEN}`).send({})).status).toBe(204);
    });

    it('takes a body-less POST with it, and still refuses a non-JSON body', async () => {
      expect((await gateway(guarded).post('/__mock/sync-tokens/forget').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(204);
      expect((await gateway(guarded).post('/__mock/faults').set('Authorization', `Bearer ${TOKEN}`).set('Content-Type', 'text/plain').send('{"kind":"unavailable"}')).status).toBe(415);
    });

    it('lets a health check through without it', async () => {
      expect((await gateway(guarded).get('/__mock/health')).status).toBe(200);
    });
  });

  it('refuses to start beyond loopback without a token, and starts with one', async () => {
    await expect(startDemo({ host: '0.0.0.0' })).rejects.toThrow(/control token/);
    await expect(startDemo({ host: '0.0.0.0', controlToken: 'short' })).rejects.toThrow(/16 printable/);
    const open = await startDemo({ host: '0.0.0.0', controlToken: 'a-long-enough-token-1234' });
    try {
      expect((await gateway(open).get('/__mock/clock')).status).toBe(401);
      expect((await gateway(open).get('/__mock/clock').set('Authorization', 'Bearer a-long-enough-token-1234')).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  afterAll(() => mock.control.clearFaults());
});

describe('afterwards', () => {
  it('is still up, and no data changed', async () => {
    const res = await gateway(mock).propfind('/').set('Authorization', aliceAuth).set('Depth', '0').send(PROPFIND_PRINCIPAL);
    expect(res.status).toBe(207);
    expect(JSON.stringify(mock.control.exportWorld())).toBe(snapshot);
  });
});
