/**
 * Connecting a platform user to iCloud and choosing calendars (RULES.md C1–C7).
 *
 * - C1: Apple ID + app-specific password, checked by real discovery through the gateway; a refusal
 *   tells the user to make an app-specific password. A revoked password later marks the connection
 *   `reconnect_required` (the engine does that) and polling stops; nothing is deleted.
 * - C2: one connection per user per sub-account. C3: one sub-account per Apple ID.
 * - C4: subscribed calendars are never offered and naming one is refused.
 * - C5: the linked calendar must be writable; read-only calendars can be conflict calendars.
 * - C6: the linked calendar is always among the conflict calendars.
 * - C7: iCloud has no sync preferences; asking to set them is refused.
 */
import { CalDavClient, type RemoteCalendarInfo } from '../caldav/client.js';
import { AuthRefusedError, ServiceUnavailableError } from '../caldav/errors.js';
import type { Clock } from '../../common/clock.js';
import { SyncError } from '../errors.js';
import { AppPasswordSealer } from './app-passwords.js';
import type { Connection, RemoteCalendar } from '../state/sync-state.js';
import type { Store } from '../store/store.js';

export const ICLOUD_SERVER_URL = 'https://caldav.icloud.com/';

export interface ConnectRequest {
  subAccountId: string;
  userId: string;
  appleId: string;
  appPassword: string;
  /** Default: iCloud's gateway. Point it at the mock's gatewayUrl in tests. */
  serverUrl?: string;
}

/** A calendar as offered to the user: only event calendars, never subscriptions or task lists. */
export interface OfferedCalendar {
  url: string;
  displayName: string;
  access: 'writable' | 'read-only';
  canBeLinked: boolean;
  isLinked: boolean;
  isConflict: boolean;
}

export interface ConnectionsDeps {
  store: Store;
  clock: Clock;
  fetch?: typeof fetch;
  /** User-Agent of every iCloud request (default icloud-sync/0.1). */
  userAgent?: string;
  /** How app-specific passwords are kept at rest (app-passwords.ts); default: as given. */
  passwords?: AppPasswordSealer;
}

export class Connections {
  private readonly passwords: AppPasswordSealer;

  constructor(private readonly deps: ConnectionsDeps) {
    this.passwords = deps.passwords ?? AppPasswordSealer.fromKey(undefined);
  }

  /**
   * A client for the connection; `appPassword` as stored (sealed or not) or as the user just gave
   * it; `stop`: once aborted, the client sends nothing more (CalDavClientOptions.stop).
   */
  client(connection: Pick<Connection, 'serverUrl' | 'appleId' | 'appPassword'>, stop?: AbortSignal): CalDavClient {
    const password = this.passwords.open(connection.appPassword, connection.appleId);
    return new CalDavClient({ serverUrl: connection.serverUrl, appleId: connection.appleId, password, fetch: this.deps.fetch, userAgent: this.deps.userAgent, stop });
  }

  async connect(request: ConnectRequest): Promise<Connection> {
    const { platform, state } = this.deps.store;
    const user = await platform.getUser(request.userId);
    if (!user || user.subAccountId !== request.subAccountId) {
      throw new SyncError('not-found', `user ${request.userId} is not in sub-account ${request.subAccountId}`);
    }
    // C3: compared as iCloud compares Apple IDs (surrounding spaces removed, any letter case).
    const appleId = normaliseAppleId(request.appleId);
    // Before asking iCloud, for a quick answer; again before writing (below).
    await this.refuseTaken(request, user.name, appleId);
    const serverUrl = request.serverUrl ?? ICLOUD_SERVER_URL;
    const client = this.client({ serverUrl, appleId, appPassword: request.appPassword });
    const found = await this.call(() => client.discover());
    const calendars = await this.call(() => client.listCalendars(found.homeUrl));
    const id = await this.deps.store.newId('icl');
    return this.deps.store.transaction(async () => {
      // Another connect may have written since the checks above (iCloud's answers take seconds):
      // connects take turns from here to their commit, and each checks again, so a second one is
      // refused as it would have been after the first.
      await state.holdConnectionWrites();
      await this.refuseTaken(request, user.name, appleId);
      const connection = await state.insertConnection({
        id,
        subAccountId: request.subAccountId,
        userId: request.userId,
        appleId,
        appPassword: this.passwords.seal(request.appPassword, appleId),
        serverUrl,
        principalUrl: found.principalUrl,
        homeUrl: found.homeUrl,
        status: 'active',
        changeCursor: 0,
        createdAt: this.deps.clock.now(),
      });
      await state.saveRemoteCalendars(connection.id, calendars.map(toRow));
      return connection;
    });
  }

  /** C2: one connection per user in a sub-account; C3: an Apple ID in one sub-account only. */
  private async refuseTaken(request: ConnectRequest, userName: string, appleId: string): Promise<void> {
    const { state } = this.deps.store;
    const existing = await state.findConnection(request.subAccountId, request.userId);
    if (existing) {
      throw new SyncError(
        'already-connected',
        `${userName} already has an iCloud connection (${existing.appleId}) in this sub-account: each user can have one. Disconnect it first${existing.status === 'reconnect_required' ? ', or reconnect it with a new app-specific password' : ''}`,
      );
    }
    const elsewhere = (await state.connectionsForAppleId(appleId)).find((c) => c.subAccountId !== request.subAccountId);
    if (elsewhere) {
      throw new SyncError(
        'apple-id-in-other-sub-account',
        `the iCloud account ${appleId} is already connected in another sub-account (${elsewhere.subAccountId}): an Apple ID can be connected in one sub-account only`,
      );
    }
  }

  async get(connectionId: string): Promise<Connection> {
    const connection = await this.deps.store.state.getConnection(connectionId);
    if (!connection) throw new SyncError('not-found', `no iCloud connection ${connectionId}`);
    return connection;
  }

  /** Re-reads the calendar list from iCloud, keeping roles of calendars still there. */
  async refreshCalendars(connectionId: string): Promise<OfferedCalendar[]> {
    const connection = await this.get(connectionId);
    const calendars = await this.call(() => this.client(connection).listCalendars(connection.homeUrl), connection);
    await this.deps.store.transaction(() => this.deps.store.state.saveRemoteCalendars(connectionId, calendars.map(toRow)));
    return this.offered(connectionId);
  }

  /** The calendars a user may choose from (C4: subscriptions never appear; task lists and inbox neither). */
  async offered(connectionId: string): Promise<OfferedCalendar[]> {
    return (await this.deps.store.state.listRemoteCalendars(connectionId)).filter(isEventCalendar).map((c) => ({
      url: c.url,
      displayName: c.displayName,
      access: c.access === 'writable' ? 'writable' : 'read-only',
      canBeLinked: c.access === 'writable',
      isLinked: c.isLinked,
      isConflict: c.isConflict,
    }));
  }

  /**
   * Chooses the linked calendar and the conflict calendars. Calendars are named by URL, display
   * name or collection name. The linked calendar is always a conflict calendar too (C6).
   */
  async chooseCalendars(connectionId: string, choice: { linked?: string | null; conflict?: string[] }): Promise<OfferedCalendar[]> {
    const connection = await this.get(connectionId);
    const all = await this.deps.store.state.listRemoteCalendars(connectionId);
    const current = all.find((c) => c.isLinked);
    const linked = choice.linked === undefined ? current : choice.linked === null ? undefined : this.resolve(all, choice.linked, 'linked');
    if (linked && linked.access !== 'writable') {
      throw new SyncError(
        'read-only-linked-calendar',
        `"${linked.displayName}" is read-only for ${connection.appleId}, so it cannot be the linked calendar (new bookings are written there). Choose a calendar you can edit; a read-only calendar can still be a conflict calendar`,
      );
    }
    const conflict = choice.conflict === undefined ? all.filter((c) => c.isConflict && !c.isLinked) : choice.conflict.map((name) => this.resolve(all, name, 'conflict'));
    const urls = [...new Set([...(linked ? [linked.url] : []), ...conflict.map((c) => c.url)])];
    await this.deps.store.transaction(() => this.deps.store.state.setRoles(connectionId, linked?.url, urls));
    return this.offered(connectionId);
  }

  /** C7: iCloud connections offer only the default sync behaviour. */
  async setSyncPreferences(connectionId: string, _preferences: Record<string, unknown>): Promise<never> {
    await this.get(connectionId);
    throw new SyncError(
      'sync-preferences-not-supported',
      'iCloud connections have no sync preferences (advanced settings): unlike Google and Outlook, iCloud offers only the default sync, so there is nothing to change',
    );
  }

  /** Replaces a revoked app-specific password and resumes polling. */
  async reconnect(connectionId: string, appPassword: string): Promise<Connection> {
    const connection = await this.get(connectionId);
    const found = await this.call(() => this.client({ ...connection, appPassword }).discover());
    await this.deps.store.transaction(() =>
      this.deps.store.state.updateConnection(connectionId, {
        appPassword: this.passwords.seal(appPassword, connection.appleId),
        principalUrl: found.principalUrl,
        homeUrl: found.homeUrl,
        status: 'active',
        statusReason: undefined,
        consecutiveFailures: 0,
        nextPollAt: this.deps.clock.now(),
      }),
    );
    return this.get(connectionId);
  }

  /**
   * Seals every app-specific password stored without the secret key (after a key is first given),
   * each in its own transaction; returns how many were sealed. Without a key it refuses.
   */
  async sealStoredPasswords(): Promise<number> {
    if (!this.passwords.sealing) throw new SyncError('secret-key', 'no secret key was given, so there is nothing to seal the stored app-specific passwords with');
    let sealed = 0;
    for (const connection of await this.deps.store.state.listConnections()) {
      if (this.passwords.isSealed(connection.appPassword)) continue;
      const appPassword = this.passwords.seal(connection.appPassword, connection.appleId);
      await this.deps.store.transaction(() => this.deps.store.state.updateConnection(connection.id, { appPassword }));
      sealed++;
    }
    return sealed;
  }

  /** Forgets the connection; nothing is deleted in the platform or in iCloud. */
  async disconnect(connectionId: string): Promise<void> {
    await this.get(connectionId);
    await this.deps.store.transaction(() => this.deps.store.state.deleteConnection(connectionId));
  }

  private resolve(all: RemoteCalendar[], name: string, role: 'linked' | 'conflict'): RemoteCalendar {
    const wanted = name.trim();
    const match = all.find((c) => c.url === wanted || c.displayName === wanted || decodeURIComponent(new URL(c.url).pathname).split('/').filter(Boolean).at(-1) === wanted);
    if (!match) {
      const names = all
        .filter(isEventCalendar)
        .map((c) => `"${c.displayName}"`)
        .join(', ');
      throw new SyncError('unknown-calendar', `no calendar "${name}" in this iCloud account; the calendars are ${names}`);
    }
    if (match.access === 'subscribed' || match.kind === 'subscribed') {
      throw new SyncError('subscribed-calendar', `"${match.displayName}" is a subscribed calendar (a feed iCloud reads from a URL): subscription calendars cannot be connected as ${role} calendar`);
    }
    if (!isEventCalendar(match)) {
      throw new SyncError('not-an-event-calendar', `"${match.displayName}" holds no events (it is a reminders list or a scheduling collection) and cannot be a ${role} calendar`);
    }
    return match;
  }

  /** Runs an iCloud call, turning transport-level errors into SyncErrors with advice. */
  private async call<T>(fn: () => Promise<T>, connection?: Connection): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof AuthRefusedError) {
        if (connection) await this.markReconnectRequired(connection.id, error.message);
        throw new SyncError('auth-refused', error.message);
      }
      if (error instanceof ServiceUnavailableError) {
        // Connecting, choosing or listing calendars is asked for by a person, and nothing retries it.
        const when = error.retryAfterMs !== undefined ? `in ${Math.round(error.retryAfterMs / 1000)} s, as iCloud asked` : 'later';
        throw new SyncError('icloud-unavailable', `iCloud is not answering (${error.whatFailed}): nothing was saved; try again ${when}`);
      }
      if (error instanceof Error && error.name === 'DiscoveryError') throw new SyncError('discovery-failed', error.message);
      throw error;
    }
  }

  async markReconnectRequired(connectionId: string, reason: string): Promise<void> {
    await this.deps.store.state.updateConnection(connectionId, { status: 'reconnect_required', statusReason: reason });
  }
}

function isEventCalendar(c: Pick<RemoteCalendar, 'kind' | 'components'>): boolean {
  return c.kind === 'calendar' && (c.components.length === 0 || c.components.includes('VEVENT'));
}

function toRow(c: RemoteCalendarInfo) {
  return { url: c.url, displayName: c.displayName, components: c.components, access: c.access, kind: c.kind, shared: c.shared };
}

/** An Apple ID as iCloud compares it: surrounding white space removed, letters in one case (C3). */
export function normaliseAppleId(appleId: string): string {
  return appleId.trim().toLowerCase();
}
