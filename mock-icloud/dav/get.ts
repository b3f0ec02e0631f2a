/**
 * GET and HEAD of a calendar object resource: the stored bytes, as uploaded (CRLF), with its ETag.
 * Collections have no GET representation here (405); iCloud's answer is unknown ([U], FIDELITY.md).
 */
import { etagList } from '../http/conditions.js';
import { DavError, methodNotAllowed } from '../http/errors.js';
import type { DavContext } from './context.js';
import { requireExisting } from './shared.js';

export async function handleGet(ctx: DavContext): Promise<void> {
  const target = requireExisting(ctx.resource);
  if (target.kind !== 'object' || !target.object) {
    throw methodNotAllowed(`GET is not supported on the collection ${target.href}`, 'OPTIONS, PROPFIND, PROPPATCH, REPORT, DELETE, MKCALENDAR');
  }
  const { object } = target;
  // RFC 9110 §13.1.2: If-None-Match naming the current etag (or *) on GET/HEAD is 304 Not Modified;
  // RFC 9110 §13.1.1: an If-Match that does not is 412.
  const ifNoneMatch = ctx.req.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && etagList(ifNoneMatch).some((t) => t === '*' || t === object.etag)) {
    ctx.res.status(304).setHeader('ETag', object.etag);
    ctx.res.end();
    return;
  }
  const ifMatch = ctx.req.headers['if-match'];
  if (typeof ifMatch === 'string' && !etagList(ifMatch).some((t) => t === '*' || t === object.etag)) {
    throw new DavError(412, `If-Match ${ifMatch} does not match the current etag ${object.etag}`);
  }
  ctx.res.status(200);
  ctx.res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
  ctx.res.setHeader('ETag', object.etag);
  ctx.res.setHeader('Last-Modified', new Date(object.modifiedAt).toUTCString());
  ctx.res.setHeader('Content-Length', String(Buffer.byteLength(object.data)));
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : object.data);
}
