/**
 * OPTIONS (RFC 4918 §10.1): the DAV compliance classes and the methods allowed on the resource.
 */
import { davHeader } from '../http/headers.js';
import type { DavContext } from './context.js';

export const ALLOWED_METHODS = 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCALENDAR, MKCOL';

export async function handleOptions(ctx: DavContext): Promise<void> {
  ctx.res.status(200);
  ctx.res.setHeader('DAV', davHeader(ctx.quirks.implicitScheduling === 'on'));
  ctx.res.setHeader('Allow', ALLOWED_METHODS);
  ctx.res.setHeader('Content-Length', '0');
  ctx.res.end();
}
