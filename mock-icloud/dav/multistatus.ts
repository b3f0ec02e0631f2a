/**
 * Building and sending 207 Multi-Status bodies (RFC 4918 §13) in iCloud's layout: properties the
 * resource lacks go into a second propstat with `404 Not Found` (dossier §1).
 */
import type { Response } from 'express';
import { statusText } from '../http/errors.js';
import { DAV, type QName } from '../../common/xml/names.js';
import { bare, el, toXml, written, type XmlEl, type XmlNode, type XmlWritten } from '../xml/write.js';
import type { DavContext } from './context.js';
import { getProperty } from './properties.js';
import type { Resource } from './resources.js';

export const statusLine = (status: number) => `HTTP/1.1 ${status} ${status === 200 ? 'OK' : statusText(status)}`;

export interface PropStat {
  status: number;
  props: XmlEl[];
}

/** One DAV:response, written at once (xml/write.ts `written`: an answer may hold 10,000). */
export function response(href: string, propstats: PropStat[]): XmlWritten {
  const children: XmlNode[] = [bare(DAV('href'), href)];
  for (const ps of propstats) {
    if (ps.props.length === 0 && ps.status !== 200) continue;
    children.push(bare(DAV('propstat'), [bare(DAV('prop'), ps.props), bare(DAV('status'), statusLine(ps.status))]));
  }
  return written(el(DAV('response'), children));
}

/** A response with a status and no properties: deleted members in sync-collection, missing hrefs in multiget. */
export function statusResponse(href: string, status: number): XmlWritten {
  return written(el(DAV('response'), [bare(DAV('href'), href), bare(DAV('status'), statusLine(status))]));
}

/** Resolves the requested properties on one resource into found (200) and missing (404) sets. */
export function propertiesResponse(
  resource: Resource,
  names: QName[],
  ctx: DavContext,
  /** Values computed by the caller instead of the registry (calendar-data in REPORTs). */
  override?: (name: QName) => XmlNode[] | null | undefined,
): XmlWritten {
  const found: XmlEl[] = [];
  const missing: XmlEl[] = [];
  for (const name of names) {
    const overridden = override?.(name);
    const value = overridden !== undefined ? overridden : getProperty(name, resource, ctx);
    if (value === null) missing.push(el(name));
    else found.push(el(name, value));
  }
  return response(resource.href, [
    { status: 200, props: found },
    { status: 404, props: missing },
  ]);
}

export function multistatus(responses: XmlNode[], extra: XmlNode[] = []): XmlEl {
  return el(DAV('multistatus'), [...responses, ...extra]);
}

export function sendMultistatus(res: Response, body: XmlEl): void {
  res.status(207);
  res.setHeader('Content-Type', 'text/xml; charset=UTF-8');
  res.end(toXml(body));
}
