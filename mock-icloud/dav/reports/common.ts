/**
 * Pieces every REPORT shares: the requested property list and the calendar-data value.
 */
import { expandRecurrenceSet, limitRecurrenceSet, parseICalendar, type TimeWindow } from '../../../icalendar/index.js';
import { LIMITS } from '../../http/body.js';
import { badRequest, precondition } from '../../http/errors.js';
import { CALDAV, DAV, type QName } from '../../../common/xml/names.js';
import { child, type XmlElement } from '../../../common/xml/parse.js';
import { cdata, type XmlNode } from '../../xml/write.js';
import type { DavContext } from '../context.js';
import { propertiesResponse } from '../multistatus.js';
import { servedData } from '../read-time-dtstamp.js';
import type { Resource } from '../resources.js';

/** The `<D:prop>` names of a REPORT body; a body without one asks for the etag only. */
export function requestedProps(root: XmlElement): QName[] {
  const prop = child(root, DAV('prop'));
  return prop ? prop.children.map((c) => c.name) : [DAV('getetag')];
}

/** What `<C:calendar-data>` asks of the recurrence set (RFC 4791 §9.6.5, §9.6.6). */
export interface CalendarDataSpec {
  expand?: TimeWindow;
  limitRecurrenceSet?: TimeWindow;
}

/**
 * The recurrence modifiers inside `<D:prop><C:calendar-data>`, when the `recurrenceExpansion` quirk
 * lets the mock honour them; `<C:comp>` subsets are never applied (FIDELITY.md).
 */
export function calendarDataSpec(root: XmlElement, ctx: DavContext): CalendarDataSpec {
  const data = child(child(root, DAV('prop')) ?? root, CALDAV('calendar-data'));
  if (!data || ctx.quirks.recurrenceExpansion === 'as-stored') return {};
  const window = (el: XmlElement | undefined): TimeWindow | undefined => {
    if (!el) return undefined;
    // Both attributes are required (RFC 4791 §9.6.5/§9.6.6); CalendarServer answers 400 without them.
    if (el.attrs.start === undefined || el.attrs.end === undefined) throw badRequest(`<${el.local}> needs both start and end`);
    const range = { start: parseUtcValue(el.attrs.start), end: parseUtcValue(el.attrs.end) };
    if (!(range.start < range.end)) throw badRequest(`<${el.local}> start ${el.attrs.start} is not before end ${el.attrs.end}`);
    return range;
  };
  return { expand: window(child(data, CALDAV('expand'))), limitRecurrenceSet: window(child(data, CALDAV('limit-recurrence-set'))) };
}

function parseUtcValue(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (!m) throw badRequest(`"${value}" is not a UTC date-time like 20260101T000000Z`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/**
 * A member's response. calendar-data is the stored object verbatim in CDATA (iCloud, dossier §4),
 * unless `spec` asks for an expansion or a limited recurrence set and the quirk allows it.
 */
export function memberResponse(resource: Resource, props: QName[], ctx: DavContext, spec: CalendarDataSpec = {}) {
  return propertiesResponse(resource, props, ctx, (name): XmlNode[] | null | undefined => {
    if (name !== CALDAV('calendar-data')) return undefined;
    if (resource.kind !== 'object' || !resource.object) return null;
    return [cdata(servedData(calendarData(resource, spec), ctx))];
  });
}

/** Whether members' calendar-data is the stored data as it is (nothing expanded or limited, so nothing to fail). */
export function servesStoredData(spec: CalendarDataSpec): boolean {
  return !spec.expand && !spec.limitRecurrenceSet;
}

function calendarData(resource: Extract<Resource, { kind: 'object' }>, spec: CalendarDataSpec): string {
  const data = resource.object!.data;
  if (servesStoredData(spec)) return data;
  const defaultZone = (resource.parent.kind === 'calendar' && resource.parent.view.calendar.timezone) || 'UTC';
  const parsed = parseICalendar(data);
  if (spec.expand) return expandRecurrenceSet(parsed, spec.expand, { defaultZone });
  return limitRecurrenceSet(parsed, spec.limitRecurrenceSet!, { defaultZone });
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
