/**
 * The live properties the mock serves, one registry entry each, with the values iCloud gives
 * (dossier §3). A getter returns the property's children, or `null` when the resource does not
 * have it: those go into a separate 404 propstat, as iCloud does.
 */
import { createHash } from 'node:crypto';
import { calendarTimezoneText } from '../../icalendar/index.js';
import { APPLE, CALDAV, CS, DAV, type QName } from '../../common/xml/names.js';
import { bare, el, type XmlNode } from '../xml/write.js';
import type { DavContext } from './context.js';
import { reportsOn } from './reports/registry.js';
import { principalHref, type Resource } from './resources.js';

type Getter = (resource: Resource, ctx: DavContext) => XmlNode[] | null;

interface PropertyDef {
  get: Getter;
  /** Returned for `<allprop/>` (RFC 4918 §9.1: the live properties defined there). */
  allprop?: boolean;
}

const href = (value: string) => el(DAV('href'), value);
const comp = (name: string) => el(CALDAV('comp'), undefined, { name });

const PRIV_READ = ['read', 'C:read-free-busy', 'read-current-user-privilege-set'];
const PRIV_WRITE = ['write', 'write-properties', 'write-content', 'bind', 'unbind'];

function privileges(names: string[]): XmlNode[] {
  return names.map((n) => bare(DAV('privilege'), el(n.startsWith('C:') ? CALDAV(n.slice(2)) : DAV(n))));
}

function privilegeNames(resource: Resource): string[] | null {
  switch (resource.kind) {
    case 'home':
      return [...PRIV_READ, ...PRIV_WRITE];
    case 'calendar':
      return resource.view.writable ? [...PRIV_READ, ...PRIV_WRITE] : PRIV_READ;
    case 'subscribed':
      return ['read', 'read-current-user-privilege-set', 'unbind'];
    case 'special':
      return resource.special === 'inbox'
        ? [...PRIV_READ, ...PRIV_WRITE, 'C:schedule-deliver']
        : resource.special === 'outbox'
          ? [...PRIV_READ, 'C:schedule-send']
          : ['read', 'read-current-user-privilege-set', 'unbind'];
    case 'object':
      return privilegeNames(resource.parent);
    case 'principal':
    case 'root':
      return ['read', 'read-current-user-privilege-set'];
    case 'missing-collection':
    case 'orphan':
      return null;
  }
}

/** An iCloud-looking ctag for collections that have no change log of their own. */
function derivedCtag(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  return Buffer.concat([Buffer.from([0x1f, 0x0a, 0x10, 0x12, 0x0c, 0x00, 0x00]), digest.subarray(0, 24)]).toString('base64');
}

function ctag(resource: Resource, ctx: DavContext): string | null {
  switch (resource.kind) {
    case 'calendar':
      return ctx.store.syncToken(resource.view.calendar);
    case 'home':
      // Changes whenever any calendar's contents or the set of calendars change.
      return derivedCtag(
        ctx.store
          .listHome(resource.account.dsid)
          .map((e) => (e.kind === 'subscribed' ? `${e.name}:${e.etag}` : `${e.name}:${ctx.store.syncToken(e.calendar)}`))
          .join('|'),
      );
    case 'subscribed':
      return derivedCtag(`${resource.href}:${resource.entry.etag}`);
    case 'special':
      return resource.special === 'outbox' ? null : derivedCtag(resource.href);
    default:
      return null;
  }
}

const PROPERTIES = new Map<QName, PropertyDef>([
  [DAV('current-user-principal'), { get: (_r, ctx) => [href(principalHref(ctx.account.dsid))] }],
  [DAV('principal-URL'), { get: (r) => (r.kind === 'principal' ? [href(r.href)] : null) }],
  [DAV('principal-collection-set'), { get: (r) => (r.kind === 'principal' ? [href('/principals/')] : null) }],
  [
    CALDAV('calendar-home-set'),
    // Absolute, on the partition origin, explicit port: the host switch clients must follow (dossier §1).
    { get: (r, ctx) => (r.kind === 'principal' ? [href(`${homeOrigin(ctx)}/${ctx.account.dsid}/calendars/`)] : null) },
  ],
  [
    CALDAV('calendar-user-address-set'),
    {
      get: (r, ctx) => (r.kind === 'principal' ? [el(DAV('href'), `mailto:${ctx.account.appleId}`, { preferred: '1' }), href(`${homeOrigin(ctx)}${principalHref(ctx.account.dsid)}`)] : null),
    },
  ],
  [CALDAV('schedule-inbox-URL'), { get: (r, ctx) => (r.kind === 'principal' ? [href(`/${ctx.account.dsid}/calendars/inbox/`)] : null) }],
  [CALDAV('schedule-outbox-URL'), { get: (r, ctx) => (r.kind === 'principal' ? [href(`/${ctx.account.dsid}/calendars/outbox/`)] : null) }],
  [
    DAV('displayname'),
    {
      allprop: true,
      get: (r) => {
        switch (r.kind) {
          case 'principal':
          case 'home':
            return [r.account.fullName]; // the home is named after the account holder (dossier §1)
          case 'calendar':
            return [(r.view.entry.kind === 'shared' && r.view.entry.displayName) || r.view.calendar.displayName];
          case 'subscribed':
            return [r.entry.displayName];
          default:
            return null;
        }
      },
    },
  ],
  [
    DAV('resourcetype'),
    {
      allprop: true,
      get: (r, ctx) => {
        const collection = el(DAV('collection'));
        switch (r.kind) {
          case 'root':
          case 'home':
            return [collection];
          case 'principal':
            return [collection, el(DAV('principal'))];
          case 'calendar': {
            const types: XmlNode[] = [collection, el(CALDAV('calendar'))];
            if (r.view.entry.kind === 'shared') types.push(el(CS('shared')));
            else if (ctx.store.shareesOf(r.view.calendar).length > 0) types.push(el(CS('shared-owner')));
            return types;
          }
          case 'subscribed':
            return [collection, el(CS('subscribed'))];
          case 'special':
            return [collection, el(r.special === 'inbox' ? CALDAV('schedule-inbox') : r.special === 'outbox' ? CALDAV('schedule-outbox') : CS('notification'))];
          case 'object':
            return [];
          case 'missing-collection':
          case 'orphan':
            return null;
        }
      },
    },
  ],
  [
    CALDAV('supported-calendar-component-set'),
    {
      get: (r) => {
        switch (r.kind) {
          case 'home':
            return [comp('VEVENT'), comp('VTODO'), comp('VFREEBUSY')];
          case 'calendar':
            return [comp(r.view.calendar.component)]; // exactly one per calendar (dossier §3)
          case 'subscribed':
            return [comp('VEVENT')];
          case 'special':
            return r.special === 'inbox' ? [comp('VEVENT')] : r.special === 'outbox' ? [comp('VEVENT'), comp('VTODO')] : null;
          default:
            return null;
        }
      },
    },
  ],
  [CS('getctag'), { get: (r, ctx) => wrap(ctag(r, ctx)) }],
  [DAV('sync-token'), { get: (r, ctx) => (r.kind === 'calendar' ? [ctx.store.syncToken(r.view.calendar)] : null) }],
  [
    DAV('getetag'),
    {
      allprop: true,
      get: (r) => (r.kind === 'object' ? wrap(r.object?.etag ?? null) : r.kind === 'calendar' ? [r.view.calendar.etag] : r.kind === 'subscribed' ? [r.entry.etag] : null),
    },
  ],
  [
    DAV('getcontenttype'),
    {
      allprop: true,
      get: (r) => (r.kind === 'object' ? ['text/calendar; charset=utf-8'] : r.kind === 'calendar' || r.kind === 'home' ? ['httpd/unix-directory'] : null),
    },
  ],
  [DAV('getcontentlength'), { allprop: true, get: (r) => (r.kind === 'object' && r.object ? [String(Buffer.byteLength(r.object.data))] : null) }],
  [DAV('getlastmodified'), { allprop: true, get: (r) => (r.kind === 'object' && r.object ? [new Date(r.object.modifiedAt).toUTCString()] : null) }],
  [
    APPLE('calendar-color'),
    {
      get: (r) =>
        r.kind === 'calendar' ? wrap((r.view.entry.kind === 'shared' && r.view.entry.color) || r.view.calendar.color || null) : r.kind === 'subscribed' ? wrap(r.entry.color ?? null) : null,
    },
  ],
  [APPLE('calendar-order'), { get: (r) => (r.kind === 'calendar' ? wrap(r.view.calendar.order?.toString() ?? null) : r.kind === 'subscribed' ? wrap(r.entry.order?.toString() ?? null) : null) }],
  [
    CALDAV('calendar-timezone'),
    // A whole VCALENDAR with the zone's VTIMEZONE, CRLF (lambdabaa/dav#130, dossier §3 [S]); tsdav's
    // fetchCalendars maps it to `timezone`. A calendar without a zone has none (404).
    { get: (r) => (r.kind === 'calendar' && r.view.calendar.timezone ? wrap(calendarTimezoneText(r.view.calendar.timezone) ?? null) : null) },
  ],
  [CALDAV('calendar-description'), { get: (r) => (r.kind === 'calendar' ? wrap(r.view.calendar.description ?? null) : null) }],
  [
    DAV('current-user-privilege-set'),
    {
      get: (r) => {
        const names = privilegeNames(r);
        return names ? privileges(names) : null;
      },
    },
  ],
  [
    DAV('supported-report-set'),
    {
      // Built from the report registry: listed exactly where answered (reports/registry.ts).
      get: (r) =>
        r.kind === 'object' || r.kind === 'missing-collection' || r.kind === 'orphan' ? null : reportsOn(r.kind).map((name) => bare(DAV('supported-report'), bare(DAV('report'), el(name)))),
    },
  ],
  [CS('source'), { get: (r) => (r.kind === 'subscribed' ? [href(r.entry.source)] : null) }],
]);

/** The partition origin the account lives on: the second one after a move (control.moveAccount). */
function homeOrigin(ctx: DavContext): string {
  return ctx.account.movedHost && ctx.urls.movedPartition ? ctx.urls.movedPartition : ctx.urls.partition;
}

function wrap(value: string | null): XmlNode[] | null {
  return value === null ? null : [value];
}

export function getProperty(name: QName, resource: Resource, ctx: DavContext): XmlNode[] | null {
  const def = PROPERTIES.get(name);
  return def ? def.get(resource, ctx) : null;
}

export function allpropNames(): QName[] {
  return [...PROPERTIES].filter(([, d]) => d.allprop).map(([n]) => n);
}

/** Every property this server knows, for `<propname/>`; a resource lists the ones it has. */
export function knownPropertyNames(): QName[] {
  return [...PROPERTIES.keys()];
}
