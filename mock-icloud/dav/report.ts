/**
 * REPORT (RFC 3253 §3.6) dispatch by the body's root element, through the report registry
 * (reports/registry.ts): one module per report, and the same list supported-report-set is built
 * from, so what is advertised and what is answered cannot drift apart.
 */
import { LIMITS } from '../http/body.js';
import { precondition } from '../http/errors.js';
import { DAV } from '../../common/xml/names.js';
import type { DavContext } from './context.js';
import { isKnownReport, reportFor } from './reports/registry.js';
import { parseXmlBody, requireExisting } from './shared.js';

export async function handleReport(ctx: DavContext): Promise<void> {
  const body = await ctx.body(LIMITS.xmlBytes);
  const root = parseXmlBody(body, null);
  const target = requireExisting(ctx.resource);
  if (!isKnownReport(root.name)) throw precondition(403, `REPORT ${root.name} is not supported`, DAV('supported-report'));
  Object.assign(ctx.effects, ctx.reportFaults(root.local));
  const report = reportFor(root.name, target);
  // RFC 3253 §3.6: a report the resource does not list in supported-report-set is 403 supported-report.
  if (!report || (target.kind !== 'calendar' && target.kind !== 'subscribed')) {
    throw precondition(403, `${root.local} is not supported on ${target.href}`, DAV('supported-report'));
  }
  await report.run(root, target, ctx);
}
