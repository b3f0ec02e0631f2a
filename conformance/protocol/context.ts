/**
 * What a case gets: HTTP against the target, discovery (principal and calendar home, found once
 * per run the way a client finds them), and scratch calendars. Every scratch calendar has a unique
 * name (`conformance-<run>-<n>`) so runs never see each other's data, and is deleted after the case
 * whether it passed or not.
 */
import { randomBytes } from 'node:crypto';
import { CaseFailure, type Profile } from './case.js';
import { check, describe, expectStatus, httpRequest, SUCCESS, type Credentials, type HttpResult, type RequestOptions } from './http.js';
import { CALDAV, DAV, okProp, parseMultistatus, responseFor, snippet, childOf, xmlEscape, type Multistatus, pathOf } from './xml.js';

/** Where a server is and how to log in (no user: the server has no authentication). */
export interface TargetAddress {
  /** The URL a client is configured with, e.g. `https://caldav.icloud.com/`. */
  url: string;
  user?: string;
  password?: string;
}

export interface Discovery {
  /** Absolute URL of the current user's principal. */
  principalUrl: string;
  /** Absolute URL of the calendar home (calendar-home-set, resolved against the principal). */
  homeUrl: string;
}

const PREFIXES = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/" xmlns:A="http://apple.com/ns/ical/"';
export const XML_HEADERS = { 'Content-Type': 'application/xml; charset=utf-8' };
export const ICS_HEADERS = { 'Content-Type': 'text/calendar; charset=utf-8' };

/** A PROPFIND body asking for `props` given as `D:getetag`, `C:calendar-home-set`, `CS:getctag`… */
export function propfindBody(props: string[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<D:propfind ${PREFIXES}><D:prop>${props.map((p) => `<${p}/>`).join('')}</D:prop></D:propfind>`;
}

/** A REPORT body: `inner` goes inside `<root>`, with the usual prefixes declared. */
export function reportBody(root: string, inner: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<${root} ${PREFIXES}>${inner}</${root}>`;
}

export function mkcalendarBody(options: { displayName?: string; components?: string[] }): string {
  const props = [
    options.displayName !== undefined ? `<D:displayname>${xmlEscape(options.displayName)}</D:displayname>` : '',
    options.components ? `<C:supported-calendar-component-set>${options.components.map((c) => `<C:comp name="${c}"/>`).join('')}</C:supported-calendar-component-set>` : '',
  ].join('');
  return `<?xml version="1.0" encoding="utf-8"?>\n<C:mkcalendar ${PREFIXES}><D:set><D:prop>${props}</D:prop></D:set></C:mkcalendar>`;
}

/** One run against one target: shared by all its cases. */
export class Session {
  readonly runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  private counter = 0;
  private discovery?: Promise<Discovery>;

  constructor(
    readonly address: TargetAddress,
    readonly profile: Profile,
  ) {}

  get credentials(): Credentials | undefined {
    return this.address.user !== undefined ? { user: this.address.user, password: this.address.password ?? '' } : undefined;
  }

  nextName(prefix = 'conformance'): string {
    return `${prefix}-${this.runId}-${++this.counter}`;
  }

  request(method: string, url: string, options: RequestOptions = {}): Promise<HttpResult> {
    return httpRequest(method, url, options, this.credentials);
  }

  /** Principal and calendar home, found once per run (and the failure, if any, reported to every case that needs them). */
  discover(): Promise<Discovery> {
    this.discovery ??= discover(this);
    return this.discovery;
  }
}

/**
 * RFC 6764 §6 / RFC 5397 / RFC 4791 §6.2.1: PROPFIND the configured URL for current-user-principal
 * (following redirects, then trying /.well-known/caldav), then the principal for calendar-home-set.
 */
async function discover(session: Session): Promise<Discovery> {
  const starts = [session.address.url, new URL('/.well-known/caldav', session.address.url).href];
  let principalUrl: string | undefined;
  const tried: string[] = [];
  for (const start of starts) {
    let url = start;
    for (let hop = 0; hop < 5; hop++) {
      const res = await session.request('PROPFIND', url, { headers: { Depth: '0', ...XML_HEADERS }, body: propfindBody(['D:current-user-principal']) });
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        url = new URL(res.headers.get('location')!, url).href;
        continue;
      }
      if (res.status === 401) throw new CaseFailure(`discovery: the server refused the credentials (${describe(res)})`);
      if (res.status === 207) {
        const ms = parseMultistatus(res.text, url, 'discovery PROPFIND current-user-principal');
        const href = childOf(okProp(ms.responses[0], DAV, 'current-user-principal'), DAV, 'href')?.text.trim();
        if (href) principalUrl = new URL(href, url).href;
      }
      tried.push(describe(res));
      break;
    }
    if (principalUrl) break;
  }
  if (!principalUrl) throw new CaseFailure(`discovery: no current-user-principal found (${tried.join('; ')})`);
  const res = await session.request('PROPFIND', principalUrl, { headers: { Depth: '0', ...XML_HEADERS }, body: propfindBody(['C:calendar-home-set']) });
  expectStatus(res, 207, 'discovery: PROPFIND calendar-home-set on the principal');
  const ms = parseMultistatus(res.text, principalUrl, 'discovery PROPFIND calendar-home-set');
  const href = childOf(okProp(ms.responses[0], CALDAV, 'calendar-home-set'), DAV, 'href')?.text.trim();
  if (!href) throw new CaseFailure(`discovery: the principal ${principalUrl} has no calendar-home-set: ${snippet(res.text)}`);
  let homeUrl = new URL(href, principalUrl).href;
  if (!homeUrl.endsWith('/')) homeUrl += '/';
  return { principalUrl, homeUrl };
}

export interface CreatedObject {
  url: string;
  /** From the PUT's ETag header, or a PROPFIND when the server left it out (iCloud does, dossier §5). */
  etag: string;
  /** Whether the PUT answered with an ETag header. */
  etagHeader: boolean;
}

/** The handle a case runs with. */
export class CaseContext {
  private readonly scratchUrls: string[] = [];

  constructor(readonly session: Session) {}

  get profile(): Profile {
    return this.session.profile;
  }

  get address(): TargetAddress {
    return this.session.address;
  }

  request(method: string, url: string, options: RequestOptions = {}): Promise<HttpResult> {
    return this.session.request(method, url, options);
  }

  discover(): Promise<Discovery> {
    return this.session.discover();
  }

  uniqueName(prefix?: string): string {
    return this.session.nextName(prefix);
  }

  /** A calendar URL in the home that does not exist yet, and is deleted after the case if it comes to. */
  async freshCalendarUrl(): Promise<string> {
    const { homeUrl } = await this.discover();
    const url = `${homeUrl}${encodeURIComponent(this.uniqueName())}/`;
    this.scratchUrls.push(url);
    return url;
  }

  /** MKCALENDAR of a uniquely named VEVENT calendar (unless `components` says otherwise); deleted after the case. */
  async scratchCalendar(options: { components?: string[] | null; displayName?: string } = {}): Promise<string> {
    const url = await this.freshCalendarUrl();
    const components = options.components === null ? undefined : (options.components ?? ['VEVENT']);
    const res = await this.request('MKCALENDAR', url, { headers: XML_HEADERS, body: mkcalendarBody({ displayName: options.displayName ?? `Conformance ${url.split('/').at(-2)}`, components }) });
    expectStatus(res, 201, 'set-up: MKCALENDAR of a scratch calendar');
    return url;
  }

  async propfind(url: string, depth: '0' | '1' | 'infinity', props: string[], what = `PROPFIND Depth ${depth} ${url}`): Promise<{ res: HttpResult; ms: Multistatus }> {
    const res = await this.request('PROPFIND', url, { headers: { Depth: depth, ...XML_HEADERS }, body: propfindBody(props) });
    expectStatus(res, 207, what);
    return { res, ms: parseMultistatus(res.text, url, what) };
  }

  async report(url: string, body: string, depth: '0' | '1', what: string): Promise<{ res: HttpResult; ms: Multistatus }> {
    const res = await this.request('REPORT', url, { headers: { Depth: depth, ...XML_HEADERS }, body });
    expectStatus(res, 207, what);
    return { res, ms: parseMultistatus(res.text, url, what) };
  }

  put(url: string, ics: string, headers: Record<string, string> = {}): Promise<HttpResult> {
    return this.request('PUT', url, { headers: { ...ICS_HEADERS, ...headers }, body: ics });
  }

  /** PUT a new object (with `If-None-Match: *`), expecting success. */
  async createObject(calendarUrl: string, name: string, ics: string): Promise<CreatedObject> {
    const url = `${calendarUrl}${encodeURIComponent(name)}`;
    const res = await this.put(url, ics, { 'If-None-Match': '*' });
    expectStatus(res, SUCCESS, `set-up: PUT ${name}`);
    const header = res.headers.get('etag');
    return { url, etag: header ?? (await this.etagOf(url)), etagHeader: header !== null };
  }

  async etagOf(url: string): Promise<string> {
    const { ms } = await this.propfind(url, '0', ['D:getetag'], `PROPFIND getetag of ${url}`);
    const etag = okProp(responseFor(ms, pathOf(url, url)) ?? ms.responses[0], DAV, 'getetag')?.text.trim();
    check(etag, `PROPFIND ${url}: no getetag in the answer`);
    return etag;
  }

  /** Deletes the case's scratch calendars; returns those that could not be deleted. */
  async cleanup(): Promise<string[]> {
    const leftovers: string[] = [];
    for (const url of this.scratchUrls.splice(0)) {
      try {
        const res = await this.request('DELETE', url);
        if (!(res.status >= 200 && res.status < 300) && res.status !== 404) leftovers.push(`${url} (DELETE → ${res.status})`);
      } catch (error) {
        leftovers.push(`${url} (${(error as Error).message})`);
      }
    }
    return leftovers;
  }
}
