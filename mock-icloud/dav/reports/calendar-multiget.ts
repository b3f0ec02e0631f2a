/**
 * CALDAV:calendar-multiget REPORT (RFC 4791 §7.9). Each href is answered in request order; one
 * that names nothing (or something this account cannot see) gets its own 404 response inside the
 * 207, as iCloud does (dossier §4). Hrefs may be paths or absolute URLs on either origin.
 */
import { DavError } from '../../http/errors.js';
import { DAV } from '../../xml/names.js';
import { children, type XmlElement } from '../../xml/parse.js';
import type { XmlNode } from '../../xml/write.js';
import type { DavContext } from '../context.js';
import { multistatus, sendMultistatus, statusResponse } from '../multistatus.js';
import { resolveResource, type Resource } from '../resources.js';
import { memberResponse, requestedProps } from './common.js';

export function calendarMultiget(root: XmlElement, target: Extract<Resource, { kind: 'calendar' | 'subscribed' }>, ctx: DavContext): void {
  const props = requestedProps(root);
  const responses: XmlNode[] = [];
  for (const hrefEl of children(root, DAV('href'))) {
    const href = hrefEl.text.trim();
    // The multiget-404 fault: listed by sync-collection, not readable yet (dossier §4, [R]).
    const resource = target.kind === 'calendar' && !ctx.effects.multigetMissing ? lookup(href, ctx) : undefined;
    responses.push(resource ? memberResponse(resource, props, ctx) : statusResponse(href, 404));
  }
  sendMultistatus(ctx.res, multistatus(responses));
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
