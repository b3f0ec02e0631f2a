/**
 * Pieces every REPORT shares: the requested property list and the calendar-data value.
 */
import { CALDAV, DAV, type QName } from '../../xml/names.js';
import { child, type XmlElement } from '../../xml/parse.js';
import { cdata, type XmlNode } from '../../xml/write.js';
import type { DavContext } from '../context.js';
import { propertiesResponse } from '../multistatus.js';
import type { Resource } from '../resources.js';

/** The `<D:prop>` names of a REPORT body; a body without one asks for the etag only. */
export function requestedProps(root: XmlElement): QName[] {
  const prop = child(root, DAV('prop'));
  return prop ? prop.children.map((c) => c.name) : [DAV('getetag')];
}

/**
 * A member's response. calendar-data is the stored object verbatim in CDATA (iCloud, dossier §4);
 * `<C:expand>`/`<C:comp>` subsets are not applied ([U], FIDELITY.md).
 */
export function memberResponse(resource: Resource, props: QName[], ctx: DavContext) {
  return propertiesResponse(resource, props, ctx, (name): XmlNode[] | null | undefined => {
    if (name !== CALDAV('calendar-data')) return undefined;
    return resource.kind === 'object' && resource.object ? [cdata(resource.object.data)] : null;
  });
}
