import { describe, expect, it } from 'vitest';
import { CALDAV, DAV } from './names.js';
import { parseXml, XmlParseError } from './parse.js';

describe('parseXml', () => {
  it('resolves any prefix, and default namespaces, to the same names', () => {
    const a = parseXml('<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>');
    const b = parseXml('<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>');
    const c = parseXml('<x:propfind xmlns:x="DAV:"><prop xmlns="DAV:"><y:calendar-data xmlns:y="urn:ietf:params:xml:ns:caldav"/></prop></x:propfind>');
    expect(a.name).toBe(DAV('propfind'));
    expect(a.children[0].children[0].name).toBe(DAV('getetag'));
    expect(b.children[0].children[0].name).toBe(DAV('getetag'));
    expect(c.children[0].children[0].name).toBe(CALDAV('calendar-data'));
  });

  it('resolves each name in its own scope when siblings bind the same prefix differently', () => {
    // The parser reuses a scope for a repeated declaration and a resolved name per scope: neither
    // may leak from one subtree into the next.
    const root = parseXml('<m xmlns="DAV:"><r><p:x xmlns:p="urn:one" p:a="1"/><y/></r><r><p:x xmlns:p="urn:two"/><y xmlns="urn:three"/><y/></r><r><p:x xmlns:p="urn:one"/><z xmlns=""/></r></m>');
    const [first, second, third] = root.children;
    expect(first.children.map((c) => c.name)).toEqual(['{urn:one}x', DAV('y')]);
    expect(first.children[0].attrs).toEqual({ 'p:a': '1' });
    expect(second.children.map((c) => c.name)).toEqual(['{urn:two}x', '{urn:three}y', DAV('y')]);
    expect(third.children.map((c) => c.name)).toEqual(['{urn:one}x', '{}z']);
    expect(third.children[0].attrs).toEqual({});
    expect(() => parseXml('<m xmlns="DAV:"><r><p:x xmlns:p="urn:one"/></r><p:x/></m>')).toThrow(/undeclared namespace prefix "p"/);
  });

  it('reads names that leave ASCII anywhere, and refuses what no name may start with', () => {
    // ASCII names take a fast path; a name that goes on past ASCII is read whole by the Unicode rule.
    const root = parseXml('<D:prop xmlns:D="DAV:" xmlns:é="urn:e"><D:aé/><é:x-1.y/><日本/><_a:b xmlns:_a="urn:u"/></D:prop>');
    expect(root.children.map((c) => c.name)).toEqual([DAV('aé'), '{urn:e}x-1.y', '{}日本', '{urn:u}b']);
    expect(() => parseXml('<1a/>')).toThrow(/expected a name/);
    expect(() => parseXml('<-a/>')).toThrow(/expected a name/);
    expect(() => parseXml('<a\u00d7b/>')).toThrow(XmlParseError); // × is no NameChar
    expect(() => parseXml('<a>')).toThrow(/never closed/);
  });

  it('joins text and CDATA and decodes the predefined entities', () => {
    expect(parseXml('<a xmlns="x">1 &amp; <![CDATA[<2>]]></a>').text).toBe('1 & <2>');
  });

  it('refuses DOCTYPEs, bad nesting and undeclared prefixes', () => {
    expect(() => parseXml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')).toThrow(XmlParseError);
    expect(() => parseXml(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`)).toThrow(/nested more than 64 levels/);
    expect(() => parseXml('<D:a/>')).toThrow(/undeclared namespace prefix "D"/);
    expect(() => parseXml('<a><b></a>')).toThrow(/malformed XML at line 1/);
  });
});
