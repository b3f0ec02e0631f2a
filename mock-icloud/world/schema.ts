/**
 * The world file: a readable, editable description of iCloud accounts, their calendars and events
 * (fixtures/worlds/*.yaml). Validation names the exact place and problem, so QA can fix a file
 * without reading code.
 */
export interface WorldAppPassword {
  password: string;
  label?: string;
  revoked?: boolean;
}

export interface WorldEvent {
  /** Resource name; defaults to `<UID>.ics`. */
  name?: string;
  /** iCalendar text inline (LF line endings are turned into CRLF). */
  ics?: string;
  /** A .ics file, relative to the world file. */
  file?: string;
}

export interface WorldOwnedCalendar {
  name: string;
  displayName?: string;
  component?: 'VEVENT' | 'VTODO';
  color?: string;
  order?: number;
  description?: string;
  /** IANA zone for floating and all-day times in time-range queries. */
  timezone?: string;
  events?: WorldEvent[];
}

export interface WorldSharedCalendar {
  sharedFrom: { owner: string; calendar: string; access?: 'read-only' | 'read-write' };
  /** Defaults to the 64-hex name iCloud gives shared calendars. */
  name?: string;
  displayName?: string;
  color?: string;
}

export interface WorldSubscribedCalendar {
  subscribed: string;
  name: string;
  displayName: string;
  color?: string;
  order?: number;
}

export type WorldCalendar = WorldOwnedCalendar | WorldSharedCalendar | WorldSubscribedCalendar;

export interface WorldAccount {
  appleId: string;
  fullName: string;
  dsid?: string;
  partition?: number;
  /** The regular Apple ID password (CalDAV refuses it). */
  password: string;
  twoFactor?: boolean;
  appPasswords?: Array<string | WorldAppPassword>;
  calendars?: WorldCalendar[];
}

export interface World {
  /** Optional description for people reading the file. */
  description?: string;
  /** Pins the mock's clock (ISO 8601) so etags and tokens are the same on every run. */
  now?: string;
  accounts: WorldAccount[];
}

export class WorldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorldError';
  }
}

type Obj = Record<string, unknown>;

function fail(where: string, message: string): never {
  throw new WorldError(`${where}: ${message}`);
}

function object(value: unknown, where: string, keys: string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'expected a mapping');
  for (const key of Object.keys(value)) if (!keys.includes(key)) fail(where, `unknown key "${key}" (expected one of: ${keys.join(', ')})`);
  return value as Obj;
}

function str(o: Obj, key: string, where: string, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return required ? fail(where, `"${key}" is required`) : undefined;
  if (typeof v !== 'string' && typeof v !== 'number') fail(where, `"${key}" must be text`);
  return String(v);
}

function num(o: Obj, key: string, where: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, `"${key}" must be a number`);
  return v;
}

function bool(o: Obj, key: string, where: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(where, `"${key}" must be true or false`);
  return v;
}

function list(o: Obj, key: string, where: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(where, `"${key}" must be a list`);
  return v;
}

function strip<T extends Obj>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/** Checks a parsed YAML/JSON document and returns it typed, or throws WorldError naming the spot. */
export function validateWorld(input: unknown): World {
  const root = object(input, 'world', ['description', 'now', 'accounts']);
  const now = str(root, 'now', 'world', false);
  if (now !== undefined && Number.isNaN(Date.parse(now))) fail('world', `"now" is not an ISO 8601 time: ${now}`);
  const accounts = list(root, 'accounts', 'world').map((a, i) => validateAccount(a, `accounts[${i}]`));
  return strip({ description: str(root, 'description', 'world', false), now, accounts });
}

function validateAccount(input: unknown, where: string): WorldAccount {
  const o = object(input, where, ['appleId', 'fullName', 'dsid', 'partition', 'password', 'twoFactor', 'appPasswords', 'calendars']);
  const appleId = str(o, 'appleId', where, true)!;
  const here = `${where} (${appleId})`;
  return strip({
    appleId,
    fullName: str(o, 'fullName', here, true)!,
    dsid: str(o, 'dsid', here, false),
    partition: num(o, 'partition', here),
    password: str(o, 'password', here, true)!,
    twoFactor: bool(o, 'twoFactor', here),
    appPasswords: list(o, 'appPasswords', here).map((p, i) => {
      if (typeof p === 'string') return p;
      const po = object(p, `${here}.appPasswords[${i}]`, ['password', 'label', 'revoked']);
      return strip({ password: str(po, 'password', `${here}.appPasswords[${i}]`, true)!, label: str(po, 'label', here, false), revoked: bool(po, 'revoked', here) });
    }),
    calendars: list(o, 'calendars', here).map((c, i) => validateCalendar(c, `${here}.calendars[${i}]`)),
  });
}

function validateCalendar(input: unknown, where: string): WorldCalendar {
  const probe = object(input, where, ['name', 'displayName', 'component', 'color', 'order', 'description', 'timezone', 'events', 'sharedFrom', 'subscribed']);
  if (probe.sharedFrom !== undefined) {
    const o = object(input, where, ['sharedFrom', 'name', 'displayName', 'color']);
    const s = object(o.sharedFrom, `${where}.sharedFrom`, ['owner', 'calendar', 'access']);
    const access = str(s, 'access', `${where}.sharedFrom`, false);
    if (access !== undefined && access !== 'read-only' && access !== 'read-write') fail(`${where}.sharedFrom`, `access must be read-only or read-write, not "${access}"`);
    return strip({
      sharedFrom: strip({ owner: str(s, 'owner', `${where}.sharedFrom`, true)!, calendar: str(s, 'calendar', `${where}.sharedFrom`, true)!, access: access as 'read-only' | 'read-write' | undefined }),
      name: str(o, 'name', where, false),
      displayName: str(o, 'displayName', where, false),
      color: color(o, where),
    });
  }
  if (probe.subscribed !== undefined) {
    const o = object(input, where, ['subscribed', 'name', 'displayName', 'color', 'order']);
    return strip({ subscribed: str(o, 'subscribed', where, true)!, name: str(o, 'name', where, true)!, displayName: str(o, 'displayName', where, true)!, color: color(o, where), order: num(o, 'order', where) });
  }
  const o = probe;
  const name = str(o, 'name', where, true)!;
  const component = str(o, 'component', where, false);
  if (component !== undefined && component !== 'VEVENT' && component !== 'VTODO') fail(where, `component must be VEVENT or VTODO (iCloud calendars hold one), not "${component}"`);
  return strip({
    name,
    displayName: str(o, 'displayName', where, false),
    component: component as 'VEVENT' | 'VTODO' | undefined,
    color: color(o, where),
    order: num(o, 'order', where),
    description: str(o, 'description', where, false),
    timezone: str(o, 'timezone', where, false),
    events: list(o, 'events', where).map((e, i) => {
      const ew = `${where} (${name}).events[${i}]`;
      const eo = object(e, ew, ['name', 'ics', 'file']);
      if ((eo.ics === undefined) === (eo.file === undefined)) fail(ew, 'give exactly one of "ics" (inline iCalendar) or "file" (a path)');
      return strip({ name: str(eo, 'name', ew, false), ics: str(eo, 'ics', ew, false), file: str(eo, 'file', ew, false) });
    }),
  });
}

function color(o: Obj, where: string): string | undefined {
  const c = str(o, 'color', where, false);
  if (c !== undefined && !/^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$/.test(c)) fail(where, `color must be #RRGGBB or #RRGGBBAA, not "${c}"`);
  return c && (c.length === 7 ? `${c}FF` : c).toUpperCase();
}

export function isShared(c: WorldCalendar): c is WorldSharedCalendar {
  return 'sharedFrom' in c;
}

export function isSubscribed(c: WorldCalendar): c is WorldSubscribedCalendar {
  return 'subscribed' in c;
}
