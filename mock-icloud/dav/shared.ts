/**
 * Small checks several method handlers share.
 */
import { badRequest, DavError, forbidden } from '../http/errors.js';
import type { QName } from '../../common/xml/names.js';
import { parseXml, XmlParseError, type XmlElement } from '../../common/xml/parse.js';
import type { CalendarView, Resource } from './resources.js';

/** Parses an XML request body and checks its root element (null: any root), with a 400 for anything else. */
export function parseXmlBody(body: string, expectedRoot: QName | QName[] | null): XmlElement {
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch (error) {
    if (error instanceof XmlParseError) throw badRequest(error.message);
    throw error;
  }
  if (expectedRoot === null) return root;
  const expected = Array.isArray(expectedRoot) ? expectedRoot : [expectedRoot];
  if (!expected.includes(root.name)) throw badRequest(`expected <${expected.join('> or <')}> as the root element, got <${root.name}>`);
  return root;
}

/** The resource must exist (PROPFIND, GET, DELETE, PROPPATCH, REPORT targets). */
export function requireExisting(resource: Resource): Resource {
  if (resource.kind === 'missing-collection') throw new DavError(404, `no collection at ${resource.href}`);
  if (resource.kind === 'orphan') throw new DavError(404, `no collection "${resource.missingCollection}" above ${resource.href}`);
  if (resource.kind === 'object' && !resource.object) throw new DavError(404, `no object at ${resource.href}`);
  return resource;
}

/** The calendar a write goes to, refusing read-only shares and collections that hold no events. */
export function writableCalendar(resource: Resource, what: string): CalendarView {
  const parent = resource.kind === 'object' ? resource.parent : resource;
  switch (parent.kind) {
    case 'calendar':
      if (!parent.view.writable) throw forbidden(`${what} refused: "${parent.view.calendar.displayName}" is shared read-only with this account`);
      return parent.view;
    case 'subscribed':
      throw forbidden(`${what} refused: "${parent.entry.displayName}" is a subscribed calendar (read-only feed)`);
    case 'special':
      throw forbidden(`${what} refused: the ${parent.special} collection cannot be written by clients`);
    case 'orphan':
      // RFC 4918 §9.7.1: a PUT whose parent collection does not exist is a 409 Conflict.
      throw new DavError(409, `${what} refused: the calendar "${parent.missingCollection}" does not exist`);
    default:
      throw forbidden(`${what} refused: ${resource.href} is not inside a calendar`);
  }
}
