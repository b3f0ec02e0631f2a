/**
 * Pieces every REPORT shares: the requested property list and the calendar-data value.
 */
import { LIMITS } from '../../http/body.js';
import { precondition } from '../../http/errors.js';
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

/** 403 `DAV:number-of-matches-within-limits`: Apple CalendarServer's answer to a REPORT that would return too much. */
export const tooManyMatches = (reason: string) => precondition(403, reason, DAV('number-of-matches-within-limits'));

/**
 * The calendar-data bytes one REPORT answer may carry (LIMITS.reportDataBytes), charged per member
 * before the answer is built. Without calendar-data in the request nothing is charged.
 */
export class ReportBudget {
  private spent = 0;
  private readonly withData: boolean;

  constructor(
    props: QName[],
    private readonly report: string,
    private readonly limit = LIMITS.reportDataBytes,
  ) {
    this.withData = props.includes(CALDAV('calendar-data'));
  }

  /** Whether `resource` still fits. */
  fits(resource: Resource): boolean {
    return !this.withData || this.spent + dataBytes(resource) <= this.limit;
  }

  /** Adds `resource` to the answer, or refuses the whole REPORT with 403. */
  charge(resource: Resource): void {
    if (!this.fits(resource)) {
      throw tooManyMatches(`${this.report} answer would carry more than ${this.limit} bytes of calendar-data; ask for fewer objects at a time`);
    }
    if (this.withData) this.spent += dataBytes(resource);
  }
}

function dataBytes(resource: Resource): number {
  // UTF-16 length: a lower bound on UTF-8 bytes and cheap; the limit is about order of magnitude.
  return resource.kind === 'object' && resource.object ? resource.object.data.length : 0;
}
