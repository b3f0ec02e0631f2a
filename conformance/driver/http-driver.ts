/**
 * A SyncEngineDriver that talks the HTTP driver protocol (PROTOCOL.md) to an adapter in any
 * language: `icloud-conformance scenarios --driver http://127.0.0.1:P/`. Every answer is checked
 * against the protocol's schema, so an adapter that answers wrongly is told which key of which
 * operation is wrong instead of a scenario failing somewhere later.
 */
import type { z } from 'zod';
import { formatPath } from '../scenarios/zod-issues.js';
import type { CrashPoint, DriverCapability, DriverFactory, DriverOptions, SyncEngineDriver } from './driver.js';
import { capabilitiesAnswer, errorAnswer, OPERATIONS, PREFIX, SESSION, type Answer, type OperationName, type Request } from './http-protocol.js';

/** The engine refused an operation: `code` is the rule-relevant reason the scenario may expect. */
export class DriverError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DriverError';
  }
}

/** The adapter broke the protocol (unreachable, not JSON, a wrong answer): never a scenario's expected error. */
export class DriverProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriverProtocolError';
  }
}

/**
 * How long one operation may take before the run gives up on it: an adapter whose engine hangs
 * would otherwise hold a CI job until the job's own limit, with no word of where. A sync of the
 * largest scenario world takes well under a second here; a slow engine over a slow link gets two
 * minutes.
 */
export const DEFAULT_DRIVER_TIMEOUT_MS = 120_000;

export interface HttpDriverOptions {
  /** Per operation (default DEFAULT_DRIVER_TIMEOUT_MS). */
  timeoutMs?: number;
}

export interface DriverDescription {
  name: string;
  capabilities: ReadonlySet<DriverCapability>;
}

/** Checks a driver URL: an http(s) URL; the base ends in a slash so `v1/…` resolves under it. */
export function driverBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DriverProtocolError(`--driver "${text}" is not a URL (such as http://127.0.0.1:8700/)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DriverProtocolError(`--driver must be an http(s) URL, not ${url.protocol}`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

async function exchange<S extends z.ZodType>(base: URL, method: 'GET' | 'POST', operation: string, body: unknown, answer: S, timeoutMs = DEFAULT_DRIVER_TIMEOUT_MS): Promise<z.output<S>> {
  const url = new URL(`${PREFIX.slice(1)}/${operation}`, base);
  const where = `the driver at ${base.href}: ${method} ${url.pathname}`;
  const signal = AbortSignal.timeout(timeoutMs);
  const late = (error: unknown) => (error as Error).name === 'TimeoutError' && new DriverProtocolError(`${where} did not answer within ${timeoutMs / 1000} s (--driver-timeout)`);
  let response: Response;
  try {
    response = await fetch(url, method === 'GET' ? { signal } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw late(error) || new DriverProtocolError(`cannot reach ${where}: ${cause ?? (error as Error).message}`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw late(error) || new DriverProtocolError(`${where}: the answer was cut off: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DriverProtocolError(`${where} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  if (response.status !== 200) {
    const refused = errorAnswer.safeParse(json);
    if (!refused.success) throw new DriverProtocolError(`${where} answered ${response.status} without { error: { code, message } }: ${text.slice(0, 200)}`);
    const { code, message } = refused.data.error;
    // 4xx from the protocol itself (a request the adapter could not read) is a harness or adapter
    // bug; 422 is the engine's own refusal, which a scenario may expect.
    if (response.status !== 422) throw new DriverProtocolError(`${where} refused the request (${response.status} ${code}): ${message}`);
    throw new DriverError(code, message);
  }
  const parsed = answer.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `answer${formatPath(i.path)}: ${i.message}`).join('; ');
    throw new DriverProtocolError(`${where} answered outside the protocol: ${issues}`);
  }
  return parsed.data;
}

/** Asks the adapter who it is and what it can do (GET /v1/capabilities). */
export async function describeHttpDriver(base: URL, options: HttpDriverOptions = {}): Promise<DriverDescription> {
  const answer = await exchange(base, 'GET', 'capabilities', undefined, capabilitiesAnswer, options.timeoutMs);
  return { name: answer.name, capabilities: new Set(answer.capabilities) };
}

/** A driver factory for the adapter at `url`: each scenario opens its own session (a fresh engine). */
export function httpDriver(url: string | URL, http: HttpDriverOptions = {}): DriverFactory {
  const base = typeof url === 'string' ? driverBaseUrl(url) : url;
  let description: Promise<DriverDescription> | undefined;
  return async (options: DriverOptions) => {
    description ??= describeHttpDriver(base, http);
    const { name, capabilities } = await description;
    const { session } = await exchange(base, 'POST', 'open', { now: options.now, ...(options.window ? { window: options.window } : {}) }, SESSION.open.answer, http.timeoutMs);
    return new HttpDriver(base, session, name, capabilities, http.timeoutMs);
  };
}

export class HttpDriver implements SyncEngineDriver {
  constructor(
    private readonly base: URL,
    private readonly session: string,
    readonly name: string,
    readonly capabilities: ReadonlySet<DriverCapability>,
    private readonly timeoutMs?: number,
  ) {}

  private call<K extends OperationName>(operation: K, request: Omit<Request<K>, 'session'>): Promise<Answer<K>> {
    return exchange(this.base, 'POST', operation, { session: this.session, ...request }, OPERATIONS[operation].answer, this.timeoutMs) as Promise<Answer<K>>;
  }

  async createSubAccount(init: { name: string }) {
    return (await this.call('createSubAccount', init)).id;
  }
  async createUser(init: Parameters<SyncEngineDriver['createUser']>[0]) {
    return (await this.call('createUser', init)).id;
  }
  async createContact(init: Parameters<SyncEngineDriver['createContact']>[0]) {
    return (await this.call('createContact', init)).id;
  }
  async createCalendar(init: Parameters<SyncEngineDriver['createCalendar']>[0]) {
    const { id, slotMinutes } = await this.call('createCalendar', init as Omit<Request<'createCalendar'>, 'session'>);
    return { id, slotMinutes };
  }
  async setClock(epochMs: number) {
    await this.call('setClock', { now: epochMs });
  }

  async connect(init: Parameters<SyncEngineDriver['connect']>[0]) {
    return (await this.call('connect', init)).id;
  }
  async reconnect(connectionId: string, appPassword: string) {
    await this.call('reconnect', { connectionId, appPassword });
  }
  async refreshCalendars(connectionId: string) {
    await this.call('refreshCalendars', { connectionId });
  }
  async chooseCalendars(connectionId: string, choice: { linked?: string | null; conflict?: string[] }) {
    await this.call('chooseCalendars', { connectionId, ...choice });
  }
  async disconnect(connectionId: string) {
    await this.call('disconnect', { connectionId });
  }
  async setSyncPreferences(connectionId: string, preferences: Record<string, unknown>) {
    await this.call('setSyncPreferences', { connectionId, preferences });
  }
  async enableICloudSync(calendarId: string) {
    await this.call('enableICloudSync', { calendarId });
  }

  async book(init: Parameters<SyncEngineDriver['book']>[0]) {
    return (await this.call('book', init)).id;
  }
  async reschedule(eventId: string, start: number) {
    await this.call('reschedule', { eventId, start });
  }
  async update(eventId: string, patch: Parameters<SyncEngineDriver['update']>[1]) {
    await this.call('update', { eventId, patch });
  }
  async cancel(eventId: string) {
    await this.call('cancel', { eventId });
  }
  async deleteEvent(eventId: string) {
    await this.call('deleteEvent', { eventId });
  }
  async blockTime(init: Parameters<SyncEngineDriver['blockTime']>[0]) {
    return (await this.call('blockTime', init)).id;
  }
  async updateSlot(eventId: string, patch: Parameters<SyncEngineDriver['updateSlot']>[1]) {
    await this.call('updateSlot', { eventId, patch });
  }
  async deleteSlot(eventId: string) {
    await this.call('deleteSlot', { eventId });
  }

  async sync(connectionId: string, crash: CrashPoint = {}) {
    return (await this.call('sync', { connectionId, ...crash })).report;
  }
  async poll() {
    return (await this.call('poll', {})).reports;
  }

  async events(userId: string, options: { includeDeleted?: boolean } = {}) {
    return (await this.call('events', { userId, ...options })).events;
  }
  async busy(userId: string, range: { start: number; end: number }) {
    return (await this.call('busy', { userId, ...range })).events;
  }
  async freeSlots(userId: string, range: { start: number; end: number }, minutes: number) {
    return (await this.call('freeSlots', { userId, ...range, minutes })).slots;
  }
  async offeredSlots(calendarId: string, range: { start: number; end: number }) {
    return (await this.call('offeredSlots', { calendarId, ...range })).slots;
  }
  async contacts(subAccountId: string) {
    return (await this.call('contacts', { subAccountId })).contacts;
  }
  async connection(userId: string) {
    return (await this.call('connection', { userId })).connection ?? undefined;
  }
  async offeredCalendars(connectionId: string) {
    return (await this.call('offeredCalendars', { connectionId })).calendars;
  }
  async conflicts(connectionId?: string) {
    return (await this.call('conflicts', connectionId === undefined ? {} : { connectionId })).conflicts;
  }
  async lastReport(connectionId: string) {
    return (await this.call('lastReport', { connectionId })).report ?? undefined;
  }
  async icloudUid(eventId: string) {
    return (await this.call('icloudUid', { eventId })).uid;
  }

  async close() {
    await exchange(this.base, 'POST', 'close', { session: this.session }, SESSION.close.answer, this.timeoutMs);
  }
}
