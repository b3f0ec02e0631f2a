/**
 * GET and HEAD of a calendar object resource: the stored bytes, as uploaded (CRLF), with its ETag.
 * Collections have no GET representation here (405); iCloud's answer is unknown ([U], FIDELITY.md).
 */
import { checkConditions } from '../http/conditions.js';
import { methodNotAllowed } from '../http/errors.js';
import type { DavContext } from './context.js';
import { servedData } from './read-time-dtstamp.js';
import { requireExisting } from './shared.js';

export async function handleGet(ctx: DavContext): Promise<void> {
  const target = requireExisting(ctx.resource);
  if (target.kind !== 'object' || !target.object) {
    throw methodNotAllowed(`GET is not supported on the collection ${target.href}`, 'OPTIONS, PROPFIND, PROPPATCH, REPORT, DELETE, MKCALENDAR');
  }
  const { object } = target;
  // RFC 9110 §13.2.2: If-Match (strong, 412), then If-None-Match (weak, 304 on GET/HEAD).
  if (checkConditions(ctx.req, object.etag) === 'not-modified') {
    ctx.res.status(304).setHeader('ETag', object.etag);
    ctx.res.end();
    return;
  }
  ctx.res.status(200);
  ctx.res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
  ctx.res.setHeader('ETag', object.etag);
  ctx.res.setHeader('Last-Modified', new Date(object.modifiedAt).toUTCString());
  // The etag is the stored object's; the bytes may carry a read-time DTSTAMP (read-time-dtstamp.ts).
  const data = servedData(object.data, ctx);
  ctx.res.setHeader('Content-Length', String(Buffer.byteLength(data)));
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : data);
}
