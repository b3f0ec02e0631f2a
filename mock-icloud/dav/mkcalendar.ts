/**
 * MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC 5689), which vdirsyncer uses on iCloud.
 *
 * iCloud calendars hold exactly one component type; asking for two is refused with iCloud's 400
 * HTML page "Calendar SupportedCalendarComponentSet length exceeded…" (dossier §5). Without a
 * component set the calendar holds VEVENTs.
 */
import { LIMITS } from '../http/body.js';
import { badRequest, DavError, forbidden, methodNotAllowed, precondition } from '../http/errors.js';
import type { ComponentType } from '../store/model.js';
import type { NewCalendar } from '../store/store.js';
import { APPLE, CALDAV, DAV } from '../../common/xml/names.js';
import { child, type XmlElement } from '../../common/xml/parse.js';
import type { DavContext } from './context.js';
import { parseXmlBody } from './shared.js';
import { StateError } from '../store/store.js';
import { isKnownZone } from './calendar-object.js';

export async function handleMkcalendar(ctx: DavContext): Promise<void> {
  const target = ctx.resource;
  if (target.kind === 'orphan') {
    // RFC 4918 §9.3.1 (MKCOL), RFC 4791 §5.3.1: a missing intermediate collection is a 409 Conflict.
    throw new DavError(409, `${target.href} cannot be created: the collection "${target.missingCollection}" above it does not exist (and calendars cannot nest)`);
  }
  if (target.kind !== 'missing-collection') {
    throw methodNotAllowed(`${target.href} already exists or is not inside the calendar home`, 'OPTIONS, PROPFIND, PROPPATCH, REPORT, DELETE');
  }
  const body = await ctx.body(LIMITS.xmlBytes);
  const init: NewCalendar = { name: target.name };
  if (body.trim() !== '') {
    const isMkcol = ctx.req.method === 'MKCOL';
    const root = parseXmlBody(body, isMkcol ? DAV('mkcol') : CALDAV('mkcalendar'));
    const prop = child(child(root, DAV('set')) ?? root, DAV('prop'));
    if (prop) applyProps(prop, init, isMkcol);
    else if (isMkcol) throw forbidden('extended MKCOL without a resourcetype: only calendar collections can be created here');
  } else if (ctx.req.method === 'MKCOL') {
    throw forbidden('plain MKCOL: only calendar collections can be created in an iCloud calendar home');
  }
  if (init.component === 'VTODO' && target.account.remindersUpgraded) {
    // Upgraded Reminders live outside CalDAV (control.upgradeReminders, dossier §7).
    throw precondition(403, `${target.account.appleId} uses the new Reminders: task lists cannot be made over CalDAV`, CALDAV('supported-calendar-component'));
  }
  try {
    ctx.store.createCalendar(target.account.dsid, init);
  } catch (error) {
    if (error instanceof StateError) throw forbidden(error.message);
    throw error;
  }
  ctx.res.status(201).setHeader('Content-Length', '0');
  ctx.res.end();
}

function applyProps(prop: XmlElement, init: NewCalendar, isMkcol: boolean): void {
  if (isMkcol) {
    const resourcetype = child(prop, DAV('resourcetype'));
    if (!resourcetype || !child(resourcetype, CALDAV('calendar'))) {
      throw forbidden('extended MKCOL must create a calendar (resourcetype collection + calendar)');
    }
  }
  for (const p of prop.children) {
    switch (p.name) {
      case DAV('displayname'):
        init.displayName = p.text.trim();
        break;
      case APPLE('calendar-color'):
        init.color = p.text.trim();
        break;
      case APPLE('calendar-order'):
        init.order = Number(p.text.trim()) || undefined;
        break;
      case CALDAV('calendar-description'):
        init.description = p.text;
        break;
      case CALDAV('calendar-timezone'): {
        const tzid = /^TZID:(.+)$/m.exec(p.text.replace(/\r/g, ''));
        // A TZID that is not an IANA zone (custom or Windows names) leaves floating times in UTC.
        if (tzid && isKnownZone(tzid[1].trim())) init.timezone = tzid[1].trim();
        break;
      }
      case CALDAV('supported-calendar-component-set'): {
        const comps = p.children.filter((c) => c.name === CALDAV('comp')).map((c) => (c.attrs.name ?? '').toUpperCase());
        if (comps.length > 1) {
          throw badRequest(
            `MKCALENDAR asked for ${comps.join(' and ')}: iCloud calendars hold one component type`,
            'Calendar SupportedCalendarComponentSet length exceeded, only one calendar component type supported',
          );
        }
        if (comps.length === 1) {
          if (comps[0] !== 'VEVENT' && comps[0] !== 'VTODO') throw forbidden(`iCloud calendars hold VEVENT or VTODO, not ${comps[0]}`);
          init.component = comps[0] as ComponentType;
        }
        break;
      }
      default:
        break; // other properties are accepted and ignored ([U], FIDELITY.md)
    }
  }
}
