/**
 * The anonymiser on iCloud-shaped exchanges (partition host with :443, DSID paths, CN names,
 * attendees, %-encoded addresses, CDATA calendar-data, ctag = sync token): every private value is
 * replaced, the same value always by the same placeholder, and nothing else changes.
 */
import { describe, expect, it } from 'vitest';
import { Anonymiser } from './anonymise.js';
import type { HarEntry } from './har.js';

const DSID = '17149682';
const TOKEN = 'HwoQEgwAADqWpb9lNQABAAAYAhgAIhYIt46JvtzZupTJARDc2cSJq73/k6wBKABIAA==';
const UID = '4D24D1CF-D573-4130-BFB7-F9E0B616E6FE';

function entry(url: string, request: string, response: string, headers: Record<string, string> = {}): HarEntry {
  return {
    startedDateTime: '2026-11-21T09:00:00.000Z',
    time: 1,
    request: {
      method: 'PROPFIND',
      url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
      queryString: [],
      postData: { mimeType: 'application/xml', text: request },
      headersSize: -1,
      bodySize: request.length,
    },
    response: {
      status: 207,
      statusText: 'Multi-Status',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [{ name: 'set-cookie', value: 'X-APPLE-WEBAUTH=secret-cookie' }],
      content: { size: response.length, mimeType: 'text/xml', text: response },
      redirectURL: '',
      headersSize: -1,
      bodySize: response.length,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: 0, ssl: -1, send: 0, wait: 1, receive: 0 },
    _origin: 'gateway',
  };
}

const principal = entry(
  'https://caldav.icloud.com/',
  '<propfind xmlns="DAV:"><prop><current-user-principal/></prop></propfind>',
  `<multistatus xmlns="DAV:"><response xmlns="DAV:"><href>/${DSID}/principal/</href><propstat><prop><displayname>Jane Q. Public</displayname><calendar-home-set xmlns="urn:ietf:params:xml:ns:caldav"><href xmlns="DAV:">https://p62-caldav.icloud.com:443/${DSID}/calendars/</href></calendar-home-set><calendar-user-address-set xmlns="urn:ietf:params:xml:ns:caldav"><href>mailto:jane.public@icloud.com</href></calendar-user-address-set></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`,
  { Authorization: `Basic ${Buffer.from('jane.public@icloud.com:abcd-efgh-ijkl-mnop').toString('base64')}`, Cookie: 'X-APPLE-WEBAUTH=secret-cookie' },
);
const ics = [
  'BEGIN:VCALENDAR',
  'BEGIN:VEVENT',
  `UID:${UID}`,
  'ORGANIZER;CN="Jane Q. Public":mailto:jane.public@icloud.com',
  'ATTENDEE;CN=John Smith;PARTSTAT=ACCEPTED:mailto:john.smith',
  ' @me.com',
  'SUMMARY:Dentist',
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n');
const report = entry(
  `https://p62-caldav.icloud.com/${DSID}/calendars/home/`,
  `<sync-collection xmlns="DAV:"><sync-token>${TOKEN}</sync-token></sync-collection>`,
  `<multistatus xmlns="DAV:"><response><href>/${DSID}/calendars/home/${UID}.ics</href><propstat><prop><getetag>"lnbuozw4"</getetag><calendar-data xmlns="urn:ietf:params:xml:ns:caldav"><![CDATA[${ics}]]></calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat></response><sync-token>${TOKEN}</sync-token><response><href>/${DSID}/calendars/jane.public%40icloud.com/</href></response></multistatus>`,
);

function run(): { out: string; anonymiser: Anonymiser } {
  const anonymiser = new Anonymiser();
  anonymiser.learnCredentials('jane.public@icloud.com', 'abcd-efgh-ijkl-mnop', Buffer.from('jane.public@icloud.com:abcd-efgh-ijkl-mnop').toString('base64'));
  anonymiser.learnPartitionHost('p62-caldav.icloud.com');
  for (const e of [principal, report]) anonymiser.learnEntry(e);
  return { out: JSON.stringify([principal, report].map((e) => anonymiser.anonymiseEntry(e))), anonymiser };
}

describe('anonymiser', () => {
  it('leaves none of the real values anywhere', () => {
    const { out } = run();
    for (const secret of [
      'jane.public',
      'john.smith',
      'icloud.com:',
      'abcd-efgh-ijkl-mnop',
      'amFuZS5wdWJsaWNAaWNsb3VkLmNvbTphYmNkLWVmZ2gtaWprbC1tbm9w',
      DSID,
      'Jane Q. Public',
      'John Smith',
      'p62-caldav',
      UID,
      TOKEN,
      'secret-cookie',
      'Authorization',
    ]) {
      expect(out, secret).not.toContain(secret);
    }
    // The attendee's address was folded across two lines: it is found and replaced all the same.
    expect(out).toContain('CN=Person 2;PARTSTAT=ACCEPTED:mailto:person-');
  });

  it('gives the same value the same placeholder everywhere, so the capture stays coherent', () => {
    const { out, anonymiser } = run();
    expect(anonymiser.placeholderFor(UID)).toBe('uid-1');
    expect(out).toContain('/99000000001/calendars/home/uid-1.ics');
    expect(out).toContain('UID:uid-1');
    expect(out).toContain('https://partition-1.invalid:443/99000000001/calendars/');
    expect(out).toContain('https://partition-1.invalid/99000000001/calendars/home/');
    // The sync token the client sent back is the one it was given.
    expect(out.match(/sync-token-1/g)).toHaveLength(2);
    expect(out).toContain('mailto:appleid-1@example.invalid');
    expect(out).toContain('/calendars/appleid-1%40example.invalid/');
    expect(out).toContain('CN=\\"Person 1\\"');
  });

  it('changes nothing else: etags, summaries and XML structure are kept', () => {
    const { out } = run();
    expect(out).toContain('<getetag>\\"lnbuozw4\\"</getetag>');
    expect(out).toContain('SUMMARY:Dentist');
    expect(out).toContain('<calendar-data xmlns=\\"urn:ietf:params:xml:ns:caldav\\"><![CDATA[BEGIN:VCALENDAR');
  });
});
