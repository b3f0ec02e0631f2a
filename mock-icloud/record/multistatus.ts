/**
 * Reading recorded WebDAV answers (a 207 multistatus) with the mock's own strict, bounded XML
 * parser, for world-from-capture and the drift report. Names are compared by namespace, never by
 * prefix: iCloud repeats default `xmlns`, Radicale and Xandikos use prefixes.
 */
import { NS, qname } from '../../common/xml/names.js';
import { child, children, parseXml, type XmlElement } from '../../common/xml/parse.js';

export interface Propstat {
  status: number;
  props: XmlElement[];
}

export interface MsResponse {
  href: string;
  /** The response-level status (a sync-collection deletion, a multiget 404), if any. */
  status?: number;
  propstats: Propstat[];
  element: XmlElement;
}

export const D = (local: string) => qname(NS.DAV, local);
export const C = (local: string) => qname(NS.CALDAV, local);

/** `HTTP/1.1 404 Not Found` → 404. */
export function statusCode(line: string | undefined): number | undefined {
  const m = /\s(\d{3})(?:\s|$)/.exec(` ${line ?? ''} `);
  return m ? Number(m[1]) : undefined;
}

/** The XML root, or undefined when `text` is not XML. */
export function tryParseXml(text: string): XmlElement | undefined {
  if (!text.trim().startsWith('<')) return undefined;
  try {
    return parseXml(text);
  } catch {
    return undefined;
  }
}

/** The responses of a multistatus body, or undefined when it is not one. */
export function readMultistatus(text: string): MsResponse[] | undefined {
  const root = tryParseXml(text);
  if (!root || root.name !== D('multistatus')) return undefined;
  return children(root, D('response')).map((r) => ({
    href: (child(r, D('href'))?.text ?? '').trim(),
    status: statusCode(child(r, D('status'))?.text),
    propstats: children(r, D('propstat')).map((ps) => ({ status: statusCode(child(ps, D('status'))?.text) ?? 0, props: child(ps, D('prop'))?.children ?? [] })),
    element: r,
  }));
}

/** A property the server found (in a 2xx propstat). */
export function okProp(response: MsResponse, name: string): XmlElement | undefined {
  for (const ps of response.propstats) {
    if (ps.status < 200 || ps.status > 299) continue;
    const found = ps.props.find((p) => p.name === name);
    if (found) return found;
  }
  return undefined;
}

/** The path of an href, absolute or not, %-decoded. */
export function hrefPath(href: string): string {
  let path = href;
  try {
    path = new URL(href, 'http://base.invalid').pathname;
  } catch {
    // keep it as written
  }
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
