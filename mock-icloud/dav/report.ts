/**
 * REPORT (RFC 3253 §3.6) dispatch by the body's root element, one module per report in reports/.
 * free-busy-query is advertised by iCloud but refused with a bare 400 (dossier §4, [S]).
 */
import { LIMITS } from '../http/body.js';
import { DavError, precondition } from '../http/errors.js';
import { CALDAV, DAV } from '../xml/names.js';
import type { DavContext } from './context.js';
import { calendarMultiget } from './reports/calendar-multiget.js';
import { calendarQuery } from './reports/calendar-query.js';
import { syncCollection } from './reports/sync-collection.js';
import { parseXmlBody, requireExisting } from './shared.js';

const REPORTS = {
  [CALDAV('calendar-query')]: calendarQuery,
  [CALDAV('calendar-multiget')]: calendarMultiget,
  [DAV('sync-collection')]: syncCollection,
} as const;

export async function handleReport(ctx: DavContext): Promise<void> {
  const body = await ctx.body(LIMITS.xmlBytes);
  const root = parseXmlBody(body, null);
  if (root.name === CALDAV('free-busy-query')) throw new DavError(400, 'free-busy-query REPORT: iCloud answers 400 with an empty body (dossier §4)');
  const target = requireExisting(ctx.resource);
  if (!(root.name in REPORTS)) throw precondition(403, `REPORT ${root.name} is not supported`, DAV('supported-report'));
  Object.assign(ctx.effects, ctx.reportFaults(root.local));
  if (target.kind !== 'calendar' && target.kind !== 'subscribed') {
    throw precondition(403, `${root.local} is not supported on ${target.href}`, DAV('supported-report'));
  }
  REPORTS[root.name as keyof typeof REPORTS](root, target, ctx);
}
