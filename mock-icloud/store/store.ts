/**
 * The storage interface every handler and the control plane talk to. The in-memory implementation
 * is in memory-store.ts; another backend (files, SQLite) would implement this same contract.
 */
import type { Account, AppPassword, Calendar, CalendarObject, ComponentType, HomeEntry, IndexSpans, ShareAccess } from './model.js';
import type { ChangeLogStats } from './change-log.js';
import type { IndexMatch, TimeRange } from './time-index.js';

/** A request against the state that cannot be carried out (control plane and world loading). */
export class StateError extends Error {
  constructor(
    message: string,
    readonly code: 'not-found' | 'conflict' | 'invalid',
  ) {
    super(message);
    this.name = 'StateError';
  }
}

export interface NewAccount {
  appleId: string;
  fullName: string;
  dsid?: string;
  password: string;
  twoFactor: boolean;
  partition?: number;
}

export interface NewCalendar {
  name: string;
  displayName?: string;
  component?: ComponentType;
  color?: string;
  order?: number;
  description?: string;
  timezone?: string;
}

export type CalendarPatch = Partial<Pick<Calendar, 'displayName' | 'color' | 'order' | 'description' | 'timezone'>>;

export interface ObjectWrite {
  name: string;
  uid: string;
  data: string;
  component: string;
  spans: IndexSpans;
}

export interface ChangeSet {
  /** The sync token to hand back: the current state, or the end of this page when truncated. */
  token: string;
  changed: CalendarObject[];
  /** Names that existed at some point after the base revision and are gone now. */
  deleted: string[];
  /** More changes remain after `token` (RFC 6578 §3.6). */
  truncated: boolean;
}

/** Why a sync token was refused: never issued here (or forgotten), or expired by age. */
export interface SyncTokenRefusal {
  refused: 'unknown' | 'expired';
}

export interface CalendarStore {
  // Accounts and credentials
  createAccount(init: NewAccount): Account;
  getAccountByAppleId(appleId: string): Account | undefined;
  getAccountByDsid(dsid: string): Account | undefined;
  listAccounts(): Account[];
  setTwoFactor(dsid: string, enabled: boolean): Account;
  /** Whole-account changes iCloud makes on its own: a partition move, the Reminders upgrade. */
  updateAccount(dsid: string, patch: Partial<Pick<Account, 'partition' | 'movedHost' | 'remindersUpgraded'>>): Account;
  addAppPassword(dsid: string, label: string, password: string): AppPassword;
  revokeAppPassword(dsid: string, password: string): AppPassword;

  // An account's calendar home
  listHome(dsid: string): HomeEntry[];
  getHomeEntry(dsid: string, name: string): HomeEntry | undefined;
  createCalendar(dsid: string, init: NewCalendar): Calendar;
  updateCalendar(calendar: Calendar, patch: CalendarPatch): Calendar;
  shareCalendar(owner: Calendar, shareeDsid: string, access: ShareAccess, options?: { name?: string; displayName?: string; color?: string }): HomeEntry;
  subscribe(dsid: string, init: { name: string; displayName: string; source: string; color?: string; order?: number }): HomeEntry;
  /** Per-account presentation of a share or subscription (each sharee names and colours it). */
  updateHomeEntry(dsid: string, name: string, patch: { displayName?: string; color?: string; order?: number }): HomeEntry;
  /** DSIDs of the accounts an owned calendar is shared with. */
  shareesOf(calendar: Calendar): string[];
  /** Deletes an owned calendar with its objects (and every share of it), or removes a share/subscription. */
  deleteHomeEntry(dsid: string, name: string): void;

  // Calendar objects
  listObjects(calendar: Calendar): Iterable<CalendarObject>;
  countObjects(calendar: Calendar): number;
  getObject(calendar: Calendar, name: string): CalendarObject | undefined;
  /** The resource holding `uid` anywhere in the owner's account (iCloud's UID uniqueness, dossier §5). */
  findUid(ownerDsid: string, uid: string): { calendar: Calendar; name: string } | undefined;
  putObject(calendar: Calendar, write: ObjectWrite): { object: CalendarObject; created: boolean };
  deleteObject(calendar: Calendar, name: string): boolean;
  /** Re-stamps an object with a fresh etag and a change-log entry, content unchanged. Objects are never changed in place: this stores a new one. */
  touchObject(calendar: Calendar, name: string): CalendarObject | undefined;

  // Sync
  revision(calendar: Calendar): number;
  syncToken(calendar: Calendar): string;
  /**
   * Changes after `token` (null: every member), at most `limit` of them; `fits`, when given, is asked
   * about each changed object in turn and a false ends the page there (the first always fits).
   * A refusal when the token is not valid for this calendar: unknown, forgotten, another calendar's
   * (`unknown`), or older than the token lifetime allows (`expired`).
   */
  changesSince(calendar: Calendar, token: string | null, limit?: number, fits?: (object: CalendarObject) => boolean): ChangeSet | SyncTokenRefusal;
  /** What the calendar's change log holds and what reading it has cost (see change-log.ts). */
  changeLogStats(calendar: Calendar): ChangeLogStats;
  /** Invalidates every sync token issued so far (iCloud "may eventually drop a sync token"). */
  forgetSyncTokens(): void;
  queryTimeRange(calendar: Calendar, range: TimeRange): IndexMatch;

  /** Drops everything. */
  clear(): void;
}
