/**
 * In-memory CalendarStore. Each calendar keeps its objects in a Map, a change log for
 * sync-collection and a time index for calendar-query, so neither REPORT scans the calendar.
 * Identifiers a test might see (DSIDs, shared-calendar names, generated app passwords) are derived
 * from the inputs by hashing, never from randomness: the same world always yields the same ids.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import { canonicalAppleId } from './apple-id.js';
import { ChangeLog, type ChangeLogStats } from './change-log.js';
import type { Account, AppPassword, Calendar, CalendarObject, HomeEntry, ShareAccess } from './model.js';
import { type CalendarPatch, type CalendarStore, type ChangeSet, type NewAccount, type NewCalendar, type ObjectWrite, StateError, type SyncTokenRefusal } from './store.js';
import { type IndexMatch, TimeIndex, type TimeRange } from './time-index.js';
import { decodeSyncToken, encodeSyncToken, EtagMinter } from './tokens.js';

interface CalendarState {
  calendar: Calendar;
  objects: Map<string, CalendarObject>;
  log: ChangeLog;
  index: TimeIndex;
}

interface AccountState {
  account: Account;
  home: Map<string, HomeEntry>;
  /** UID → resource, across all calendars the account owns. */
  uids: Map<string, { serial: number; name: string }>;
}

export const APP_PASSWORD_PATTERN = /^[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4}$/;
/** Names iCloud reserves in every home (dossier §1): they are not calendars you can create. */
export const RESERVED_HOME_NAMES = new Set(['inbox', 'outbox', 'notification']);

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class MemoryStore implements CalendarStore {
  private accounts = new Map<string, AccountState>();
  private byAppleId = new Map<string, string>();
  private calendars = new Map<number, CalendarState>();
  /** Calendar serial → sharee DSID → the name the sharee sees it under. */
  private shares = new Map<number, Map<string, string>>();
  private nextSerial = 1;
  private tokenEpoch = 1;
  private readonly etags = new EtagMinter();

  /**
   * `syncTokenLifetimeMs`: a sync token expires once a change after it is older than this on the
   * mock's clock (Apple CalendarServer: 14 days); undefined: tokens never expire by age.
   */
  constructor(
    private readonly clock: Clock,
    private readonly options: { syncTokenLifetimeMs?: number } = {},
  ) {}

  // ---- accounts -------------------------------------------------------------------------------

  createAccount(init: NewAccount): Account {
    const appleId = canonicalAppleId(init.appleId);
    if (!/^[^@\s]+@[^@\s]+$/.test(appleId)) throw new StateError(`"${init.appleId}" is not an Apple ID (an e-mail address)`, 'invalid');
    if (this.byAppleId.has(appleId)) throw new StateError(`an account for ${appleId} already exists`, 'conflict');
    const dsid = init.dsid ?? this.deriveDsid(appleId);
    if (!/^\d{6,12}$/.test(dsid)) throw new StateError(`DSID "${dsid}" must be 6 to 12 digits`, 'invalid');
    if (this.accounts.has(dsid)) throw new StateError(`DSID ${dsid} is already used by ${this.accounts.get(dsid)!.account.appleId}`, 'conflict');
    const partition = init.partition ?? 1 + (parseInt(sha256(dsid).slice(0, 6), 16) % 180);
    const account: Account = { dsid, appleId, fullName: init.fullName, password: init.password, twoFactor: init.twoFactor, partition, appPasswords: [] };
    this.accounts.set(dsid, { account, home: new Map(), uids: new Map() });
    this.byAppleId.set(appleId, dsid);
    return account;
  }

  private deriveDsid(appleId: string): string {
    for (let salt = 0; ; salt++) {
      const digits = BigInt('0x' + sha256(`${appleId}#${salt}`).slice(0, 15))
        .toString()
        .slice(0, 9);
      const dsid = `1${digits.padStart(9, '0')}`;
      if (!this.accounts.has(dsid)) return dsid;
    }
  }

  getAccountByAppleId(appleId: string): Account | undefined {
    const dsid = this.byAppleId.get(canonicalAppleId(appleId));
    return dsid === undefined ? undefined : this.accounts.get(dsid)?.account;
  }

  getAccountByDsid(dsid: string): Account | undefined {
    return this.accounts.get(dsid)?.account;
  }

  listAccounts(): Account[] {
    return [...this.accounts.values()].map((s) => s.account);
  }

  private state(dsid: string): AccountState {
    const state = this.accounts.get(dsid);
    if (!state) throw new StateError(`no account with DSID ${dsid}`, 'not-found');
    return state;
  }

  setTwoFactor(dsid: string, enabled: boolean): Account {
    const { account } = this.state(dsid);
    account.twoFactor = enabled;
    return account;
  }

  updateAccount(dsid: string, patch: Partial<Pick<Account, 'partition' | 'movedHost' | 'remindersUpgraded'>>): Account {
    const { account } = this.state(dsid);
    Object.assign(account, patch);
    return account;
  }

  addAppPassword(dsid: string, label: string, password: string): AppPassword {
    const { account } = this.state(dsid);
    if (!APP_PASSWORD_PATTERN.test(password)) {
      throw new StateError(`app-specific password "${password}" must look like xxxx-xxxx-xxxx-xxxx (lower-case letters)`, 'invalid');
    }
    if (account.appPasswords.some((p) => p.password === password)) throw new StateError(`${account.appleId} already has that app-specific password`, 'conflict');
    const entry: AppPassword = { password, label, createdAt: this.clock.now() };
    account.appPasswords.push(entry);
    return entry;
  }

  revokeAppPassword(dsid: string, password: string): AppPassword {
    const { account } = this.state(dsid);
    const entry = account.appPasswords.find((p) => p.password === password);
    if (!entry) throw new StateError(`${account.appleId} has no app-specific password "${password}"`, 'not-found');
    entry.revokedAt ??= this.clock.now();
    return entry;
  }

  // ---- home --------------------------------------------------------------------------------------

  listHome(dsid: string): HomeEntry[] {
    return [...this.state(dsid).home.values()];
  }

  getHomeEntry(dsid: string, name: string): HomeEntry | undefined {
    return this.accounts.get(dsid)?.home.get(name);
  }

  private claimName(state: AccountState, name: string): void {
    if (!name || name.includes('/') || name === '.' || name === '..') throw new StateError(`"${name}" is not a valid collection name`, 'invalid');
    if (RESERVED_HOME_NAMES.has(name)) throw new StateError(`"${name}" is reserved by iCloud in every calendar home`, 'conflict');
    if (state.home.has(name)) throw new StateError(`${state.account.appleId} already has a collection named "${name}"`, 'conflict');
  }

  createCalendar(dsid: string, init: NewCalendar): Calendar {
    const state = this.state(dsid);
    this.claimName(state, init.name);
    const calendar: Calendar = {
      serial: this.nextSerial++,
      ownerDsid: dsid,
      name: init.name,
      displayName: init.displayName ?? init.name,
      component: init.component ?? 'VEVENT',
      color: init.color,
      order: init.order,
      description: init.description,
      timezone: init.timezone,
      etag: this.etags.mint(this.clock.now()),
    };
    this.calendars.set(calendar.serial, { calendar, objects: new Map(), log: new ChangeLog({ lifetimeMs: this.options.syncTokenLifetimeMs }), index: new TimeIndex() });
    state.home.set(calendar.name, { kind: 'owned', name: calendar.name, calendar });
    return calendar;
  }

  updateCalendar(calendar: Calendar, patch: CalendarPatch): Calendar {
    Object.assign(calendar, patch);
    calendar.etag = this.etags.mint(this.clock.now());
    return calendar;
  }

  shareCalendar(owner: Calendar, shareeDsid: string, access: ShareAccess, options: { name?: string; displayName?: string; color?: string } = {}): HomeEntry {
    const state = this.state(shareeDsid);
    if (owner.ownerDsid === shareeDsid) throw new StateError('a calendar cannot be shared with its owner', 'invalid');
    for (const entry of state.home.values()) {
      if (entry.kind === 'shared' && entry.calendar === owner) throw new StateError(`"${owner.displayName}" is already shared with ${state.account.appleId}`, 'conflict');
    }
    const name = options.name ?? sha256(`${owner.ownerDsid}/${owner.name}/${shareeDsid}`);
    this.claimName(state, name);
    const entry: HomeEntry = { kind: 'shared', name, calendar: owner, access, displayName: options.displayName, color: options.color };
    state.home.set(name, entry);
    let sharees = this.shares.get(owner.serial);
    if (!sharees) this.shares.set(owner.serial, (sharees = new Map()));
    sharees.set(shareeDsid, name);
    return entry;
  }

  updateHomeEntry(dsid: string, name: string, patch: { displayName?: string; color?: string; order?: number }): HomeEntry {
    const state = this.state(dsid);
    const entry = state.home.get(name);
    if (!entry) throw new StateError(`${state.account.appleId} has no collection "${name}"`, 'not-found');
    if (entry.kind === 'owned') return { ...entry, calendar: this.updateCalendar(entry.calendar, patch) };
    if (patch.displayName !== undefined) entry.displayName = patch.displayName;
    if (patch.color !== undefined) entry.color = patch.color;
    if (entry.kind === 'subscribed') {
      if (patch.order !== undefined) entry.order = patch.order;
      entry.etag = this.etags.mint(this.clock.now());
    }
    return entry;
  }

  shareesOf(calendar: Calendar): string[] {
    return [...(this.shares.get(calendar.serial)?.keys() ?? [])];
  }

  subscribe(dsid: string, init: { name: string; displayName: string; source: string; color?: string; order?: number }): HomeEntry {
    const state = this.state(dsid);
    this.claimName(state, init.name);
    const entry: HomeEntry = { kind: 'subscribed', ...init, etag: this.etags.mint(this.clock.now()) };
    state.home.set(init.name, entry);
    return entry;
  }

  deleteHomeEntry(dsid: string, name: string): void {
    const state = this.state(dsid);
    const entry = state.home.get(name);
    if (!entry) throw new StateError(`${state.account.appleId} has no collection "${name}"`, 'not-found');
    state.home.delete(name);
    if (entry.kind === 'shared') this.shares.get(entry.calendar.serial)?.delete(dsid);
    if (entry.kind !== 'owned') return;
    const serial = entry.calendar.serial;
    for (const object of this.calendars.get(serial)!.objects.values()) state.uids.delete(object.uid);
    this.calendars.delete(serial);
    for (const [shareeDsid, shareName] of this.shares.get(serial) ?? []) this.accounts.get(shareeDsid)?.home.delete(shareName);
    this.shares.delete(serial);
  }

  // ---- objects -------------------------------------------------------------------------------------

  private calendarState(calendar: Calendar): CalendarState {
    const state = this.calendars.get(calendar.serial);
    if (!state) throw new StateError(`calendar "${calendar.name}" no longer exists`, 'not-found');
    return state;
  }

  listObjects(calendar: Calendar): Iterable<CalendarObject> {
    return this.calendarState(calendar).objects.values();
  }

  countObjects(calendar: Calendar): number {
    return this.calendarState(calendar).objects.size;
  }

  getObject(calendar: Calendar, name: string): CalendarObject | undefined {
    return this.calendars.get(calendar.serial)?.objects.get(name);
  }

  findUid(ownerDsid: string, uid: string): { calendar: Calendar; name: string } | undefined {
    const hit = this.accounts.get(ownerDsid)?.uids.get(uid);
    if (!hit) return undefined;
    const calendar = this.calendars.get(hit.serial)?.calendar;
    return calendar ? { calendar, name: hit.name } : undefined;
  }

  putObject(calendar: Calendar, write: ObjectWrite): { object: CalendarObject; created: boolean } {
    const state = this.calendarState(calendar);
    const owner = this.state(calendar.ownerDsid);
    const holder = owner.uids.get(write.uid);
    if (holder && (holder.serial !== calendar.serial || holder.name !== write.name)) {
      throw new StateError(`UID ${write.uid} is already used by another resource in ${owner.account.appleId}'s account`, 'conflict');
    }
    const previous = state.objects.get(write.name);
    if (previous && previous.uid !== write.uid) owner.uids.delete(previous.uid);
    const now = this.clock.now();
    const object: CalendarObject = { name: write.name, uid: write.uid, data: write.data, etag: this.etags.mint(now), modifiedAt: now, component: write.component };
    state.objects.set(write.name, object);
    owner.uids.set(write.uid, { serial: calendar.serial, name: write.name });
    state.index.add(write.name, write.spans);
    state.log.record(write.name, now);
    return { object, created: !previous };
  }

  deleteObject(calendar: Calendar, name: string): boolean {
    const state = this.calendarState(calendar);
    const object = state.objects.get(name);
    if (!object) return false;
    state.objects.delete(name);
    this.accounts.get(calendar.ownerDsid)?.uids.delete(object.uid);
    state.index.remove(name);
    state.log.record(name, this.clock.now(), true);
    return true;
  }

  touchObject(calendar: Calendar, name: string): CalendarObject | undefined {
    const state = this.calendarState(calendar);
    const object = state.objects.get(name);
    if (!object) return undefined;
    // A new object, not a changed one: an answer being sent holds the old one as it was (dav/multistatus.ts).
    const touched = { ...object, etag: this.etags.mint(this.clock.now()) };
    state.objects.set(name, touched);
    state.log.record(name, this.clock.now());
    return touched;
  }

  // ---- sync ------------------------------------------------------------------------------------------

  revision(calendar: Calendar): number {
    return this.calendarState(calendar).log.revision;
  }

  syncToken(calendar: Calendar): string {
    const log = this.calendarState(calendar).log;
    // Handed to a client: the change log keeps what this token will need (see change-log.ts).
    log.issued(log.revision);
    return encodeSyncToken({ serial: calendar.serial, epoch: this.tokenEpoch, revision: log.revision });
  }

  changesSince(calendar: Calendar, token: string | null, limit = Infinity, fits?: (object: CalendarObject) => boolean): ChangeSet | SyncTokenRefusal {
    const state = this.calendarState(calendar);
    let base = 0;
    if (token !== null) {
      const parts = decodeSyncToken(token);
      if (!parts || parts.serial !== calendar.serial || parts.epoch !== this.tokenEpoch) return { refused: 'unknown' };
      const validity = state.log.check(parts.revision, this.clock.now());
      if (validity !== 'valid') return { refused: validity };
      base = parts.revision;
    }
    const changed: CalendarObject[] = [];
    const deleted: string[] = [];
    let pageEnd = base;
    let truncated = false;
    for (const change of state.log.since(base)) {
      const object = change.deleted ? undefined : state.objects.get(change.name);
      if (!object && token === null) continue; // an initial sync lists what exists, not what was deleted
      if (changed.length + deleted.length >= limit || (object && changed.length > 0 && fits && !fits(object))) {
        truncated = true;
        break;
      }
      if (object) changed.push(object);
      else deleted.push(change.name);
      pageEnd = change.revision;
    }
    if (!truncated) pageEnd = state.log.revision;
    state.log.issued(pageEnd);
    return { token: encodeSyncToken({ serial: calendar.serial, epoch: this.tokenEpoch, revision: pageEnd }), changed, deleted, truncated };
  }

  /** What the calendar's change log holds and has cost (tests count work with it). */
  changeLogStats(calendar: Calendar): ChangeLogStats {
    return this.calendarState(calendar).log.stats();
  }

  forgetSyncTokens(): void {
    this.tokenEpoch++;
  }

  queryTimeRange(calendar: Calendar, range: TimeRange): IndexMatch {
    return this.calendarState(calendar).index.query(range);
  }

  clear(): void {
    this.accounts.clear();
    this.byAppleId.clear();
    this.calendars.clear();
    this.shares.clear();
    // Serials and the token epoch keep counting, so tokens from before a reset stay invalid.
    this.tokenEpoch++;
  }
}
