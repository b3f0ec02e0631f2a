/**
 * DELETE (RFC 4918 §9.6) of a calendar object (with `If-Match`), of an owned calendar (with its
 * objects), or of a share or subscription from the account's home (the owner's data stays).
 */
import { checkConditions } from '../http/conditions.js';
import { forbidden } from '../http/errors.js';
import type { DavContext } from './context.js';
import { scheduleAfterWrite } from '../scheduling/implicit.js';
import { requireExisting, writableCalendar } from './shared.js';

export async function handleDelete(ctx: DavContext): Promise<void> {
  const target = requireExisting(ctx.resource);
  switch (target.kind) {
    case 'object': {
      const view = writableCalendar(target, 'DELETE');
      checkConditions(ctx.req, target.object!.etag);
      ctx.store.deleteObject(view.calendar, target.name);
      scheduleAfterWrite(ctx, view.calendar, target.href, target.object!.data, undefined);
      break;
    }
    case 'calendar':
      checkConditions(ctx.req, target.view.calendar.etag);
      ctx.store.deleteHomeEntry(target.account.dsid, target.view.entry.name);
      break;
    case 'subscribed':
      ctx.store.deleteHomeEntry(target.account.dsid, target.entry.name);
      break;
    default:
      throw forbidden(`${target.href} cannot be deleted`);
  }
  ctx.res.status(204).end();
}
