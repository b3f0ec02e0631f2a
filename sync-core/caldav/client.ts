/**
 * The sync core's CalDAV client: tsdav underneath, with what tsdav leaves to its users (sync-anchors
 * §3.1 "gaps") filled in: typed 401/503 errors with Retry-After, invalid-token detection (iCloud's
 * bare 403), 507 truncation, the collection-self response filtered out, ETags read back when a PUT
 * answer omits them, and a timeout on every request.
 */
import { createAccount, createObject, davRequest, deleteObject, getBasicAuthHeaders, getDAVAttribute, propfind, syncCollection, updateObject, type DAVResponse } from 'tsdav';
import { AuthRefusedError, DiscoveryError, InvalidSyncTokenError, ServiceUnavailableError, UnexpectedResponseError } from './errors.js';

export interface CalDavClientOptions {
  /** The gateway, e.g. https://caldav.icloud.com/ (or the mock's gatewayUrl). */
  serverUrl: string;
  appleId: string;
  password: string;
  /** Injected for tests and proxies; default: global fetch. */
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Sent as User-Agent: names the product, and the worker when several share a database. */
  userAgent?: string;
}

export type CalendarAccess = 'writable' | 'read-only' | 'subscribed';

export interface RemoteCalendarInfo {
  url: string;
  displayName: string;
  /** VEVENT or VTODO (one per iCloud calendar); undefined for non-calendar collections. */
  components: string[];
  access: CalendarAccess;
  /** Inbox, outbox, notification: listed by iCloud, never offered to users. */
  kind: 'calendar' | 'subscribed' | 'scheduling' | 'other';
  /** Another account's calendar shared with this one (CS:shared in its resource type). */
  shared: boolean;
  source?: string;
  ctag?: string;
  syncToken?: string;
}

export interface RemoteRef {
  href: string;
  etag?: string;
}

export interface ChangePage {
  changed: RemoteRef[];
  deleted: string[];
  token: string;
  /** RFC 6578 §3.6: more changes follow; ask again with `token`. */
  truncated: boolean;
}

export interface RemoteObject {
  href: string;
  etag?: string;
  data: string;
}

export type PutOutcome = { kind: 'written'; created: boolean; etag?: string } | { kind: 'precondition-failed' };
export type DeleteOutcome = 'deleted' | 'not-found' | 'precondition-failed';

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export class CalDavClient {
  private readonly headers: Record<string, string>;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: CalDavClientOptions) {
    this.headers = { ...getBasicAuthHeaders({ username: options.appleId, password: options.password }), 'User-Agent': options.userAgent ?? 'icloud-sync/0.1' };
    this.fetchFn = this.guardedFetch.bind(this);
  }

  /**
   * iCloud moves accounts between partitions: the old host answers 301/308 to the new one. fetch
   * would follow without the Authorization header (it drops it across origins) and the 401 would
   * look like a revoked password (C1). Redirects to another host of the same service (same
   * domain below the first label, or loopback to loopback) are followed here, with the request as
   * it was, credentials included; any other redirect is answered as it came.
   */
  private async followingMoves(input: string | URL | Request, init: RequestInit): Promise<Response> {
    const send = this.options.fetch ?? fetch;
    let url = String(input instanceof Request ? input.url : input);
    for (let hop = 0; ; hop++) {
      const response = await send(url, { ...init, redirect: 'manual' });
      const location = response.headers.get('location');
      if (![301, 302, 307, 308].includes(response.status) || !location || hop >= 3) return response;
      const next = new URL(location, url);
      if (!sameService(new URL(url), next)) return response;
      await response.body?.cancel();
      url = next.href;
    }
  }

  /** Every request goes through here: timeout, typed auth and availability errors. */
  private async guardedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    let response: Response;
    try {
      response = await this.followingMoves(input, { ...init, signal: timeout });
    } catch (error) {
      throw new ServiceUnavailableError('network', undefined, `${init?.method ?? 'GET'} ${String(input)} failed: ${(error as Error).message}`);
    }
    if (response.status === 401) {
      await response.body?.cancel();
      throw new AuthRefusedError(this.options.appleId);
    }
    if (RETRYABLE.has(response.status)) {
      await response.body?.cancel();
      throw new ServiceUnavailableError(response.status, parseRetryAfter(response.headers.get('retry-after')), '');
    }
    return response;
  }

  /** RFC 6764 discovery through the gateway: principal, then the (partition) calendar home. */
  async discover(): Promise<{ rootUrl: string; principalUrl: string; homeUrl: string }> {
    try {
      const account = await createAccount({
        account: { serverUrl: this.options.serverUrl, accountType: 'caldav' },
        headers: this.headers,
        fetch: this.fetchFn,
      });
      if (!account.homeUrl || !account.principalUrl || !account.rootUrl) throw new DiscoveryError('no calendar home found');
      return { rootUrl: account.rootUrl, principalUrl: account.principalUrl, homeUrl: account.homeUrl };
    } catch (error) {
      if (error instanceof AuthRefusedError || error instanceof ServiceUnavailableError) throw error;
      throw new DiscoveryError(`could not find an iCloud calendar home at ${this.options.serverUrl}: ${(error as Error).message}. Check the server URL (iCloud: https://caldav.icloud.com/)`);
    }
  }

  /** Every collection in the home with what it is and whether this account may write to it. */
  async listCalendars(homeUrl: string): Promise<RemoteCalendarInfo[]> {
    const responses = await propfind({
      url: homeUrl,
      depth: '1',
      props: {
        'd:resourcetype': {},
        'd:displayname': {},
        'd:current-user-privilege-set': {},
        'c:supported-calendar-component-set': {},
        'cs:getctag': {},
        'd:sync-token': {},
        'cs:source': {},
      },
      headers: this.headers,
      fetch: this.fetchFn,
    });
    this.expectMultistatus('PROPFIND', homeUrl, responses);
    const out: RemoteCalendarInfo[] = [];
    for (const r of responses) {
      if (!r.href) continue;
      const url = new URL(r.href, homeUrl).href;
      if (sameCollection(url, homeUrl)) continue;
      const types = Object.keys(r.props?.resourcetype ?? {});
      const privileges = JSON.stringify(r.props?.currentUserPrivilegeSet ?? {});
      const writable = /"(write|writeContent|bind|all)"/.test(privileges);
      const kind: RemoteCalendarInfo['kind'] = types.includes('subscribed')
        ? 'subscribed'
        : types.includes('calendar')
          ? 'calendar'
          : types.some((t) => t === 'scheduleInbox' || t === 'scheduleOutbox' || t === 'notification')
            ? 'scheduling'
            : 'other';
      out.push({
        url,
        displayName: textOf(r.props?.displayname) || url,
        components: componentNames(r.props?.supportedCalendarComponentSet),
        access: kind === 'subscribed' ? 'subscribed' : writable ? 'writable' : 'read-only',
        kind,
        shared: types.includes('shared'),
        source: textOf(r.props?.source?.href) || undefined,
        ctag: textOf(r.props?.getctag) || undefined,
        syncToken: textOf(r.props?.syncToken) || undefined,
      });
    }
    return out;
  }

  /** One page of RFC 6578 changes; `token` null asks for everything. */
  async syncChanges(calendarUrl: string, token: string | null): Promise<ChangePage> {
    const responses = await syncCollection({
      url: calendarUrl,
      props: { 'd:getetag': {} },
      syncLevel: 1,
      syncToken: token ?? '',
      headers: this.headers,
      fetch: this.fetchFn,
    });
    const first = responses[0];
    if (responses.length === 1 && first && !first.raw?.multistatus && (first.status === 403 || first.status === 409 || first.status === 410)) {
      throw new InvalidSyncTokenError(calendarUrl);
    }
    if (responses.length === 1 && first && first.status !== undefined && first.status >= 400 && !first.raw?.multistatus) {
      throw new UnexpectedResponseError('REPORT sync-collection', calendarUrl, first.status);
    }
    const rawToken = (first?.raw as { multistatus?: { syncToken?: unknown } } | undefined)?.multistatus?.syncToken;
    const newToken = textOf(rawToken);
    const page: ChangePage = { changed: [], deleted: [], token: newToken, truncated: false };
    for (const r of responses) {
      if (!r.href) continue;
      const url = new URL(r.href, calendarUrl).href;
      if (sameCollection(url, calendarUrl)) {
        if (r.status === 507) page.truncated = true; // iCloud's collection-self response, or RFC 6578 truncation
        continue;
      }
      if (r.status === 404) page.deleted.push(url);
      else page.changed.push({ href: url, etag: textOf(r.props?.getetag) || undefined });
    }
    if (!newToken) throw new UnexpectedResponseError('REPORT sync-collection', calendarUrl, 207, 'the answer carries no sync-token');
    return page;
  }

  /** Full listing (PROPFIND Depth: 1) of hrefs and etags: the fallback when a token is refused. */
  async listObjects(calendarUrl: string): Promise<RemoteRef[]> {
    const responses = await propfind({ url: calendarUrl, depth: '1', props: { 'd:getetag': {}, 'd:resourcetype': {} }, headers: this.headers, fetch: this.fetchFn });
    this.expectMultistatus('PROPFIND', calendarUrl, responses);
    return responses
      .filter((r) => r.href && !sameCollection(new URL(r.href, calendarUrl).href, calendarUrl))
      .map((r) => ({ href: new URL(r.href!, calendarUrl).href, etag: textOf(r.props?.getetag) || undefined }));
  }

  /**
   * calendar-multiget in batches; an href iCloud answers 404 for (eventual consistency) maps to null.
   * tsdav's calendarMultiGet throws on the first per-href 404, so the same request goes through
   * its davRequest, which hands back every response.
   */
  async multiget(calendarUrl: string, hrefs: string[], batchSize = 50): Promise<Map<string, RemoteObject | null>> {
    const result = new Map<string, RemoteObject | null>();
    for (let i = 0; i < hrefs.length; i += batchSize) {
      const batch = hrefs.slice(i, i + batchSize);
      const responses = await this.calendarReport(calendarUrl, 'calendar-multiget', { 'd:href': batch.map((h) => new URL(h).pathname) });
      for (const r of responses) {
        if (!r.href) continue;
        const url = new URL(r.href, calendarUrl).href;
        result.set(url, r.status === 404 ? null : (objectOf(r, calendarUrl) ?? null));
      }
      for (const h of batch) if (!result.has(h)) result.set(h, null);
    }
    return result;
  }

  /**
   * The objects of a calendar with this UID (a calendar-query on the UID property, RFC 4791
   * §9.7.5): how the engine finds an event the iPhone moved to another calendar (D8).
   */
  async findByUid(calendarUrl: string, uid: string): Promise<RemoteObject[]> {
    const responses = await this.calendarReport(calendarUrl, 'calendar-query', {
      'c:filter': {
        'c:comp-filter': {
          _attributes: { name: 'VCALENDAR' },
          'c:comp-filter': {
            _attributes: { name: 'VEVENT' },
            'c:prop-filter': { _attributes: { name: 'UID' }, 'c:text-match': { _attributes: { collation: 'i;octet' }, _text: uid } },
          },
        },
      },
    });
    return responses.filter((r) => r.status !== 404).flatMap((r) => objectOf(r, calendarUrl) ?? []);
  }

  /** A REPORT on a calendar asking for each object's etag and data (tsdav's davRequest hands back every response, 404s included). */
  private async calendarReport(calendarUrl: string, report: 'calendar-multiget' | 'calendar-query', rest: Record<string, unknown>): Promise<DAVResponse[]> {
    const responses = await davRequest({
      url: calendarUrl,
      init: {
        method: 'REPORT',
        headers: { ...this.headers, depth: '1' },
        namespace: 'c',
        body: {
          [report]: {
            _attributes: getDAVAttribute(['DAV:', 'urn:ietf:params:xml:ns:caldav'] as never),
            'd:prop': { 'd:getetag': {}, 'c:calendar-data': {} },
            ...rest,
          },
        },
      },
      fetch: this.fetchFn,
    });
    this.expectMultistatus(`REPORT ${report}`, calendarUrl, responses);
    return responses;
  }

  async get(href: string): Promise<RemoteObject | null> {
    const res = await this.fetchFn(href, { method: 'GET', headers: this.headers });
    if (res.status === 404) return null;
    if (!res.ok) throw new UnexpectedResponseError('GET', href, res.status);
    return { href, etag: res.headers.get('etag') ?? undefined, data: await res.text() };
  }

  /** PUT a calendar object: `create` sends If-None-Match: *, otherwise If-Match with `etag`. */
  async put(href: string, data: string, condition: { create: true } | { etag: string }): Promise<PutOutcome> {
    const headers = { ...this.headers, 'Content-Type': 'text/calendar; charset=utf-8' };
    const res =
      'create' in condition
        ? await createObject({ url: href, data, headers: { ...headers, 'If-None-Match': '*' }, fetch: this.fetchFn })
        : await updateObject({ url: href, data, etag: condition.etag, headers, fetch: this.fetchFn });
    await res.body?.cancel();
    if (res.status === 412) return { kind: 'precondition-failed' };
    if (!res.ok) throw new UnexpectedResponseError('PUT', href, res.status, res.status === 403 ? 'iCloud refused the event (read-only calendar, or content it does not accept)' : '');
    // iCloud sometimes omits the ETag (dossier §5): ask for it, as tsdav's maintainer advises.
    const etag = res.headers.get('etag') ?? (await this.etagOf(href));
    return { kind: 'written', created: res.status === 201, etag };
  }

  async delete(href: string, etag?: string): Promise<DeleteOutcome> {
    const res = await deleteObject({ url: href, etag, headers: this.headers, fetch: this.fetchFn });
    await res.body?.cancel();
    if (res.status === 404) return 'not-found';
    if (res.status === 412) return 'precondition-failed';
    if (!res.ok) throw new UnexpectedResponseError('DELETE', href, res.status);
    return 'deleted';
  }

  async etagOf(href: string): Promise<string | undefined> {
    const [r] = await propfind({ url: href, depth: '0', props: { 'd:getetag': {} }, headers: this.headers, fetch: this.fetchFn });
    return textOf(r?.props?.getetag) || undefined;
  }

  private expectMultistatus(method: string, url: string, responses: DAVResponse[]): void {
    const only = responses[0];
    if (responses.length === 1 && only && !only.raw?.multistatus && only.status !== undefined && only.status >= 300) {
      throw new UnexpectedResponseError(method, url, only.status);
    }
  }
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function sameCollection(a: string, b: string): boolean {
  const norm = (u: string) => decodeURIComponent(new URL(u).pathname).replace(/\/+$/, '');
  return norm(a) === norm(b);
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && value !== null) {
    const v = value as { _cdata?: unknown; _text?: unknown };
    if (v._cdata !== undefined) return String(v._cdata);
    if (v._text !== undefined) return String(v._text);
  }
  return '';
}

/** A response carrying calendar data as a RemoteObject; undefined without an href or data. */
function objectOf(r: DAVResponse, calendarUrl: string): RemoteObject | undefined {
  const data = calendarData(r);
  if (!r.href || data === undefined) return undefined;
  return { href: new URL(r.href, calendarUrl).href, etag: textOf(r.props?.getetag) || undefined, data };
}

function calendarData(r: DAVResponse): string | undefined {
  const raw = r.props?.calendarData;
  const text = textOf(raw);
  return text === '' ? undefined : text;
}

function componentNames(set: unknown): string[] {
  const comp = (set as { comp?: unknown } | undefined)?.comp;
  const list = Array.isArray(comp) ? comp : comp ? [comp] : [];
  return list.map((c) => (c as { _attributes?: { name?: string } })._attributes?.name).filter((n): n is string => typeof n === 'string');
}

/** Hosts of one service: p44-caldav.icloud.com and p62-caldav.icloud.com; 127.0.0.1 and localhost. */
function sameService(from: URL, to: URL): boolean {
  const loopback = (h: string) => h === 'localhost' || h === '[::1]' || h.startsWith('127.');
  if (loopback(from.hostname) && loopback(to.hostname)) return true;
  const parent = (h: string) => h.split('.').slice(1).join('.');
  return from.protocol === to.protocol && parent(from.hostname) !== '' && parent(from.hostname) === parent(to.hostname);
}
