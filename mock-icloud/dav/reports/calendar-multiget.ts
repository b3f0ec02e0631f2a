/**
 * CALDAV:calendar-multiget REPORT (RFC 4791 §7.9). Each href is answered in request order; one
 * that names nothing (or something this account cannot see) gets its own 404 response inside the
 * 207, as iCloud does (dossier §4). Hrefs may be paths or absolute URLs on either origin.
 *
 * What one request can cost is bounded before the answer is built: an href repeated verbatim is
 * answered once, more than LIMITS.multigetHrefs distinct hrefs are refused, and so is an answer
 * whose calendar-data would exceed LIMITS.reportDataBytes (both 403
 * `DAV:number-of-matches-within-limits`, as Apple CalendarServer answers, FIDELITY.md).
 */
import { LIMITS } from '../../http/body.js';
import { DavError } from '../../http/errors.js';
import { CALDAV, DAV } from '../../../common/xml/names.js';
import { children, type XmlElement } from '../../../common/xml/parse.js';
import type { XmlNode } from '../../xml/write.js';
import type { DavContext } from '../context.js';
import { lazily, sendMultistatus, statusResponse } from '../multistatus.js';
import { resolveResource, type Resource } from '../resources.js';
import { calendarDataSpec, memberResponse, requestedProps, ReportBudget, servesStoredData, tooManyMatches } from './common.js';
import type { ReportDefinition } from './registry.js';

export async function calendarMultiget(root: XmlElement, target: Extract<Resource, { kind: 'calendar' | 'subscribed' }>, ctx: DavContext): Promise<void> {
  const props = requestedProps(root);
  const hrefs = [...new Set(children(root, DAV('href')).map((h) => h.text.trim()))];
  if (hrefs.length > LIMITS.multigetHrefs) throw tooManyMatches(`calendar-multiget names ${hrefs.length} distinct hrefs; the limit is ${LIMITS.multigetHrefs}`);
  // Resolve everything and size the answer before building any of it.
  const budget = new ReportBudget(props, 'calendar-multiget');
  const resolved = hrefs.map((href) => {
    // The multiget-404 fault: listed by sync-collection, not readable yet (dossier §4, [R]).
    const resource = target.kind === 'calendar' && !ctx.effects.multigetMissing ? lookup(href, ctx) : undefined;
    if (resource) budget.charge(resource);
    return { href, resource };
  });
  const spec = calendarDataSpec(root, ctx);
  const answer = (at: (typeof resolved)[number]): XmlNode => (at.resource ? memberResponse(at.resource, props, ctx, spec) : statusResponse(at.href, 404));
  // Stored data served as it is cannot fail, so it is made as it is sent; an expansion is made first.
  await sendMultistatus(ctx.res, servesStoredData(spec) ? lazily(resolved, answer) : resolved.map(answer));
}

function lookup(href: string, ctx: DavContext): Resource | undefined {
  let path = href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) {
    try {
      path = new URL(href).pathname;
    } catch {
      return undefined;
    }
  }
  try {
    const resource = resolveResource(path, ctx.account, ctx.store);
    return resource.kind === 'object' && resource.object ? resource : undefined;
  } catch (error) {
    if (error instanceof DavError) return undefined;
    throw error;
  }
}

export const calendarMultigetReport: ReportDefinition = { name: CALDAV('calendar-multiget'), on: ['calendar', 'subscribed'], run: calendarMultiget };
