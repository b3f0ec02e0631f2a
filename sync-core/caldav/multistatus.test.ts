import { describe, expect, it } from 'vitest';
import { parseMultistatus } from './multistatus.js';

describe('parseMultistatus', () => {
  it('reads hrefs, statuses, found properties and the sync token, whatever the prefixes', () => {
    const answer = `<?xml version="1.0" encoding="UTF-8"?>
<multistatus xmlns="DAV:"><response xmlns="DAV:"><href>/1/calendars/home/</href><status>HTTP/1.1 507 Insufficient Storage</status></response>
<response><href>/1/calendars/home/a.ics</href><propstat><prop><getetag>"e1"</getetag><C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav">BEGIN:VCALENDAR&#13;
SUMMARY:Tom &amp; Jerry &lt;3&#13;
END:VCALENDAR&#13;
</C:calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat>
<propstat><prop><displayname/></prop><status>HTTP/1.1 404 Not Found</status></propstat></response>
<response><href>/1/calendars/home/gone.ics</href><status>HTTP/1.1 404 Not Found</status></response>
<response><href>/1/calendars/home/cdata.ics</href><propstat><prop><getetag>"e2"</getetag><calendar-data><![CDATA[BEGIN:VCALENDAR
X:<b>&amp;
END:VCALENDAR]]></calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat></response>
<sync-token>https://example.com/ns/sync/42</sync-token></multistatus>`;
    const ms = parseMultistatus(answer);
    expect(ms.syncToken).toBe('https://example.com/ns/sync/42');
    expect(ms.responses.map((r) => [r.href, r.status])).toEqual([
      ['/1/calendars/home/', 507],
      ['/1/calendars/home/a.ics', 200],
      ['/1/calendars/home/gone.ics', 404],
      ['/1/calendars/home/cdata.ics', 200],
    ]);
    // CR LF kept inside, the text trimmed at its ends (as tsdav reads it), entities decoded once.
    expect(ms.responses[1]!.props).toEqual({ getetag: '"e1"', 'calendar-data': 'BEGIN:VCALENDAR\r\nSUMMARY:Tom & Jerry <3\r\nEND:VCALENDAR' });
    expect(ms.responses[3]!.props['calendar-data']).toBe('BEGIN:VCALENDAR\nX:<b>&amp;\nEND:VCALENDAR');
  });

  it('reads an empty multistatus, and refuses what is not one', () => {
    expect(parseMultistatus('<d:multistatus xmlns:d="DAV:"/>')).toEqual({ responses: [] });
    expect(() => parseMultistatus('<html><body>Bad gateway</body></html>')).toThrow(/not a DAV:multistatus/);
  });
});
