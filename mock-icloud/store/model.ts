/**
 * The mock's data model: what an iCloud account holds, independent of how it is stored.
 */
export type ComponentType = 'VEVENT' | 'VTODO';

export interface AppPassword {
  /** `xxxx-xxxx-xxxx-xxxx`, as appleid.apple.com issues them. */
  password: string;
  label: string;
  createdAt: number;
  revokedAt?: number;
}

export interface Account {
  /** Directory Services ID: the number in every iCloud CalDAV path. */
  dsid: string;
  appleId: string;
  fullName: string;
  /** The regular Apple ID password, which CalDAV always refuses. */
  password: string;
  twoFactor: boolean;
  /** The `pNN` partition the account lives on; echoed in `x-apple-user-partition`. */
  partition: number;
  /** Set after a partition move (control.moveAccount): the account lives on the other partition host. */
  movedHost?: boolean;
  /** Upgraded to the new Reminders (control.upgradeReminders): VTODO lists are no longer on CalDAV. */
  remindersUpgraded?: boolean;
  appPasswords: AppPassword[];
}

/** A calendar collection owned by one account (it may also be shared with others). */
export interface Calendar {
  /** Unique for the life of the server; a deleted-and-recreated calendar gets a new one. */
  serial: number;
  ownerDsid: string;
  name: string;
  displayName: string;
  component: ComponentType;
  /** `#RRGGBBAA` */
  color?: string;
  order?: number;
  description?: string;
  /** IANA zone for floating times and all-day events in time-range queries (RFC 4791 §9.9). */
  timezone?: string;
  /** The collection resource's own etag: tracks creation and PROPPATCH, not contents (dossier §5). */
  etag: string;
}

export interface CalendarObject {
  /** Resource name inside the collection, e.g. `4F1E…-….ics`. */
  name: string;
  uid: string;
  /** Exactly as uploaded, line endings normalised to CRLF. */
  data: string;
  etag: string;
  modifiedAt: number;
  component: ComponentType | string;
}

export type ShareAccess = 'read-only' | 'read-write';

/** What a `/<dsid>/calendars/<name>/` URL resolves to in one account's home. */
export type HomeEntry =
  | { kind: 'owned'; name: string; calendar: Calendar }
  | {
      kind: 'shared';
      /** 64 hex digits, as iCloud names calendars others share with you. */
      name: string;
      calendar: Calendar;
      access: ShareAccess;
      displayName?: string;
      color?: string;
    }
  | {
      kind: 'subscribed';
      name: string;
      displayName: string;
      /** The webcal/https feed URL. */
      source: string;
      color?: string;
      order?: number;
      etag: string;
    };

/** Time spans of an object's instances, precomputed at write time for the time-range index. */
export interface IndexSpans {
  spans: Array<[number, number]>;
  /** Instances from here on were not listed (infinite or very long recurrence). */
  openEndedFrom?: number;
  /** With openEndedFrom: no unlisted instance ends after this (absent: the series never ends). */
  openEndedUntil?: number;
}
