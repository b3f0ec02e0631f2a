/**
 * The control plane over HTTP (`/__mock/` on the gateway), for a mock in another process or a
 * container: the same operations as `mock.control`, as promises. Used by the testcontainers module;
 * usable against any running `mock-icloud`.
 *
 * @example
 * ```ts
 * const control = new MockICloudControlClient('http://127.0.0.1:8443/');
 * await control.putEvent('alice@example.com', 'work', { ics });      // as if on an iPhone
 * await control.addFault({ kind: 'unavailable', retryAfter: 30, count: 1 });
 * ```
 */
import type { AccountSpec, CalendarSpec, CalendarSummary, EventWriteResult } from './control/control.js';
import type { Fault, FaultSpec } from './control/faults.js';
import type { JournalEntry, JournalQuery } from './control/journal.js';
import type { Invitation, InvitationQuery } from './scheduling/sink.js';
import type { Account, CalendarObject, ShareAccess } from './store/model.js';
import type { World } from './world/schema.js';

/** A control route answered with an error status; `message` is the mock's own explanation. */
export class MockICloudControlError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'MockICloudControlError';
  }
}

export interface MockHealth {
  ok: boolean;
  accounts: number;
  heapUsedBytes: number;
  rssBytes: number;
}

export interface MockICloudControlClientOptions {
  /** The mock's control token, sent as `Authorization: Bearer <token>` (a mock bound beyond loopback needs one). */
  token?: string;
}

export class MockICloudControlClient {
  private readonly base: string;
  private readonly token?: string;

  /** `gatewayUrl`: the mock's gateway URL (`http://127.0.0.1:8443/`); requests go to `<gatewayUrl>__mock/…`. */
  constructor(gatewayUrl: string, options: MockICloudControlClientOptions = {}) {
    this.base = new URL('__mock/', gatewayUrl.endsWith('/') ? gatewayUrl : `${gatewayUrl}/`).href;
    this.token = options.token;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token !== undefined) headers.Authorization = `Bearer ${this.token}`;
    const init: RequestInit = { method, headers };
    // The control plane refuses a POST/PUT/PATCH that does not say JSON (a cross-site form could
    // send it otherwise), so writes without a body send {} as JSON.
    const payload = body ?? (method === 'POST' || method === 'PUT' || method === 'PATCH' ? {} : undefined);
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(payload);
    }
    const res = await fetch(new URL(path, this.base), init);
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // not JSON
      }
      throw new MockICloudControlError(`${method} /__mock/${path}: ${res.status} ${message}`, res.status);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private static seg(value: string): string {
    return encodeURIComponent(value);
  }

  health(): Promise<MockHealth> {
    return this.call('GET', 'health');
  }
  /** Back to the loaded world; clears journal and faults. */
  reset(): Promise<void> {
    return this.call('POST', 'reset');
  }
  exportWorld(): Promise<World> {
    return this.call('GET', 'world');
  }
  importWorld(world: World): Promise<void> {
    return this.call('PUT', 'world', world);
  }

  listAccounts(): Promise<Account[]> {
    return this.call('GET', 'accounts');
  }
  getAccount(appleId: string): Promise<Account> {
    return this.call('GET', `accounts/${MockICloudControlClient.seg(appleId)}`);
  }
  createAccount(spec: AccountSpec): Promise<Account> {
    return this.call('POST', 'accounts', spec);
  }
  setTwoFactor(appleId: string, twoFactor: boolean): Promise<Account> {
    return this.call('PATCH', `accounts/${MockICloudControlClient.seg(appleId)}`, { twoFactor });
  }
  issueAppPassword(appleId: string, options: { label?: string; password?: string } = {}): Promise<{ password: string; label: string }> {
    return this.call('POST', `accounts/${MockICloudControlClient.seg(appleId)}/app-passwords`, options);
  }
  /** iCloud moves the account to another partition host (home-set changes; the old host 301s). */
  moveAccount(appleId: string, to: { partition?: number } = {}): Promise<Account> {
    return this.call('POST', `accounts/${MockICloudControlClient.seg(appleId)}/move`, to);
  }
  /** The account's VTODO lists leave CalDAV (new Reminders); the names removed. */
  async upgradeReminders(appleId: string): Promise<string[]> {
    return (await this.call<{ removed: string[] }>('POST', `accounts/${MockICloudControlClient.seg(appleId)}/upgrade-reminders`)).removed;
  }
  revokeAppPassword(appleId: string, password: string): Promise<void> {
    return this.call('DELETE', `accounts/${MockICloudControlClient.seg(appleId)}/app-passwords/${MockICloudControlClient.seg(password)}`);
  }

  listCalendars(appleId: string): Promise<CalendarSummary[]> {
    return this.call('GET', `accounts/${MockICloudControlClient.seg(appleId)}/calendars`);
  }
  createCalendar(appleId: string, spec: CalendarSpec): Promise<CalendarSummary> {
    return this.call('POST', `accounts/${MockICloudControlClient.seg(appleId)}/calendars`, spec);
  }
  /** `sharee` accepts `owner`'s calendar. */
  shareCalendar(
    sharee: string,
    sharedFrom: { owner: string; calendar: string; access?: ShareAccess },
    options: { name?: string; displayName?: string; color?: string } = {},
  ): Promise<CalendarSummary> {
    return this.call('POST', `accounts/${MockICloudControlClient.seg(sharee)}/calendars`, { ...options, sharedFrom });
  }
  subscribeCalendar(appleId: string, spec: { name: string; displayName: string; source: string; color?: string; order?: number }): Promise<CalendarSummary> {
    const { source, ...rest } = spec;
    return this.call('POST', `accounts/${MockICloudControlClient.seg(appleId)}/calendars`, { ...rest, subscribed: source });
  }
  deleteCalendar(appleId: string, calendar: string): Promise<void> {
    return this.call('DELETE', `accounts/${MockICloudControlClient.seg(appleId)}/calendars/${MockICloudControlClient.seg(calendar)}`);
  }

  private events(appleId: string, calendar: string): string {
    return `accounts/${MockICloudControlClient.seg(appleId)}/calendars/${MockICloudControlClient.seg(calendar)}/events`;
  }
  listEvents(appleId: string, calendar: string): Promise<CalendarObject[]> {
    return this.call('GET', this.events(appleId, calendar));
  }
  getEvent(appleId: string, calendar: string, name: string): Promise<CalendarObject> {
    return this.call('GET', `${this.events(appleId, calendar)}/${MockICloudControlClient.seg(name)}`);
  }
  /** Creates or replaces an event as if on an iPhone (etag, ctag and sync token move). */
  putEvent(appleId: string, calendar: string, event: { ics: string; name?: string }): Promise<EventWriteResult> {
    return event.name === undefined
      ? this.call('POST', this.events(appleId, calendar), { ics: event.ics })
      : this.call('PUT', `${this.events(appleId, calendar)}/${MockICloudControlClient.seg(event.name)}`, { ics: event.ics });
  }
  deleteEvent(appleId: string, calendar: string, name: string): Promise<void> {
    return this.call('DELETE', `${this.events(appleId, calendar)}/${MockICloudControlClient.seg(name)}`);
  }
  /** A new etag, the same content. */
  touchEvent(appleId: string, calendar: string, name: string): Promise<CalendarObject> {
    return this.call('POST', `${this.events(appleId, calendar)}/${MockICloudControlClient.seg(name)}/touch`);
  }

  /** Every sync token becomes invalid (the next incremental sync gets iCloud's bare 403). */
  forgetSyncTokens(): Promise<void> {
    return this.call('POST', 'sync-tokens/forget');
  }
  listFaults(): Promise<Fault[]> {
    return this.call('GET', 'faults');
  }
  addFault(spec: FaultSpec): Promise<Fault> {
    return this.call('POST', 'faults', spec);
  }
  removeFault(id: string): Promise<void> {
    return this.call('DELETE', `faults/${MockICloudControlClient.seg(id)}`);
  }
  clearFaults(): Promise<void> {
    return this.call('DELETE', 'faults');
  }
  journal(query: JournalQuery = {}): Promise<JournalEntry[]> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const qs = params.toString();
    return this.call('GET', `journal${qs ? `?${qs}` : ''}`);
  }
  clearJournal(): Promise<void> {
    return this.call('DELETE', 'journal');
  }
  /** The iTIP messages iCloud's implicit scheduling sent (REQUEST, CANCEL), in order. */
  invitations(query: InvitationQuery = {}): Promise<Invitation[]> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const qs = params.toString();
    return this.call('GET', `invitations${qs ? `?${qs}` : ''}`);
  }
  clearInvitations(): Promise<void> {
    return this.call('DELETE', 'invitations');
  }
  /** The mock's clock, ISO. */
  async now(): Promise<string> {
    return (await this.call<{ now: string }>('GET', 'clock')).now;
  }
  /** Moves a pinned clock (ISO time or epoch ms). */
  async setClock(now: string | number | Date): Promise<string> {
    return (await this.call<{ now: string }>('PUT', 'clock', { now: now instanceof Date ? now.toISOString() : now })).now;
  }
}
