/**
 * CALDAV:filter (RFC 4791 §9.7): parsing into a typed tree and evaluating it on a parsed object.
 *
 * The time-range of the top-level VEVENT/VTODO comp-filter is answered by the store's time index
 * (no parsing); everything else here runs only on the index's candidates. Filters the mock cannot
 * evaluate are refused with `supported-filter` (RFC 4791 §7.7) rather than silently ignored.
 */
import type ICAL from 'ical.js';
import { precondition } from '../../http/errors.js';
import type { TimeRange } from '../../store/time-index.js';
import { CALDAV } from '../../../common/xml/names.js';
import { child, type XmlElement } from '../../../common/xml/parse.js';

export interface TextMatch {
  value: string;
  negate: boolean;
  caseless: boolean;
}

export interface ParamFilter {
  name: string;
  isNotDefined: boolean;
  textMatch?: TextMatch;
}

export interface PropFilter {
  name: string;
  isNotDefined: boolean;
  textMatch?: TextMatch;
  paramFilters: ParamFilter[];
}

export interface CompFilter {
  name: string;
  isNotDefined: boolean;
  timeRange?: TimeRange;
  propFilters: PropFilter[];
  compFilters: CompFilter[];
}

const unsupported = (what: string) => precondition(403, `calendar-query filter uses ${what}, which this server does not evaluate`, CALDAV('supported-filter'));
const invalid = (what: string) => precondition(400, `invalid calendar-query filter: ${what}`, CALDAV('valid-filter'));

/** `20260101T000000Z` (RFC 4791 §9.9: UTC date-time). */
export function parseUtc(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (!m) throw invalid(`time-range value "${value}" is not a UTC date-time like 20260101T000000Z`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

export function parseTimeRange(el: XmlElement): TimeRange {
  if (el.attrs.start === undefined && el.attrs.end === undefined) throw invalid('time-range needs start or end');
  const range = { start: el.attrs.start ? parseUtc(el.attrs.start) : -Infinity, end: el.attrs.end ? parseUtc(el.attrs.end) : Infinity };
  if (range.start >= range.end) throw invalid(`time-range start ${el.attrs.start} is not before end ${el.attrs.end}`);
  return range;
}

function parseTextMatch(el: XmlElement): TextMatch {
  const collation = el.attrs.collation ?? 'i;ascii-casemap';
  if (collation !== 'i;ascii-casemap' && collation !== 'i;octet' && collation !== 'i;unicode-casemap') {
    throw precondition(403, `collation ${collation} is not supported`, CALDAV('supported-collation'));
  }
  return { value: el.text, negate: el.attrs['negate-condition'] === 'yes', caseless: collation !== 'i;octet' };
}

export function parseCompFilter(el: XmlElement): CompFilter {
  const name = el.attrs.name?.toUpperCase();
  if (!name) throw invalid('comp-filter without a name');
  const filter: CompFilter = { name, isNotDefined: false, propFilters: [], compFilters: [] };
  for (const c of el.children) {
    switch (c.name) {
      case CALDAV('is-not-defined'):
        filter.isNotDefined = true;
        break;
      case CALDAV('time-range'):
        filter.timeRange = parseTimeRange(c);
        break;
      case CALDAV('comp-filter'):
        filter.compFilters.push(parseCompFilter(c));
        break;
      case CALDAV('prop-filter'):
        filter.propFilters.push(parsePropFilter(c));
        break;
      default:
        throw invalid(`unexpected <${c.local}> in comp-filter`);
    }
  }
  return filter;
}

function parsePropFilter(el: XmlElement): PropFilter {
  const name = el.attrs.name?.toUpperCase();
  if (!name) throw invalid('prop-filter without a name');
  const filter: PropFilter = { name, isNotDefined: false, paramFilters: [] };
  for (const c of el.children) {
    if (c.name === CALDAV('is-not-defined')) filter.isNotDefined = true;
    else if (c.name === CALDAV('text-match')) filter.textMatch = parseTextMatch(c);
    else if (c.name === CALDAV('param-filter')) {
      const pname = c.attrs.name?.toUpperCase();
      if (!pname) throw invalid('param-filter without a name');
      const tm = child(c, CALDAV('text-match'));
      filter.paramFilters.push({ name: pname, isNotDefined: !!child(c, CALDAV('is-not-defined')), textMatch: tm && parseTextMatch(tm) });
    } else if (c.name === CALDAV('time-range')) throw unsupported('a time-range inside a prop-filter');
    else throw invalid(`unexpected <${c.local}> in prop-filter`);
  }
  return filter;
}

function textMatches(values: string[], tm: TextMatch): boolean {
  const needle = tm.caseless ? tm.value.toLowerCase() : tm.value;
  const hit = values.some((v) => (tm.caseless ? v.toLowerCase() : v).includes(needle));
  return tm.negate ? !hit : hit;
}

function propertyTexts(prop: ICAL.Property): string[] {
  return prop.getValues().map((v: unknown) => String(v));
}

function propMatches(comp: ICAL.Component, filter: PropFilter): boolean {
  const props = comp.getAllProperties(filter.name.toLowerCase());
  if (filter.isNotDefined) return props.length === 0;
  if (props.length === 0) return false;
  return props.some((prop) => {
    if (filter.textMatch && !textMatches(propertyTexts(prop), filter.textMatch)) return false;
    return filter.paramFilters.every((pf) => {
      const value = prop.getParameter(pf.name.toLowerCase());
      if (pf.isNotDefined) return value === undefined || value === null;
      if (value === undefined || value === null) return false;
      return !pf.textMatch || textMatches(Array.isArray(value) ? value.map(String) : [String(value)], pf.textMatch);
    });
  });
}

/**
 * Does some `filter.name` component inside `parent` satisfy the filter? The caller has already
 * applied `ignoreTimeRangeOf`'s time-range through the index, so it is not re-checked here.
 */
export function componentMatches(parent: ICAL.Component, filter: CompFilter, ignoreTimeRangeOf?: CompFilter): boolean {
  const comps = parent.getAllSubcomponents(filter.name.toLowerCase());
  if (filter.isNotDefined) return comps.length === 0;
  if (filter.timeRange && filter !== ignoreTimeRangeOf) throw unsupported(`a time-range on ${filter.name}`);
  return comps.some((comp) => filter.propFilters.every((pf) => propMatches(comp, pf)) && filter.compFilters.every((cf) => componentMatches(comp, cf, ignoreTimeRangeOf)));
}

/** Evaluates the top-level VCALENDAR comp-filter against an object's VCALENDAR component. */
export function calendarMatches(vcalendar: ICAL.Component, filter: CompFilter, ignoreTimeRangeOf?: CompFilter): boolean {
  if (filter.isNotDefined) return false;
  return filter.propFilters.every((pf) => propMatches(vcalendar, pf)) && filter.compFilters.every((cf) => componentMatches(vcalendar, cf, ignoreTimeRangeOf));
}

/** True when evaluating the filter needs nothing but the component type and the time index. */
export function isIndexOnly(filter: CompFilter): boolean {
  return !filter.isNotDefined && filter.propFilters.length === 0 && filter.compFilters.length === 0;
}
