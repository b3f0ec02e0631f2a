import { describe, expect, it } from 'vitest';
import { CALDAV, DAV } from '../../common/xml/names.js';
import { bare, cdata, el, fragmentToXml } from './write.js';

describe('iCloud-style XML writing', () => {
  it('repeats xmlns on property elements, not on structural ones', () => {
    const xml = fragmentToXml(el(DAV('response'), [bare(DAV('href'), '/'), el(DAV('current-user-principal'), el(DAV('href'), '/1/principal/'))]));
    expect(xml).toBe('<response xmlns="DAV:"><href>/</href><current-user-principal xmlns="DAV:"><href xmlns="DAV:">/1/principal/</href></current-user-principal></response>');
  });

  it('wraps calendar data in CDATA, splitting a "]]>" inside it', () => {
    expect(fragmentToXml(el(CALDAV('calendar-data'), cdata('A]]>B')))).toBe('<calendar-data xmlns="urn:ietf:params:xml:ns:caldav"><![CDATA[A]]]]><![CDATA[>B]]></calendar-data>');
  });

  it('escapes text and attributes', () => {
    expect(fragmentToXml(el(DAV('x'), 'a<b&c', { q: '"<' }))).toBe('<x xmlns="DAV:" q="&quot;&lt;">a&lt;b&amp;c</x>');
  });
});
