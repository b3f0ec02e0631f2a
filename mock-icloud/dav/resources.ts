/**
 * Maps a request path to the resource it names, for the authenticated account.
 *
 * iCloud's URL space (dossier §1): `/` (service root), `/<dsid>/principal/`, `/<dsid>/calendars/`
 * (the calendar home), `/<dsid>/calendars/<collection>/` and `/<dsid>/calendars/<collection>/<object>`.
 * Another account's DSID is refused with 403, as iCloud does for a valid login on a foreign URL.
 */
import { badRequest, DavError, forbidden } from '../http/errors.js';
import type { Account, Calendar, CalendarObject, HomeEntry } from '../store/model.js';
import type { CalendarStore } from '../store/store.js';

export type SpecialCollection = 'inbox' | 'outbox' | 'notification';
export const SPECIAL_COLLECTIONS: readonly SpecialCollection[] = ['inbox', 'outbox', 'notification'];

/** A calendar as seen from one account's home: owned, or shared with it by someone else. */
export interface CalendarView {
  entry: Extract<HomeEntry, { kind: 'owned' | 'shared' }>;
  calendar: Calendar;
  writable: boolean;
}

export type Resource =
  | { kind: 'root'; href: string }
  | { kind: 'principal'; href: string; account: Account }
  | { kind: 'home'; href: string; account: Account }
  | { kind: 'calendar'; href: string; account: Account; view: CalendarView }
  | { kind: 'subscribed'; href: string; account: Account; entry: Extract<HomeEntry, { kind: 'subscribed' }> }
  | { kind: 'special'; href: string; account: Account; special: SpecialCollection }
  /** A collection URL with nothing there (MKCALENDAR's target). */
  | { kind: 'missing-collection'; href: string; account: Account; name: string }
  /** A path below a collection that does not exist: 409 for PUT and MKCALENDAR, 404 otherwise. */
  | { kind: 'orphan'; href: string; account: Account; missingCollection: string }
  /** An object URL; `object` is undefined when nothing is stored there yet (PUT's create target). */
  | {
      kind: 'object';
      href: string;
      account: Account;
      parent: Exclude<Resource, { kind: 'object' | 'root' | 'principal' | 'home' | 'missing-collection' | 'orphan' }>;
      name: string;
      object?: CalendarObject;
    };

export const principalHref = (dsid: string) => `/${dsid}/principal/`;
export const homeHref = (dsid: string) => `/${dsid}/calendars/`;
export const collectionHref = (dsid: string, name: string) => `${homeHref(dsid)}${encodeURIComponent(name)}/`;
export const objectHref = (collection: string, name: string) => `${collection}${encodeURIComponent(name)}`;

/** Splits a raw URL path into decoded segments, refusing traversal and smuggled separators. */
export function pathSegments(rawPath: string): string[] {
  const path = rawPath.split('?')[0];
  if (!path.startsWith('/')) throw badRequest(`request path "${path}" is not absolute`);
  const segments: string[] = [];
  for (const raw of path.split('/').slice(1)) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw badRequest(`path segment "${raw}" is not valid percent-encoding`);
    }
    if (segment === '.' || segment === '..' || segment.includes('/') || segment.includes('\\') || segment.includes('\0')) {
      throw badRequest(`path segment "${raw}" is not allowed`);
    }
    segments.push(segment);
  }
  return segments;
}

export function resolveResource(rawPath: string, account: Account, store: CalendarStore): Resource {
  const segments = pathSegments(rawPath);
  if (segments.length === 0) return { kind: 'root', href: '/' };
  const [dsid, area, collection, objectName, ...rest] = segments;
  if (!/^\d+$/.test(dsid)) throw new DavError(404, `no such path: ${rawPath}`);
  if (dsid !== account.dsid) throw forbidden(`${account.appleId} (DSID ${account.dsid}) tried to reach DSID ${dsid}'s data`);
  if (area === undefined) throw new DavError(404, `no resource at /${dsid}/`);
  if (area === 'principal' && collection === undefined) return { kind: 'principal', href: principalHref(dsid), account };
  if (area !== 'calendars' || rest.length > 0) throw new DavError(404, `no such path: ${rawPath}`);
  if (collection === undefined) return { kind: 'home', href: homeHref(dsid), account };

  const href = collectionHref(dsid, collection);
  const parent = resolveCollection(href, account, collection, store);
  if (objectName === undefined) return parent;
  if (parent.kind === 'missing-collection') return { kind: 'orphan', href: objectHref(href, objectName), account, missingCollection: collection };
  const object = parent.kind === 'calendar' ? store.getObject(parent.view.calendar, objectName) : undefined;
  return { kind: 'object', href: objectHref(href, objectName), account, parent, name: objectName, object };
}

function resolveCollection(href: string, account: Account, name: string, store: CalendarStore): Exclude<Resource, { kind: 'object' | 'root' | 'principal' | 'home' | 'orphan' }> {
  if ((SPECIAL_COLLECTIONS as readonly string[]).includes(name)) return { kind: 'special', href, account, special: name as SpecialCollection };
  const entry = store.getHomeEntry(account.dsid, name);
  if (!entry) return { kind: 'missing-collection', href, account, name };
  if (entry.kind === 'subscribed') return { kind: 'subscribed', href, account, entry };
  return { kind: 'calendar', href, account, view: viewOf(entry) };
}

export function viewOf(entry: Extract<HomeEntry, { kind: 'owned' | 'shared' }>): CalendarView {
  return { entry, calendar: entry.calendar, writable: entry.kind === 'owned' || entry.access === 'read-write' };
}

/** Every collection in the home, as a Depth: 1 PROPFIND lists them (specials included, dossier §1). */
export function homeMembers(account: Account, store: CalendarStore): Resource[] {
  const members: Resource[] = [];
  for (const entry of store.listHome(account.dsid)) {
    const href = collectionHref(account.dsid, entry.name);
    members.push(entry.kind === 'subscribed' ? { kind: 'subscribed', href, account, entry } : { kind: 'calendar', href, account, view: viewOf(entry) });
  }
  for (const special of SPECIAL_COLLECTIONS) members.push({ kind: 'special', href: collectionHref(account.dsid, special), account, special });
  return members;
}
