/**
 * Request bodies and answer readers the cases share.
 */
import { reportBody } from '../context.js';
import { check } from '../http.js';
import { CALDAV, DAV, okProp, pathOf, trimSlash, xmlEscape, type DavResponse, type Multistatus } from '../xml.js';

/** The last path segment of a URL or href, decoded: the resource name. */
export function nameOf(urlOrPath: string): string {
  const path = pathOf(urlOrPath, 'http://base.invalid/');
  return trimSlash(path).split('/').at(-1) ?? '';
}

export function isSelf(response: DavResponse, collectionUrl: string): boolean {
  return trimSlash(response.path) === trimSlash(pathOf(collectionUrl, collectionUrl));
}

/** Responses for members of the collection, i.e. without the collection's own response. */
export function members(ms: Multistatus, collectionUrl: string): DavResponse[] {
  return ms.responses.filter((r) => !isSelf(r, collectionUrl));
}

/** Names of members that came back found (not a response-level 4xx). */
export function foundNames(ms: Multistatus, collectionUrl: string): string[] {
  return members(ms, collectionUrl)
    .filter((r) => r.status === undefined || (r.status >= 200 && r.status < 300))
    .map((r) => nameOf(r.path))
    .sort();
}

export function sameSet(actual: string[], expected: string[]): boolean {
  const a = [...actual].sort();
  const e = [...expected].sort();
  return a.length === e.length && a.every((x, i) => x === e[i]);
}

export function show(list: string[]): string {
  return list.length ? `[${list.join(', ')}]` : '[] (nothing)';
}

export function calendarQueryBody(range: { start: string; end: string } | undefined, props = '<D:getetag/>'): string {
  return calendarQueryWith(range ? `<C:time-range start="${range.start}" end="${range.end}"/>` : '', props);
}

/** A calendar-query for VEVENTs whose VEVENT comp-filter holds `filter` (time-range, prop-filter…). */
export function calendarQueryWith(filter: string, props = '<D:getetag/>'): string {
  return reportBody('C:calendar-query', `<D:prop>${props}</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">${filter}</C:comp-filter></C:comp-filter></C:filter>`);
}

export function multigetBody(hrefs: string[], props = '<D:getetag/><C:calendar-data/>'): string {
  return reportBody('C:calendar-multiget', `<D:prop>${props}</D:prop>${hrefs.map((h) => `<D:href>${xmlEscape(h)}</D:href>`).join('')}`);
}

/** sync-collection (RFC 6578 §3.2); an empty token is the initial sync. */
export function syncBody(token: string, props = '<D:getetag/>'): string {
  return reportBody('D:sync-collection', `<D:sync-token>${xmlEscape(token)}</D:sync-token><D:sync-level>1</D:sync-level><D:prop>${props}</D:prop>`);
}

/** The path a multiget or a server would name an object by (percent-encoded as in the URL). */
export function hrefPath(url: string): string {
  return new URL(url).pathname;
}

export function calendarDataOf(response: DavResponse | undefined): string | undefined {
  return okProp(response, CALDAV, 'calendar-data')?.text;
}

export function etagOf(response: DavResponse | undefined): string | undefined {
  return okProp(response, DAV, 'getetag')?.text.trim();
}

/** ETags compare as opaque strings, ignoring a weak `W/` prefix some servers add. */
export function sameEtag(a: string | undefined | null, b: string | undefined | null): boolean {
  const norm = (s: string) => s.trim().replace(/^W\//, '');
  return a != null && b != null && norm(a) === norm(b);
}

export function requireToken(ms: Multistatus, what: string): string {
  check(ms.syncToken, `${what}: the answer has no top-level DAV:sync-token`);
  return ms.syncToken;
}
