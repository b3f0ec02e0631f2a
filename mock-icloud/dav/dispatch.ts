/**
 * Method → handler table: one module per DAV method, as Radicale and CalendarServer keep them.
 */
import { methodNotAllowed } from '../http/errors.js';
import type { DavContext } from './context.js';
import { handleDelete } from './delete.js';
import { handleGet } from './get.js';
import { handleMkcalendar } from './mkcalendar.js';
import { ALLOWED_METHODS, handleOptions } from './options.js';
import { handlePropfind } from './propfind.js';
import { handleProppatch } from './proppatch.js';
import { handlePut } from './put.js';
import { handleReport } from './report.js';

const HANDLERS: Record<string, (ctx: DavContext) => Promise<void>> = {
  OPTIONS: handleOptions,
  GET: handleGet,
  HEAD: handleGet,
  PUT: handlePut,
  DELETE: handleDelete,
  PROPFIND: handlePropfind,
  PROPPATCH: handleProppatch,
  REPORT: handleReport,
  MKCALENDAR: handleMkcalendar,
  MKCOL: handleMkcalendar,
};

export function dispatch(ctx: DavContext): Promise<void> {
  const handler = HANDLERS[ctx.req.method];
  if (!handler) throw methodNotAllowed(`${ctx.req.method} is not supported`, ALLOWED_METHODS);
  return handler(ctx);
}
