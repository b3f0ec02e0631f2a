/**
 * The sync core's CalDAV client: tsdav underneath, with what tsdav leaves to its users (sync-anchors
 * §3.1 "gaps") filled in: typed 401/503 errors with Retry-After, invalid-token detection (iCloud's
 * bare 403), 507 truncation, the collection-self response filtered out, ETags read back when a PUT
 * answer omits them, and a timeout on every request.
 */
import { createAccount, createObject, deleteObject, getBasicAuthHeaders, propfind, updateObject } from 'tsdav';
import { keepAliveFetch } from './keep-alive.js';
import { fetchExchange, fetchSend, undiciSend, type Exchange, type Outgoing, type Send, type SendLimits } from './transport.js';
import { MultistatusParser, type DavResponse, type Multistatus } from './multistatus.js';
import { HrefResolver } from './hrefs.js';
import { AuthRefusedError, DiscoveryError, InvalidSyncTokenError, ServiceUnavailableError, TooManyMatchesError, UnexpectedResponseError } from './errors.js';

export interface CalDavClientOptions {
  /** The gateway, e.g. https://caldav.icloud.com/ (or the mock's gatewayUrl). */
  serverUrl: string;
  appleId: string;
  password: string;
  /** Injected for tests and proxies; default: undici on a keep-alive pool (transport.ts). */
  fetch?: typeof fetch;
  /** How long to wait for an answer's headers, and for each part of its body (default 30 s). */
  timeoutMs?: number;
  /** Bytes an answer may have (default 256 MiB; a 100,000-event listing is about 20 MB). */
  maxAnswerBytes?: number;
  /** Sent as User-Agent: names the product, and the worker when several share a database. */
  userAgent?: string;
  /**
   * Once aborted, no further request is sent: each throws the signal's reason instead (a worker's
   * run whose lease was lost, stop-signal.ts). A request already sent finishes.
   */
  stop?: AbortSignal;
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

/**
 * Hrefs per calendar-multiget. CalendarServer (iCloud's ancestor) takes up to 5,000 (fidelity row
 * 19); DAVx5 asks 20 at a time. Each request costs both sides a fixed amount (headers,
 * authentication, a parse started and finished): at 100, a 10,000-event first sync made 100 of
 * them and the mock spent a fifth more CPU serving it than at 500. An answer refused as too large
 * (403 number-of-matches-within-limits, events with big descriptions or attachments) is asked
 * again in halves, and the rest of the listing at the size that passed (multigetPages).
 */
export const MULTIGET_BATCH = 500;

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export class CalDavClient {
  private readonly headers: Record<string, string>;
  /** For tsdav's calls. */
  private readonly fetchFn: typeof fetch;
  /** For the requests the client reads itself: undici's dispatcher, or the caller's fetch. */
  private readonly send: Send;
  private readonly limits: SendLimits;

  constructor(private readonly options: CalDavClientOptions) {
    this.headers = { ...getBasicAuthHeaders({ username: options.appleId, password: options.password }), 'User-Agent': options.userAgent ?? 'icloud-sync/0.1' };
    this.limits = { timeoutMs: options.timeoutMs ?? 30_000, maxAnswerBytes: options.maxAnswerBytes ?? 256 * 1024 * 1024 };
    this.fetchFn = this.guardedFetch.bind(this);
    this.send = options.fetch ? fetchSend(options.fetch, this.limits) : undiciSend(this.limits);
  }

  /**
   * Every request goes through here: partition moves followed, network failures, 401 and the
   * retryable statuses turned into typed errors. `send` sends one hop.
   *
   * iCloud moves accounts between partitions: the old host answers 301/308 to the new one. fetch
   * would follow without the Authorization header (it drops it across origins) and the 401 would
   * look like a revoked password (C1). Redirects to another host of the same service (same
   * domain below the first label, or loopback to loopback) are followed here, with the request as
   * it was, credentials included; any other redirect is answered as it came.
   */
  private async guarded<E extends Exchange>(method: string, url: string, send: (url: string) => Promise<E>): Promise<E> {
    this.options.stop?.throwIfAborted();
    let answer: E;
    try {
      for (let hop = 0; ; hop++) {
        answer = await send(url);
        const location = answer.header('location');
        if (![301, 302, 307, 308].includes(answer.status) || !location || hop >= 3) break;
        const next = new URL(location, url);
        if (!sameService(new URL(url), next)) break;
        await answer.discard();
        url = next.href;
      }
    } catch (error) {
      throw new ServiceUnavailableError('network', undefined, `${method} ${url} failed: ${(error as Error).message}`);
    }
    if (answer.status === 401) {
      await answer.discard();
      throw new AuthRefusedError(this.options.appleId);
    }
    if (RETRYABLE.has(answer.status)) {
      await answer.discard();
      throw new ServiceUnavailableError(answer.status, parseRetryAfter(answer.header('retry-after')), '');
    }
    return answer;
  }

  /** A request the client reads itself (REPORT, GET), on the cheapest transport available. */
  private request(url: string, request: Outgoing): Promise<Exchange> {
    return this.guarded(request.method, url, (hop) => this.send(hop, request));
  }

  /** The fetch handed to tsdav's calls, with the same guards. */
  private async guardedFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    const url = String(input instanceof Request ? input.url : input);
    const signal = AbortSignal.timeout(this.limits.timeoutMs);
    const fetchFn = this.options.fetch ?? keepAliveFetch;
    const answer = await this.guarded(init.method ?? 'GET', url, async (hop) => fetchExchange(await fetchFn(hop, { ...init, redirect: 'manual', signal }), this.limits.maxAnswerBytes));
    return answer.response;
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
    const hrefs = new HrefResolver(homeUrl);
    for (const r of responses) {
      if (!r.href) continue;
      const url = hrefs.resolve(r.href);
      if (hrefs.isBase(url)) continue;
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
    const body = `<d:sync-collection xmlns:d="DAV:"><d:sync-token>${escapeXml(token ?? '')}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
    const answer = await this.report(calendarUrl, body);
    if (!answer.multistatus) {
      if (answer.status === 403 || answer.status === 409 || answer.status === 410) throw new InvalidSyncTokenError(calendarUrl);
      throw new UnexpectedResponseError('REPORT sync-collection', calendarUrl, answer.status);
    }
    const page: ChangePage = { changed: [], deleted: [], token: answer.multistatus.syncToken ?? '', truncated: false };
    const hrefs = new HrefResolver(calendarUrl);
    for (const r of answer.multistatus.responses) {
      const url = hrefs.resolve(r.href);
      if (hrefs.isBase(url)) {
        if (r.status === 507) page.truncated = true; // iCloud's collection-self response, or RFC 6578 truncation
        continue;
      }
      if (r.status === 404) page.deleted.push(url);
      else page.changed.push({ href: url, etag: r.props.getetag || undefined });
    }
    if (!page.token) throw new UnexpectedResponseError('REPORT sync-collection', calendarUrl, 207, 'the answer carries no sync-token');
    return page;
  }

  /**
   * A REPORT whose answer is read with MultistatusParser (multistatus.ts says why these do not go
   * through tsdav; readMultistatus below, how). `multistatus` is set for a 207 with an XML body.
   */
  private async report(url: string, body: string, depth?: '0' | '1'): Promise<{ status: number; multistatus?: Multistatus; body?: string }> {
    const headers: Record<string, string> = { ...this.headers, 'Content-Type': 'text/xml; charset=utf-8' };
    if (depth) headers.Depth = depth;
    const res = await this.request(url, { method: 'REPORT', headers, body: `<?xml version="1.0" encoding="utf-8"?>\n${body}` });
    if (res.status !== 207 || !res.header('content-type')?.toLowerCase().includes('xml')) {
      return { status: res.status, body: await bodyOf(res, 'REPORT', url) };
    }
    return { status: res.status, multistatus: await readMultistatus(res, url) };
  }

  /**
   * calendar-multiget page by page, in order, with the next `ahead` requests already in flight: the
   * server prepares the next page while the caller applies this one. Each page maps its hrefs, in
   * the order asked, to the object or null.
   *
   * A page the server refuses as too large (TooManyMatchesError: events with big descriptions or
   * attachments) is asked again in pieces of half the size, and every later page at the size that
   * passed: a calendar of big events costs a few refusals, not one per page. Only an object
   * refused alone fails the listing.
   */
  async *multigetPages(calendarUrl: string, hrefs: readonly string[], options: { batchSize?: number; ahead?: number } = {}): AsyncGenerator<Map<string, RemoteObject | null>> {
    const fit = { size: options.batchSize ?? MULTIGET_BATCH };
    let next = 0;
    const inFlight: Promise<Map<string, RemoteObject | null>>[] = [];
    const launch = () => {
      const batch = hrefs.slice(next, next + fit.size);
      next += batch.length;
      const request = this.multigetFitting(calendarUrl, batch, fit);
      // Awaited in its turn below; until then its failure must not count as unhandled.
      request.catch(() => undefined);
      inFlight.push(request);
    };
    while (inFlight.length < (options.ahead ?? 2) && next < hrefs.length) launch();
    while (inFlight.length > 0) {
      const page = await inFlight.shift()!;
      if (next < hrefs.length) launch();
      yield page;
    }
  }

  /** One page, in pieces of `fit.size` hrefs; a refused piece halves `fit.size` (never below one) for this page and the ones after it. */
  private async multigetFitting(calendarUrl: string, batch: readonly string[], fit: { size: number }): Promise<Map<string, RemoteObject | null>> {
    const page = new Map<string, RemoteObject | null>();
    for (let at = 0; at < batch.length;) {
      const piece = batch.slice(at, at + fit.size);
      let answered;
      try {
        answered = await this.multigetBatch(calendarUrl, piece);
      } catch (error) {
        if (!(error instanceof TooManyMatchesError) || piece.length === 1) throw error;
        fit.size = Math.min(fit.size, Math.ceil(piece.length / 2));
        continue;
      }
      for (const [href, object] of answered) page.set(href, object);
      at += piece.length;
    }
    return page;
  }

  private async multigetBatch(calendarUrl: string, batch: readonly string[]): Promise<Map<string, RemoteObject | null>> {
    const hrefs = new HrefResolver(calendarUrl);
    const wanted = batch.map((h) => `<d:href>${escapeXml(hrefs.pathOf(h))}</d:href>`).join('');
    const answered = new Map<string, RemoteObject | null>();
    for (const r of await this.calendarReport(calendarUrl, 'calendar-multiget', wanted)) {
      const href = hrefs.resolve(r.href);
      answered.set(href, r.status === 404 ? null : (objectAt(href, r) ?? null));
    }
    return new Map(batch.map((h) => [h, answered.get(h) ?? null]));
  }

  /**
   * The objects of a calendar with this UID (a calendar-query on the UID property, RFC 4791
   * §9.7.5): how the engine finds an event the iPhone moved to another calendar (D8).
   */
  async findByUid(calendarUrl: string, uid: string): Promise<RemoteObject[]> {
    const filter = `<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:prop-filter name="UID"><c:text-match collation="i;octet">${escapeXml(uid)}</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter>`;
    const responses = await this.calendarReport(calendarUrl, 'calendar-query', filter);
    const hrefs = new HrefResolver(calendarUrl);
    return responses.filter((r) => r.status !== 404).flatMap((r) => objectAt(hrefs.resolve(r.href), r) ?? []);
  }

  /** A REPORT on a calendar asking for each object's etag and data; every response comes back, 404s included. */
  private async calendarReport(calendarUrl: string, report: 'calendar-multiget' | 'calendar-query', rest: string): Promise<DavResponse[]> {
    const body = `<c:${report} xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>${rest}</c:${report}>`;
    const answer = await this.report(calendarUrl, body, '1');
    if (!answer.multistatus) {
      if (answer.status === 403 && answer.body?.includes('number-of-matches-within-limits')) throw new TooManyMatchesError(`REPORT ${report}`, calendarUrl);
      throw new UnexpectedResponseError(`REPORT ${report}`, calendarUrl, answer.status);
    }
    return answer.multistatus.responses;
  }

  async get(href: string): Promise<RemoteObject | null> {
    const res = await this.request(href, { method: 'GET', headers: this.headers });
    if (res.status === 404 || res.status < 200 || res.status > 299) {
      await res.discard();
      if (res.status === 404) return null;
      throw new UnexpectedResponseError('GET', href, res.status);
    }
    return { href, etag: res.header('etag') ?? undefined, data: await bodyOf(res, 'GET', href) };
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

  private expectMultistatus(method: string, url: string, responses: Awaited<ReturnType<typeof propfind>>): void {
    const only = responses[0];
    if (responses.length === 1 && only && !only.raw?.multistatus && only.status !== undefined && only.status >= 300) {
      throw new UnexpectedResponseError(method, url, only.status);
    }
  }
}

/** Answers up to this size, by their Content-Length, are read whole rather than in pieces. */
const READ_WHOLE_BYTES = 64 * 1024;

/**
 * A REPORT's 207 body as a Multi-Status. A short answer (a quiet poll's) is read whole: reading in
 * pieces costs more per answer than it saves. A long or chunked one is read as it arrives, and
 * refused as soon as it shows itself malformed. A body cut off is a network failure; a malformed
 * one, an UnexpectedResponseError.
 */
async function readMultistatus(res: Exchange, url: string): Promise<Multistatus> {
  const parser = new MultistatusParser();
  const unreadable = (error: unknown) => new UnexpectedResponseError('REPORT', url, res.status, (error as Error).message);
  const length = res.header('content-length');
  if (length !== null && Number(length) <= READ_WHOLE_BYTES) {
    const text = await bodyOf(res, 'REPORT', url);
    try {
      return parser.end(text);
    } catch (error) {
      throw unreadable(error);
    }
  }
  const pieces = res.pieces()[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<string>;
    try {
      next = await pieces.next();
    } catch (error) {
      throw cutOff(error, 'REPORT', url);
    }
    if (next.done) break;
    try {
      parser.write(next.value);
    } catch (error) {
      await pieces.return?.(undefined);
      throw unreadable(error);
    }
  }
  try {
    return parser.end();
  } catch (error) {
    throw unreadable(error);
  }
}

/** An answer's body; one cut off (a stall, the deadline, the size limit) is a failure to retry later. */
async function bodyOf(res: Exchange, method: string, url: string): Promise<string> {
  try {
    return await res.text();
  } catch (error) {
    throw cutOff(error, method, url);
  }
}

function cutOff(error: unknown, method: string, url: string): ServiceUnavailableError {
  return new ServiceUnavailableError('network', undefined, `${method} ${url}: the answer was cut off (${(error as Error).message})`);
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
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

/** A response carrying calendar data as a RemoteObject; undefined without data. */
/** The object a response carries at `href` (its resolved href), if it carries calendar-data. */
function objectAt(href: string, r: DavResponse): RemoteObject | undefined {
  const data = r.props['calendar-data'];
  if (!data) return undefined;
  return { href, etag: r.props.getetag || undefined, data };
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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
