/**
 * XML namespaces used on the wire and the qualified-name helpers shared by parsing and writing.
 *
 * Names are compared as `{namespace}local` (Clark notation), the form Xandikos and ElementTree use,
 * so a client may pick any prefix: `D:prop`, `d:prop` and a default-namespace `prop` are the same.
 */
export const NS = {
  DAV: 'DAV:',
  CALDAV: 'urn:ietf:params:xml:ns:caldav',
  CS: 'http://calendarserver.org/ns/',
  APPLE: 'http://apple.com/ns/ical/',
  ME: 'http://me.com/_namespace/',
} as const;

/** A qualified name in Clark notation: `{DAV:}getetag`. */
export type QName = string;

export function qname(ns: string, local: string): QName {
  return `{${ns}}${local}`;
}

export function splitQName(name: QName): { ns: string; local: string } {
  const close = name.indexOf('}');
  if (!name.startsWith('{') || close < 0) return { ns: '', local: name };
  return { ns: name.slice(1, close), local: name.slice(close + 1) };
}

export const DAV = (local: string): QName => qname(NS.DAV, local);
export const CALDAV = (local: string): QName => qname(NS.CALDAV, local);
export const CS = (local: string): QName => qname(NS.CS, local);
export const APPLE = (local: string): QName => qname(NS.APPLE, local);
