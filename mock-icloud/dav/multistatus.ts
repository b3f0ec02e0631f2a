/**
 * Building and sending 207 Multi-Status bodies (RFC 4918 §13) in iCloud's layout: properties the
 * resource lacks go into a second propstat with `404 Not Found` (dossier §1).
 */
import type { Response } from 'express';
import { statusText } from '../http/errors.js';
import { DAV, type QName } from '../../common/xml/names.js';
import { bare, el, writeDocument, written, type XmlEl, type XmlNode, type XmlWritten } from '../xml/write.js';
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

/**
 * Sends a 207 whose DAV:responses come from `responses` as they are made (then `extra`, such as
 * the sync-token). An answer past one piece (xml/write.ts `writeDocument`) goes out in chunks
 * while the rest is made, and the event loop turns between pieces: Node sends what was written
 * only then (it corks the socket until the next tick), and other requests are served meanwhile,
 * so a 10,000-member answer does not hold the server for its whole length.
 *
 * Whatever can fail must have failed before: once the first piece is out, the status cannot
 * change. So a caller passes a lazy sequence only of responses that cannot throw (stored data
 * served as it is), and an array otherwise. The objects in it are snapshots (the store replaces
 * an object on every change), so a write served between pieces does not leak into the answer.
 */
export async function sendMultistatus(res: Response, responses: Iterable<XmlNode>, extra: XmlNode[] = []): Promise<void> {
  res.status(207);
  res.setHeader('Content-Type', 'text/xml; charset=UTF-8');
  await writeDocument(el(DAV('multistatus')), concat(responses, extra), async (piece, last) => {
    if (last) {
      res.end(piece);
      return true;
    }
    if (res.write(piece)) await new Promise(setImmediate);
    else await drainedOrClosed(res);
    return !res.destroyed;
  });
}

/** Resolves when the reader has taken what was written, or has gone. */
function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** `items` mapped one by one as they are read: the answer's members made as they are sent. */
export function* lazily<T, U>(items: Iterable<T>, map: (item: T) => U): Iterable<U> {
  for (const item of items) yield map(item);
}

/** The parts one after the other, each read when its turn comes. */
export function* concat<T>(...parts: Iterable<T>[]): Iterable<T> {
  for (const part of parts) yield* part;
}
