/**
 * PUT of a calendar object resource (RFC 4791 §5.3.2, RFC 9110 §9.3.4).
 * 201 on create, 204 on update, the new ETag in the response unless the `omit-etag` fault is on
 * (iCloud sometimes leaves it out, dossier §5). Same UID twice in one account → 403 `no-uid-conflict`.
 */
import { LIMITS } from '../http/body.js';
import { checkConditions } from '../http/conditions.js';
import { methodNotAllowed, precondition } from '../http/errors.js';
import { CALDAV, DAV } from '../../common/xml/names.js';
import { el } from '../xml/write.js';
import { normaliseLineEndings, validateCalendarObject } from './calendar-object.js';
import type { DavContext } from './context.js';
import { collectionHref, objectHref } from './resources.js';
import { scheduleAfterWrite } from '../scheduling/implicit.js';
import { rewriteOnPut } from './put-rewrites/index.js';
import { writableCalendar } from './shared.js';

export async function handlePut(ctx: DavContext): Promise<void> {
  const target = ctx.resource;
  if (target.kind === 'orphan') writableCalendar(target, 'PUT'); // 409: no such calendar
  if (target.kind !== 'object') throw methodNotAllowed(`PUT is only allowed on calendar object resources, not on ${target.href}`, 'OPTIONS, PROPFIND, PROPPATCH, REPORT, DELETE, MKCALENDAR');
  const view = writableCalendar(target, 'PUT');
  const contentType = (ctx.req.headers['content-type'] ?? '').toLowerCase();
  if (contentType && !contentType.startsWith('text/calendar')) {
    throw precondition(415, `Content-Type "${contentType}" is not text/calendar`, CALDAV('supported-calendar-data'));
  }
  // RFC 5545 §3.1.4: iCalendar is UTF-8; anything else is not valid calendar data (RFC 4791 §5.3.2.1).
  const sent = normaliseLineEndings(await ctx.body(LIMITS.icalendarBytes, (reason) => precondition(400, reason, CALDAV('valid-calendar-data'))));
  // From here to the write there is no await: conditions are checked against the object as it is
  // now, not as it was when the request arrived, so of concurrent If-Match writes exactly one wins.
  const current = ctx.store.getObject(view.calendar, target.name);
  checkConditions(ctx.req, current?.etag);
  const valid = validateCalendarObject(sent, view.calendar);
  // What iCloud may do to the object before storing it (each behind a quirk, off by default).
  const data = rewriteOnPut(sent, ctx.quirks, ctx);

  const holder = ctx.store.findUid(view.calendar.ownerDsid, valid.uid);
  if (holder && (holder.calendar !== view.calendar || holder.name !== target.name)) {
    const existing = objectHref(collectionHref(holder.calendar.ownerDsid, holder.calendar.name), holder.name);
    throw precondition(403, `UID ${valid.uid} is already stored at ${existing}`, CALDAV('no-uid-conflict'), [el(DAV('href'), existing)]);
  }
  if (current && current.uid !== valid.uid) {
    throw precondition(403, `the resource holds UID ${current.uid}; a PUT cannot change it to ${valid.uid}`, CALDAV('no-uid-conflict'), [el(DAV('href'), target.href)]);
  }

  const { object, created } = ctx.store.putObject(view.calendar, { name: target.name, uid: valid.uid, data, component: valid.component, spans: valid.spans });
  scheduleAfterWrite(ctx, view.calendar, target.href, current?.data, data);
  if (!ctx.effects.omitEtagOnPut) ctx.res.setHeader('ETag', object.etag);
  ctx.res.status(created ? 201 : 204).setHeader('Content-Length', '0');
  ctx.res.end();
}
