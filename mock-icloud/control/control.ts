/**
 * The control plane's functions: everything a test or QA does to the mock that a CalDAV client
 * cannot. The HTTP routes under /__mock (routes.ts) and the programmatic API call these same
 * methods. Writes "as if on an iPhone" go through the store like CalDAV writes, so they bump the
 * etag, the ctag and the sync token exactly as a change on a real device would.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FixedClock, type Clock } from '../../common/clock.js';
import type { ChangeLogStats } from '../store/change-log.js';
import { InvitationSink, type Invitation, type InvitationQuery } from '../scheduling/sink.js';
import { isKnownZone, normaliseLineEndings, validateCalendarObject } from '../dav/calendar-object.js';
import { DavError } from '../http/errors.js';
import type { Account, Calendar, CalendarObject, ComponentType, HomeEntry, ShareAccess } from '../store/model.js';
import { sha256 } from '../store/memory-store.js';
import { type CalendarStore, StateError } from '../store/store.js';
import { isShared, isSubscribed, type World, type WorldAccount, type WorldAppPassword, type WorldCalendar, type WorldEvent } from '../world/schema.js';
import type { Fault, FaultEngine, FaultSpec } from './faults.js';
import type { Journal, JournalEntry, JournalQuery } from './journal.js';

export interface AccountSpec {
  appleId: string;
  fullName: string;
  password: string;
  twoFactor?: boolean;
  dsid?: string;
  partition?: number;
  /** App-specific passwords: the text, or `{password, label, revoked}` as in a world file. */
  appPasswords?: Array<string | WorldAppPassword>;
}

export interface CalendarSpec {
  name: string;
  displayName?: string;
  component?: ComponentType;
  color?: string;
  order?: number;
  description?: string;
  timezone?: string;
}

export interface ShareSpec {
  owner: string;
  calendar: string;
  sharee: string;
  access?: ShareAccess;
  name?: string;
  displayName?: string;
  color?: string;
}

export interface SubscriptionSpec {
  name: string;
  displayName: string;
  source: string;
  color?: string;
  order?: number;
}

export interface CalendarSummary {
  name: string;
  kind: HomeEntry['kind'];
  displayName: string;
  href: string;
  component?: ComponentType;
  color?: string;
  access?: ShareAccess;
  owner?: string;
  source?: string;
  objects?: number;
  syncToken?: string;
}

export interface EventWriteResult {
  name: string;
  uid: string;
  etag: string;
  created: boolean;
}

export interface ControlDeps {
  store: CalendarStore;
  journal: Journal;
  faults: FaultEngine;
  clock: Clock;
  /** The iTIP messages implicit scheduling recorded (absent: a sink of its own). */
  invitations?: InvitationSink;
}

export class MockControl {
  private initial: { world: World; baseDir: string } = { world: { accounts: [] }, baseDir: process.cwd() };

  private readonly invitationSink: InvitationSink;

  constructor(private readonly deps: ControlDeps) {
    this.invitationSink = deps.invitations ?? new InvitationSink();
  }

  // ---- accounts and credentials -------------------------------------------------------------------

  createAccount(spec: AccountSpec): Account {
    const { appPasswords, ...init } = spec;
    const account = this.deps.store.createAccount({ ...init, twoFactor: spec.twoFactor ?? true });
    for (const p of appPasswords ?? []) {
      const entry = typeof p === 'string' ? { password: p } : p;
      this.deps.store.addAppPassword(account.dsid, entry.label ?? 'app-specific password', entry.password);
      if (entry.revoked) this.deps.store.revokeAppPassword(account.dsid, entry.password);
    }
    return this.getAccount(account.appleId);
  }

  getAccount(appleId: string): Account {
    const account = this.deps.store.getAccountByAppleId(appleId);
    if (!account) throw new StateError(`no iCloud account ${appleId}`, 'not-found');
    return account;
  }

  listAccounts(): Account[] {
    return this.deps.store.listAccounts();
  }

  /**
   * iCloud moves the account to another partition: its calendar-home-set now names the other
   * partition host (pMM instead of pNN), `x-apple-user-partition` the new number, and the host it
   * left answers 301 to the same path on the new one. Clients that cached the home URL must follow
   * or rediscover (review feature 9; derekantrican/GAS-ICS-Sync#261). Default: the next partition.
   */
  moveAccount(appleId: string, to: { partition?: number } = {}): Account {
    const account = this.getAccount(appleId);
    const partition = to.partition ?? (account.partition % 180) + 1;
    if (!Number.isInteger(partition) || partition < 1 || partition === account.partition) throw new StateError(`partition must be a whole number other than ${account.partition}`, 'invalid');
    return this.deps.store.updateAccount(account.dsid, { partition, movedHost: !account.movedHost });
  }

  /**
   * The account is upgraded to the new Reminders: its VTODO lists leave CalDAV (they vanish from
   * the home, with their shares) and no new one can be made there (dossier §7 [S];
   * jobisoft/DAV-4-TbSync#272). Returns the names of the lists removed.
   */
  upgradeReminders(appleId: string): string[] {
    const account = this.getAccount(appleId);
    const removed: string[] = [];
    for (const entry of this.deps.store.listHome(account.dsid)) {
      if (entry.kind === 'owned' && entry.calendar.component === 'VTODO') {
        this.deps.store.deleteHomeEntry(account.dsid, entry.name);
        removed.push(entry.name);
      }
    }
    this.deps.store.updateAccount(account.dsid, { remindersUpgraded: true });
    return removed;
  }

  setTwoFactor(appleId: string, enabled: boolean): Account {
    return this.deps.store.setTwoFactor(this.getAccount(appleId).dsid, enabled);
  }

  /** Issues an app-specific password; without one given, a deterministic one is derived. */
  issueAppPassword(appleId: string, options: { label?: string; password?: string } = {}): { password: string; label: string } {
    const account = this.getAccount(appleId);
    const password = options.password ?? derivePassword(account, account.appPasswords.length);
    const entry = this.deps.store.addAppPassword(account.dsid, options.label ?? 'app-specific password', password);
    return { password: entry.password, label: entry.label };
  }

  revokeAppPassword(appleId: string, password: string): void {
    this.deps.store.revokeAppPassword(this.getAccount(appleId).dsid, password);
  }

  // ---- calendars ----------------------------------------------------------------------------------------

  createCalendar(appleId: string, spec: CalendarSpec): CalendarSummary {
    const account = this.getAccount(appleId);
    if (spec.timezone !== undefined && !isKnownZone(spec.timezone)) {
      throw new StateError(`calendar "${spec.name}": "${spec.timezone}" is not an IANA time zone (e.g. Europe/London)`, 'invalid');
    }
    const calendar = this.deps.store.createCalendar(account.dsid, spec);
    return this.summarise(account, { kind: 'owned', name: calendar.name, calendar });
  }

  shareCalendar(spec: ShareSpec): CalendarSummary {
    const owner = this.getAccount(spec.owner);
    const sharee = this.getAccount(spec.sharee);
    const entry = this.deps.store.getHomeEntry(owner.dsid, spec.calendar);
    if (!entry || entry.kind !== 'owned') throw new StateError(`${owner.appleId} owns no calendar "${spec.calendar}"`, 'not-found');
    const shared = this.deps.store.shareCalendar(entry.calendar, sharee.dsid, spec.access ?? 'read-only', { name: spec.name, displayName: spec.displayName, color: spec.color });
    return this.summarise(sharee, shared);
  }

  subscribeCalendar(appleId: string, spec: SubscriptionSpec): CalendarSummary {
    const account = this.getAccount(appleId);
    return this.summarise(account, this.deps.store.subscribe(account.dsid, spec));
  }

  /**
   * Adds a calendar in the world file's shape to `appleId`'s home: an owned one (with its events),
   * a share (`sharedFrom`) or a subscription (`subscribed`).
   */
  addCalendar(appleId: string, c: WorldCalendar, baseDir = process.cwd()): CalendarSummary {
    if (isShared(c)) {
      return this.shareCalendar({ owner: c.sharedFrom.owner, calendar: c.sharedFrom.calendar, sharee: appleId, access: c.sharedFrom.access, name: c.name, displayName: c.displayName, color: c.color });
    }
    if (isSubscribed(c)) return this.subscribeCalendar(appleId, { name: c.name, displayName: c.displayName, source: c.subscribed, color: c.color, order: c.order });
    const { events, ...spec } = c;
    this.createCalendar(appleId, spec);
    for (const [i, e] of (events ?? []).entries()) {
      try {
        this.addEvent(appleId, c.name, e, baseDir);
      } catch (error) {
        if (error instanceof StateError) throw new StateError(`event ${e.name ?? e.file ?? i}: ${error.message}`, error.code);
        throw error;
      }
    }
    return this.listCalendars(appleId).find((s) => s.name === c.name)!;
  }

  deleteCalendar(appleId: string, name: string): void {
    this.deps.store.deleteHomeEntry(this.getAccount(appleId).dsid, name);
  }

  listCalendars(appleId: string): CalendarSummary[] {
    const account = this.getAccount(appleId);
    return this.deps.store.listHome(account.dsid).map((e) => this.summarise(account, e));
  }

  private summarise(account: Account, entry: HomeEntry): CalendarSummary {
    const href = `/${account.dsid}/calendars/${encodeURIComponent(entry.name)}/`;
    if (entry.kind === 'subscribed') {
      return { name: entry.name, kind: 'subscribed', displayName: entry.displayName, href, source: entry.source, color: entry.color };
    }
    const { calendar } = entry;
    return {
      name: entry.name,
      kind: entry.kind,
      displayName: (entry.kind === 'shared' && entry.displayName) || calendar.displayName,
      href,
      component: calendar.component,
      color: (entry.kind === 'shared' && entry.color) || calendar.color,
      access: entry.kind === 'shared' ? entry.access : undefined,
      owner: this.deps.store.getAccountByDsid(calendar.ownerDsid)?.appleId,
      objects: this.deps.store.countObjects(calendar),
      syncToken: this.deps.store.syncToken(calendar),
    };
  }

  /** The calendar behind a name in `appleId`'s home: owned, or the owner's calendar behind a share. */
  private calendarOf(appleId: string, name: string): Calendar {
    const account = this.getAccount(appleId);
    const entry = this.deps.store.getHomeEntry(account.dsid, name);
    if (!entry) throw new StateError(`${account.appleId} has no calendar "${name}"`, 'not-found');
    if (entry.kind === 'subscribed') throw new StateError(`"${name}" is a subscribed calendar: its events come from ${entry.source}, not from iCloud`, 'invalid');
    return entry.calendar;
  }

  // ---- events "as if on an iPhone" -----------------------------------------------------------------

  /** Creates or replaces an event. Without a name, the resource is `<UID>.ics` (or the UID's existing resource). */
  putEvent(appleId: string, calendarName: string, event: { ics: string; name?: string }): EventWriteResult {
    const calendar = this.calendarOf(appleId, calendarName);
    const data = normaliseLineEndings(event.ics);
    let valid;
    try {
      valid = validateCalendarObject(data, calendar, { caldavRules: false });
    } catch (error) {
      if (error instanceof DavError) throw new StateError(error.reason, 'invalid');
      throw error;
    }
    const holder = this.deps.store.findUid(calendar.ownerDsid, valid.uid);
    const name = event.name ?? (holder?.calendar === calendar ? holder.name : `${valid.uid}.ics`);
    const { object, created } = this.deps.store.putObject(calendar, { name, uid: valid.uid, data, component: valid.component, spans: valid.spans });
    return { name: object.name, uid: object.uid, etag: object.etag, created };
  }

  /** An event in the world file's shape: inline `ics`, or a `file` relative to `baseDir`. */
  addEvent(appleId: string, calendarName: string, e: WorldEvent, baseDir = process.cwd()): EventWriteResult {
    const ics = e.ics ?? readEventFile(resolve(baseDir, e.file!), `event file ${e.file}`);
    return this.putEvent(appleId, calendarName, { ics, name: e.name });
  }

  deleteEvent(appleId: string, calendarName: string, name: string): void {
    const calendar = this.calendarOf(appleId, calendarName);
    if (!this.deps.store.deleteObject(calendar, name)) throw new StateError(`no event "${name}" in "${calendarName}"`, 'not-found');
  }

  getEvent(appleId: string, calendarName: string, name: string): CalendarObject {
    const object = this.deps.store.getObject(this.calendarOf(appleId, calendarName), name);
    if (!object) throw new StateError(`no event "${name}" in "${calendarName}"`, 'not-found');
    return { ...object };
  }

  listEvents(appleId: string, calendarName: string): CalendarObject[] {
    return [...this.deps.store.listObjects(this.calendarOf(appleId, calendarName))].map((o) => ({ ...o }));
  }

  /** A new etag and sync-token entry with the content unchanged, as iCloud's own metadata updates do. */
  touchEvent(appleId: string, calendarName: string, name: string): CalendarObject {
    const object = this.deps.store.touchObject(this.calendarOf(appleId, calendarName), name);
    if (!object) throw new StateError(`no event "${name}" in "${calendarName}"`, 'not-found');
    return { ...object };
  }

  // ---- whole state ------------------------------------------------------------------------------------

  /** Replaces the whole state with `world` and makes it the state `reset()` returns to. */
  loadWorld(world: World, baseDir = process.cwd()): void {
    this.initial = { world, baseDir };
    this.importWorld(world, baseDir);
  }

  /** Replaces the whole state with `world` (reset() still returns to the loaded world). */
  importWorld(world: World, baseDir = process.cwd()): void {
    this.deps.store.clear();
    if (world.now && this.deps.clock instanceof FixedClock) this.deps.clock.set(Date.parse(world.now));
    applyWorld(world, baseDir, this);
  }

  reset(): void {
    this.importWorld(this.initial.world, this.initial.baseDir);
    this.deps.journal.clear();
    this.deps.faults.clear();
    this.invitationSink.clear();
  }

  exportWorld(): World {
    return exportWorld(this.deps.store, this.deps.clock);
  }

  // ---- sync tokens, faults, journal, clock ---------------------------------------------------------

  forgetSyncTokens(): void {
    this.deps.store.forgetSyncTokens();
  }

  /** What a calendar's change log holds and has cost: tests count work and size with it. */
  changeLogStats(appleId: string, calendarName: string): ChangeLogStats {
    return this.deps.store.changeLogStats(this.calendarOf(appleId, calendarName));
  }

  addFault(spec: FaultSpec): Fault {
    return this.deps.faults.add(spec);
  }

  listFaults(): Fault[] {
    return this.deps.faults.list();
  }

  removeFault(id: string): void {
    if (!this.deps.faults.remove(id)) throw new StateError(`no fault ${id}`, 'not-found');
  }

  clearFaults(): void {
    this.deps.faults.clear();
  }

  journal(query?: JournalQuery): JournalEntry[] {
    return this.deps.journal.list(query);
  }

  clearJournal(): void {
    this.deps.journal.clear();
  }

  /** The iTIP messages iCloud would have sent for CalDAV writes (scheduling/implicit.ts), in order. */
  invitations(query?: InvitationQuery): Invitation[] {
    return this.invitationSink.list(query);
  }

  clearInvitations(): void {
    this.invitationSink.clear();
  }

  now(): number {
    return this.deps.clock.now();
  }

  /** Moves a pinned clock (started with `clock` or a world `now`); refused on the system clock. */
  setClock(epochMs: number): void {
    if (!(this.deps.clock instanceof FixedClock)) throw new StateError('the mock runs on the system clock; start it with a fixed clock to set time', 'invalid');
    this.deps.clock.set(epochMs);
  }
}

function derivePassword(account: Account, n: number): string {
  const hex = sha256(`${account.dsid}:app-password:${n}`);
  const letters = [...hex.slice(0, 16)].map((c) => String.fromCharCode(97 + (parseInt(c, 16) % 26))).join('');
  return letters.match(/.{4}/g)!.join('-');
}

function applyWorld(world: World, baseDir: string, control: MockControl): void {
  const where = (a: WorldAccount, c?: WorldCalendar) => `world account ${a.appleId}${c ? `, calendar ${'name' in c && c.name ? c.name : ''}` : ''}`;
  const wrap = <T>(context: string, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof StateError) throw new StateError(`${context}: ${error.message}`, error.code);
      throw error;
    }
  };
  for (const a of world.accounts) {
    const { calendars: _calendars, ...account } = a;
    wrap(where(a), () => control.createAccount({ ...account, twoFactor: a.twoFactor ?? true }));
  }
  // Owned calendars first, so shares can point at any account's calendars regardless of file order.
  for (const a of world.accounts) {
    for (const c of a.calendars ?? []) if (!isShared(c) && !isSubscribed(c)) wrap(where(a, c), () => control.addCalendar(a.appleId, c, baseDir));
  }
  for (const a of world.accounts) {
    for (const c of a.calendars ?? []) if (isShared(c) || isSubscribed(c)) wrap(where(a, c), () => control.addCalendar(a.appleId, c, baseDir));
  }
}

function readEventFile(path: string, context: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new StateError(`${context}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'invalid');
  }
}

function exportWorld(store: CalendarStore, clock: Clock): World {
  const accounts: WorldAccount[] = store.listAccounts().map((account) => ({
    appleId: account.appleId,
    fullName: account.fullName,
    dsid: account.dsid,
    partition: account.partition,
    password: account.password,
    twoFactor: account.twoFactor,
    appPasswords: account.appPasswords.map((p) => (p.revokedAt !== undefined ? { password: p.password, label: p.label, revoked: true } : { password: p.password, label: p.label })),
    calendars: store.listHome(account.dsid).map((entry): WorldCalendar => {
      if (entry.kind === 'subscribed') return dropUndefined({ subscribed: entry.source, name: entry.name, displayName: entry.displayName, color: entry.color, order: entry.order });
      if (entry.kind === 'shared') {
        return dropUndefined({
          sharedFrom: { owner: store.getAccountByDsid(entry.calendar.ownerDsid)!.appleId, calendar: entry.calendar.name, access: entry.access },
          name: entry.name,
          displayName: entry.displayName,
          color: entry.color,
        });
      }
      const c = entry.calendar;
      return dropUndefined({
        name: c.name,
        displayName: c.displayName,
        component: c.component,
        color: c.color,
        order: c.order,
        description: c.description,
        timezone: c.timezone,
        // LF for a readable YAML block; loading turns it back into the CRLF that was stored.
        events: [...store.listObjects(c)].map((o) => ({ name: o.name, ics: o.data.replace(/\r\n/g, '\n') })),
      });
    }),
  }));
  return { now: new Date(clock.now()).toISOString(), accounts };
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
