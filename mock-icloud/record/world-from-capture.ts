/**
 * A world file from a capture: the account, calendars and events a recorded session saw, so the
 * mock can serve a real account's shape offline (`mock-icloud world-from-capture capture.har`).
 *
 * The exchanges are walked in order. Calendars come from the home's PROPFIND answers (display name,
 * component, colour, order, description; subscriptions with their source), events from every
 * calendar-data and GET body, and the session's own writes are followed: a PUT answered 201 created
 * an event, a DELETE removed one, a MKCALENDAR made a calendar. By default the world is the account
 * as it was when the recording *started* (what the session found, without what it created), so a
 * replay of the capture against a mock serving it meets the state the upstream had; `at: 'end'`
 * gives the state it left behind.
 *
 * The account gets the capture's (placeholder) user name and DSID, and a known app-specific password
 * (CAPTURE_APP_PASSWORD) for replays. A calendar shared with the account keeps its name and access;
 * since its owner is not in the capture, a stand-in account (`owner-1@example.invalid`) owns it.
 */
import { FixedClock } from '../../common/clock.js';
import { MockControl } from '../control/control.js';
import { FaultEngine } from '../control/faults.js';
import { Journal } from '../control/journal.js';
import { MemoryStore } from '../store/memory-store.js';
import { NS, qname } from '../../common/xml/names.js';
import { child, children } from '../../common/xml/parse.js';
import { validateWorld, type World, type WorldAccount, type WorldCalendar, type WorldEvent } from '../world/schema.js';
import { header, responseText, type Har } from './har.js';
import { C, D, hrefPath, okProp, readMultistatus } from './multistatus.js';

/** The app-specific password a world built from a capture accepts. */
export const CAPTURE_APP_PASSWORD = 'capt-ured-worl-dpwd';
/** The Apple ID when the capture does not say (a capture from another tool). */
export const CAPTURE_DEFAULT_USER = 'appleid-1@example.invalid';

export interface WorldFromCaptureOptions {
  /** `start` (default): the account before the session's own writes; `end`: after them. */
  at?: 'start' | 'end';
  /** Told about what could not be carried over, one line each. */
  warn?: (line: string) => void;
}

interface SeenCalendar {
  name: string;
  props: { displayName?: string; component?: 'VEVENT' | 'VTODO'; color?: string; order?: number; description?: string; timezone?: string };
  subscribed?: string;
  shared?: boolean;
  /** For a shared calendar: whether the sharee may write (DAV:write in its privileges). */
  writable?: boolean;
  createdInCapture: boolean;
  existsAtEnd: boolean;
}

interface SeenEvent {
  /** Content when the recording started (undefined when the session created it). */
  initial?: string;
  /** Content at the end (undefined once deleted). */
  current?: string;
  createdInCapture: boolean;
}

export function worldFromCapture(har: Har, options: WorldFromCaptureOptions = {}): World {
  const warn = options.warn ?? (() => undefined);
  const entries = har.log.entries;
  let principalPath: string | undefined;
  let homePath: string | undefined;
  let fullName: string | undefined;
  let partition: number | undefined;
  const calendars = new Map<string, SeenCalendar>();
  const events = new Map<string, Map<string, SeenEvent>>();

  /** `/<dsid>/calendars/work/x.ics` → ['work', 'x.ics'] when it is under the home. */
  const split = (path: string): [string, string | undefined] | undefined => {
    if (!homePath || !path.startsWith(homePath)) return undefined;
    const [cal, resource, ...more] = path.slice(homePath.length).split('/').filter(Boolean);
    if (!cal || more.length) return undefined;
    return [cal, resource];
  };
  const eventSeen = (cal: string, resource: string, data: string | undefined, how: 'read' | 'created' | 'written' | 'deleted') => {
    let byName = events.get(cal);
    if (!byName) events.set(cal, (byName = new Map()));
    const known = byName.get(resource);
    if (!known) {
      if (how === 'deleted') byName.set(resource, { createdInCapture: false });
      else byName.set(resource, { initial: how === 'created' ? undefined : data, current: data, createdInCapture: how === 'created' });
      return;
    }
    known.current = how === 'deleted' ? undefined : data;
  };

  for (const entry of entries) {
    const { method } = entry.request;
    const path = hrefPath(entry.request.url);
    const status = entry.response.status;
    const body = responseText(entry.response);
    const ok = status >= 200 && status < 300;
    partition ??= numberOrUndefined(header(entry.response.headers, 'x-apple-user-partition'));

    const ms = readMultistatus(body);
    for (const r of ms ?? []) {
      const principal = okProp(r, D('current-user-principal'));
      const principalHref = principal && child(principal, D('href'))?.text.trim();
      if (principalHref) principalPath ??= withSlash(hrefPath(principalHref));
      const home = okProp(r, C('calendar-home-set'));
      const homeHref = home && child(home, D('href'))?.text.trim();
      if (homeHref) {
        homePath ??= withSlash(hrefPath(homeHref));
        fullName ??= okProp(r, D('displayname'))?.text.trim() || undefined;
      }
    }
    if (!homePath) continue;

    // Calendars: the home's members that are calendars or subscriptions.
    for (const r of ms ?? []) {
      if (withSlash(hrefPath(r.href)) === homePath) fullName ??= okProp(r, D('displayname'))?.text.trim() || undefined;
      const at = split(hrefPath(r.href));
      if (!at) continue;
      const [cal, resource] = at;
      if (resource === undefined && method === 'PROPFIND') {
        const type = okProp(r, D('resourcetype'));
        if (!type) continue;
        const isCalendar = child(type, C('calendar')) !== undefined;
        const subscribed = child(type, qname(NS.CS, 'subscribed')) !== undefined;
        if (!isCalendar && !subscribed) continue;
        const seen = calendars.get(cal) ?? { name: cal, props: {}, createdInCapture: false, existsAtEnd: true };
        Object.assign(seen.props, definedOnly(calendarProps(r)));
        if (subscribed) seen.subscribed = okProp(r, qname(NS.CS, 'source'))?.children[0]?.text.trim() || seen.subscribed || '';
        if (child(type, qname(NS.CS, 'shared'))) seen.shared = true;
        const privileges = okProp(r, D('current-user-privilege-set'));
        if (privileges) seen.writable = privileges.children.some((p) => p.children.some((c) => c.name === D('write') || c.name === D('write-content') || c.name === D('all')));
        calendars.set(cal, seen);
      } else if (resource !== undefined) {
        const data = okProp(r, C('calendar-data'))?.text;
        if (data?.trim()) eventSeen(cal, resource, data, 'read');
        else if (r.status === 404 && method === 'REPORT' && /sync-collection/.test(entry.request.postData?.text ?? '')) eventSeen(cal, resource, undefined, 'deleted');
      }
    }

    // The session's own writes, and plain GETs.
    const at = split(path);
    if (!at || !ok) continue;
    const [cal, resource] = at;
    if (resource === undefined) {
      if (method === 'MKCALENDAR') calendars.set(cal, { name: cal, props: mkcalendarProps(entry.request.postData?.text ?? ''), createdInCapture: !calendars.has(cal), existsAtEnd: true });
      if (method === 'DELETE' && calendars.has(cal)) calendars.get(cal)!.existsAtEnd = false;
    } else if (method === 'PUT') eventSeen(cal, resource, entry.request.postData?.text ?? '', status === 201 ? 'created' : 'written');
    else if (method === 'DELETE') eventSeen(cal, resource, undefined, 'deleted');
    else if (method === 'GET' && /calendar/i.test(header(entry.response.headers, 'content-type') ?? '')) eventSeen(cal, resource, body, 'read');
  }

  const atEnd = options.at === 'end';
  const worldCalendars: WorldCalendar[] = [];
  const owners: WorldAccount[] = [];
  for (const c of calendars.values()) {
    if (atEnd ? !c.existsAtEnd : c.createdInCapture) continue;
    if (c.subscribed !== undefined) {
      worldCalendars.push({
        subscribed: c.subscribed || 'https://example.invalid/unknown-source.ics',
        name: c.name,
        displayName: c.props.displayName ?? c.name,
        ...(c.props.color ? { color: c.props.color } : {}),
      });
      continue;
    }
    const list: WorldEvent[] = [];
    for (const [name, e] of events.get(c.name) ?? []) {
      const ics = atEnd ? e.current : e.initial;
      if (ics === undefined || (!atEnd && e.createdInCapture)) continue;
      list.push({ name, ics: ics.replace(/\r\n/g, '\n') });
    }
    if (c.shared) {
      // The owner is not in the capture: a stand-in account owns the calendar and shares it back.
      const owner = `owner-${owners.length + 1}@example.invalid`;
      owners.push({
        appleId: owner,
        fullName: `Owner ${owners.length + 1}`,
        password: 'not-an-app-password',
        twoFactor: true,
        calendars: [definedOnly({ name: 'shared', displayName: c.props.displayName, component: c.props.component, events: list }) as WorldCalendar],
      });
      worldCalendars.push(
        definedOnly({
          sharedFrom: { owner, calendar: 'shared', access: c.writable ? 'read-write' : 'read-only' },
          name: c.name,
          displayName: c.props.displayName,
          color: c.props.color,
        }) as WorldCalendar,
      );
      continue;
    }
    worldCalendars.push(definedOnly({ name: c.name, ...c.props, events: list }) as WorldCalendar);
  }
  const dsid = /^\/(\d+)\/principal\/$/.exec(principalPath ?? '')?.[1];
  const started = entries[0]?.startedDateTime;
  const world = validateWorld({
    description: `Built by mock-icloud world-from-capture: the account as the capture saw it at its ${atEnd ? 'end' : 'start'}`,
    ...(started && !Number.isNaN(Date.parse(started)) ? { now: new Date(Date.parse(started)).toISOString() } : {}),
    accounts: [
      definedOnly({
        appleId: har.log._capture?.user ?? CAPTURE_DEFAULT_USER,
        fullName: fullName ?? 'Person 1',
        dsid,
        partition,
        password: 'not-an-app-password',
        twoFactor: true,
        appPasswords: [CAPTURE_APP_PASSWORD],
        calendars: worldCalendars,
      }),
      ...owners,
    ],
  });
  return dropUnloadableEvents(world, warn);
}

/**
 * The mock refuses some iCalendar iCloud (or another upstream) stored: such an event is left out
 * with a warning, so the world still loads.
 */
function dropUnloadableEvents(world: World, warn: (line: string) => void): World {
  const clock = new FixedClock(Date.parse(world.now ?? '2026-01-01T00:00:00Z'));
  const control = new MockControl({ store: new MemoryStore(clock), journal: new Journal(), faults: new FaultEngine(), clock });
  const bare = structuredClone(world);
  for (const a of bare.accounts) for (const c of a.calendars ?? []) if ('events' in c) c.events = [];
  control.loadWorld(bare);
  for (const account of world.accounts) {
    for (const calendar of account.calendars ?? []) {
      if (!('events' in calendar) || !calendar.events) continue;
      calendar.events = calendar.events.filter((e) => {
        try {
          control.addEvent(account.appleId, calendar.name, e);
          return true;
        } catch (error) {
          warn(`event ${calendar.name}/${e.name} left out: the mock refuses it (${(error as Error).message})`);
          return false;
        }
      });
    }
  }
  return world;
}

function calendarProps(r: Parameters<typeof okProp>[0]): SeenCalendar['props'] {
  const comps = (() => {
    const set = okProp(r, C('supported-calendar-component-set'));
    return set ? children(set, C('comp')).map((c) => c.attrs.name?.toUpperCase()) : [];
  })();
  const color = okProp(r, qname(NS.APPLE, 'calendar-color'))?.text.trim();
  return {
    displayName: okProp(r, D('displayname'))?.text.trim() || undefined,
    component: comps.includes('VEVENT') ? 'VEVENT' : comps.includes('VTODO') ? 'VTODO' : undefined,
    color: color && /^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$/.test(color) ? color : undefined,
    order: numberOrUndefined(okProp(r, qname(NS.APPLE, 'calendar-order'))?.text),
    description: okProp(r, C('calendar-description'))?.text.trim() || undefined,
    // CALDAV:calendar-timezone holds a VTIMEZONE; the world keeps its zone name.
    timezone: /^TZID:(.+)$/m.exec(okProp(r, C('calendar-timezone'))?.text.replace(/\r/g, '') ?? '')?.[1]?.trim() || undefined,
  };
}

function mkcalendarProps(xml: string): SeenCalendar['props'] {
  const pick = (local: string) => new RegExp(`<(?:[\\w.-]+:)?${local}\\b[^>]*>([^<]*)<`).exec(xml)?.[1]?.trim() || undefined;
  const comp = /<(?:[\w.-]+:)?comp\b[^>]*name=["'](\w+)["']/.exec(xml)?.[1]?.toUpperCase();
  return definedOnly({ displayName: pick('displayname'), component: comp === 'VTODO' ? 'VTODO' : comp === 'VEVENT' ? 'VEVENT' : undefined });
}

function numberOrUndefined(text: string | undefined): number | undefined {
  if (text === undefined || !text.trim()) return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : undefined;
}

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
