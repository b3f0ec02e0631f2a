/**
 * parse.ts — parses one iCalendar object (a CalDAV "calendar object resource")
 * with ical.js and checks the rules the rest of the library relies on.
 *
 * Before ical.js sees the text, a linear pre-scan checks the content-line
 * structure (RFC 5545 §3.1: folding, NAME[;PARAM]:VALUE; §3.4/§3.6: balanced
 * BEGIN/END starting with BEGIN:VCALENDAR) so that errors carry a line number,
 * and rejects inputs that would make ical.js slow (oversized input, very deep
 * nesting, hundreds of parameters on one line — ical.js's parameter parser is
 * quadratic). After parsing it enforces RFC 4791 §4.1: a calendar object holds
 * components of one type (besides VTIMEZONE) that all share a single UID; and it
 * validates the DATE/DATE-TIME/DURATION/RRULE values that time-range matching
 * needs, so that later stages never see NaN dates.
 *
 * Semantic oddities with an obvious reading are accepted (DTEND together with
 * DURATION: DTEND wins; a bare date in DTEND without VALUE=DATE; unknown TZIDs).
 */
import ICAL from 'ical.js';
import { ValueError, parseJCalDateTime, readDateTime, readDateTimes, readDuration, readRDates, type DateTimeValue } from './values.js';
import { isUsableVTimezone } from './zones.js';

/** Any problem with the iCalendar text. `message` says what and (when known) where. */
export class ICalendarError extends Error {
  /** 1-based physical line number in the input, when known. */
  readonly line?: number;
  constructor(message: string, line?: number) {
    super(line !== undefined ? `line ${line}: ${message}` : message);
    this.name = 'ICalendarError';
    if (line !== undefined) this.line = line;
  }
}

export interface ParseOptions {
  /** Maximum input length in characters (default 16 MiB). */
  maxLength?: number;
}

export const DEFAULT_MAX_INPUT_LENGTH = 16 * 1024 * 1024;
const MAX_DEPTH = 8; // VCALENDAR > VEVENT > VALARM is 3; VAVAILABILITY > AVAILABLE > VALARM is 4
const MAX_PARAMS = 100;

export type ComponentType = 'VEVENT' | 'VTODO' | 'VJOURNAL' | (string & {});

export interface ParsedCalendar {
  /** The VCALENDAR component. */
  readonly root: ICAL.Component;
  /** Top-level components other than VTIMEZONE, in document order. */
  readonly components: readonly ICAL.Component[];
  /** The UID shared by all components. */
  readonly uid: string;
  /** Upper-case component name: 'VEVENT', 'VTODO', 'VJOURNAL', or e.g. 'VFREEBUSY'. */
  readonly componentType: ComponentType;
  /** The VCALENDAR METHOD property (iTIP), if any. */
  readonly method?: string;
  /** Usable VTIMEZONEs of this object, by TZID. */
  readonly timezones: ReadonlyMap<string, ICAL.Timezone>;
  /** The component without RECURRENCE-ID (the first one, if there are several). */
  readonly master: ICAL.Component | undefined;
  /** All components without RECURRENCE-ID (normally at most one). */
  readonly masters: readonly ICAL.Component[];
  /** Components with RECURRENCE-ID (overridden instances, RFC 5545 §3.8.4.4). */
  readonly overrides: readonly ICAL.Component[];
  /** Line of the BEGIN of one of `components`, for messages. */
  lineOf(component: ICAL.Component): number | undefined;
  /** Serialises the calendar back to iCalendar text. */
  toString(): string;
}

export interface ObjectSummary {
  uid: string;
  componentType: ComponentType;
  /** A VEVENT (master or override) with DTSTART but neither DTEND nor DURATION. */
  missingEnd: boolean;
  /** Some component has RRULE, RDATE or RECURRENCE-ID. */
  hasRecurrence: boolean;
  method?: string;
}

// ---------------------------------------------------------------------------
// Pre-scan
// ---------------------------------------------------------------------------

interface ScannedComponent {
  name: string;
  line: number;
  /** Lines of this component's own properties, by lower-case name, in order. */
  props: Map<string, number[]>;
}

interface Scan {
  text: string;
  top: ScannedComponent[];
  logical: Array<{ line: number; text: string }>;
}

function excerpt(s: string): string {
  const cut = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  return JSON.stringify(cut).slice(1, -1);
}

const NAME_RE = /^[A-Za-z0-9_-]+$/;

function scan(input: string, maxLength: number): Scan {
  if (typeof input !== 'string') throw new ICalendarError('input is not a string');
  if (input.length > maxLength) {
    throw new ICalendarError(`input too large (${input.length} characters; the limit is ${maxLength})`);
  }
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const physical = text.split(/\r\n|\n|\r/);

  // Unfold (RFC 5545 §3.1): a line starting with a space or tab continues the previous one.
  const logical: Array<{ line: number; text: string }> = [];
  for (let i = 0; i < physical.length; i++) {
    const l = physical[i]!;
    if (l.length > 0 && (l[0] === ' ' || l[0] === '\t')) {
      const prev = logical[logical.length - 1];
      if (!prev) throw new ICalendarError('continuation line (starting with whitespace) with nothing to continue', i + 1);
      prev.text += l.slice(1);
      continue;
    }
    if (l.trim() === '') continue; // blank lines are tolerated
    logical.push({ line: i + 1, text: l });
  }
  if (logical.length === 0) throw new ICalendarError('expected BEGIN:VCALENDAR, found empty input', 1);

  const stack: Array<{ name: string; line: number }> = [];
  const top: ScannedComponent[] = [];
  let ended = false;
  for (const { line, text: content } of logical) {
    if (ended) throw new ICalendarError(`unexpected '${excerpt(content)}' after END:VCALENDAR (one VCALENDAR per object)`, line);
    if (stack.length === 0 && !/^BEGIN:VCALENDAR\s*$/i.test(content)) {
      throw new ICalendarError(`expected BEGIN:VCALENDAR, found '${excerpt(content)}'`, line);
    }
    // NAME, then ;PARAM=VALUE... (quotes may hide ':' and ';'), then ':' VALUE.
    let i = 0;
    while (i < content.length && content[i] !== ';' && content[i] !== ':') i++;
    const name = content.slice(0, i);
    if (!NAME_RE.test(name)) {
      throw new ICalendarError(`invalid content line '${excerpt(content)}' (expected NAME[;PARAM=VALUE]:VALUE)`, line);
    }
    let params = 0;
    let inQuote = false;
    for (; i < content.length; i++) {
      const c = content[i];
      if (c === '"') inQuote = !inQuote;
      else if (!inQuote) {
        if (c === ':') break;
        if (c === ';') params++;
      }
    }
    if (i >= content.length) {
      throw new ICalendarError(`content line '${excerpt(content)}' has no ':' between name and value`, line);
    }
    if (params > MAX_PARAMS) throw new ICalendarError(`${name} has more than ${MAX_PARAMS} parameters`, line);
    const upper = name.toUpperCase();
    const value = content.slice(i + 1).trim();
    if (upper === 'BEGIN') {
      if (!NAME_RE.test(value)) throw new ICalendarError(`invalid component name '${excerpt(value)}' in BEGIN`, line);
      const comp = value.toUpperCase();
      if (stack.length > 0 && comp === 'VCALENDAR') throw new ICalendarError('BEGIN:VCALENDAR nested inside another component', line);
      if (stack.length >= MAX_DEPTH) throw new ICalendarError(`components nested more than ${MAX_DEPTH} deep`, line);
      stack.push({ name: comp, line });
      if (stack.length === 2) top.push({ name: comp, line, props: new Map() });
    } else if (upper === 'END') {
      const open = stack.pop()!;
      if (open.name !== value.toUpperCase()) {
        throw new ICalendarError(`END:${excerpt(value)} does not match BEGIN:${open.name} at line ${open.line}`, line);
      }
      if (stack.length === 0) ended = true;
    } else if (stack.length === 2) {
      const props = top[top.length - 1]!.props;
      const key = name.toLowerCase();
      const lines = props.get(key);
      if (lines) lines.push(line);
      else props.set(key, [line]);
    }
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1]!;
    throw new ICalendarError(`unexpected end of input: BEGIN:${open.name} at line ${open.line} has no END:${open.name}`, physical.length);
  }
  return { text: physical.join('\r\n'), top, logical };
}

/** ical.js errors carry no position; find the first property line it rejects. */
function locateIcalError(s: Scan, err: unknown): ICalendarError {
  const message = err instanceof Error ? err.message : String(err);
  for (const { line, text } of s.logical) {
    if (/^(BEGIN|END):/i.test(text)) continue;
    try {
      ICAL.parse.property(text);
    } catch (e) {
      return new ICalendarError(`${text.split(/[;:]/, 1)[0]!.toUpperCase()}: ${e instanceof Error ? e.message : String(e)}`, line);
    }
  }
  return new ICalendarError(`invalid iCalendar: ${message}`);
}

// ---------------------------------------------------------------------------
// Validation of the values time-range matching depends on
// ---------------------------------------------------------------------------

const SINGLE_DATE_PROPS = ['dtstart', 'dtend', 'due', 'recurrence-id', 'completed', 'created'];

function validateComponent(comp: ICAL.Component, type: string, lineOf: (prop: string, k: number) => number | undefined, hasMethod: boolean): void {
  const fail = (prop: string, k: number, what: string): never => {
    throw new ICalendarError(`${type} ${prop.toUpperCase()} ${what}`, lineOf(prop, k));
  };
  const guard = <T>(prop: string, k: number, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ICalendarError) throw e;
      return fail(prop, k, e instanceof ValueError ? e.message : `is invalid: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  let dtstart: DateTimeValue | undefined;
  for (const name of SINGLE_DATE_PROPS) {
    comp.getAllProperties(name).forEach((p, k) => {
      const v = guard(name, k, () => readDateTime(p));
      if (name === 'dtstart' && k === 0) dtstart = v;
    });
  }
  comp.getAllProperties('exdate').forEach((p, k) => guard('exdate', k, () => readDateTimes(p)));
  comp.getAllProperties('rdate').forEach((p, k) => guard('rdate', k, () => readRDates(p)));
  comp.getAllProperties('duration').forEach((p, k) => guard('duration', k, () => readDuration(p)));

  if (type === 'VEVENT' && !dtstart && !hasMethod) {
    throw new ICalendarError('VEVENT has no DTSTART (required when the calendar has no METHOD, RFC 5545 §3.6.1)', lineOf('begin', 0));
  }

  comp.getAllProperties('rrule').forEach((p, k) => {
    const raw = p.jCal[3] as Record<string, unknown> | undefined;
    const rule = guard('rrule', k, () => p.getFirstValue() as ICAL.Recur);
    if (!rule || !raw || !rule.freq) fail('rrule', k, 'has no FREQ');
    if (rule.count !== null && rule.count !== undefined && !(rule.count >= 1)) fail('rrule', k, `COUNT must be a positive integer, found ${rule.count}`);
    if (raw!['until'] !== undefined) {
      const until = String(raw!['until']);
      guard('rrule', k, () => parseJCalDateTime(until, until.length === 10 ? 'date' : 'date-time'));
    }
    if (!dtstart) fail('rrule', k, 'requires a DTSTART (RFC 5545 §3.8.5.3)');
    // Let ical.js check rule-part combinations (e.g. BYMONTHDAY in a WEEKLY rule).
    guard('rrule', k, () => {
      const probe = rule.clone();
      probe.until = ICAL.Time.fromData({ year: dtstart!.year, month: dtstart!.month, day: dtstart!.day, isDate: true });
      probe.count = null;
      probe.iterator(
        ICAL.Time.fromData({
          year: dtstart!.year,
          month: dtstart!.month,
          day: dtstart!.day,
          hour: dtstart!.hour,
          minute: dtstart!.minute,
          second: dtstart!.second,
          isDate: dtstart!.isDate,
        }),
      );
    });
  });
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/**
 * Parses a single iCalendar object. Throws ICalendarError when the text is not
 * iCalendar, is structurally broken, has no calendar component, mixes component
 * types, has a missing or inconsistent UID, or has unreadable date/recurrence values.
 */
export function parseICalendar(text: string, options: ParseOptions = {}): ParsedCalendar {
  const s = scan(text, options.maxLength ?? DEFAULT_MAX_INPUT_LENGTH);

  let jcal: unknown;
  try {
    jcal = ICAL.parse(s.text);
  } catch (e) {
    throw locateIcalError(s, e);
  }
  if (!Array.isArray(jcal) || jcal[0] !== 'vcalendar') throw new ICalendarError('expected a single VCALENDAR', 1);
  const root = new ICAL.Component(jcal);

  const all = root.getAllSubcomponents();
  const lines = new Map<ICAL.Component, ScannedComponent>();
  if (all.length === s.top.length) all.forEach((c, i) => lines.set(c, s.top[i]!));
  const lineOf = (c: ICAL.Component): number | undefined => lines.get(c)?.line;
  const calendarLine = s.logical[0]!.line;

  const components = all.filter((c) => c.name !== 'vtimezone');
  if (components.length === 0) {
    throw new ICalendarError('VCALENDAR contains no calendar component (VEVENT, VTODO, VJOURNAL, ...)', calendarLine);
  }
  const componentType = components[0]!.name.toUpperCase();
  for (const c of components) {
    if (c.name.toUpperCase() !== componentType) {
      throw new ICalendarError(`${c.name.toUpperCase()} mixed with ${componentType} in one calendar object (RFC 4791 §4.1 allows one component type)`, lineOf(c));
    }
  }

  let uid: string | undefined;
  let uidComponent: ICAL.Component | undefined;
  for (const c of components) {
    const value = c.getFirstPropertyValue('uid');
    const u = typeof value === 'string' ? value.trim() : value == null ? '' : String(value).trim();
    if (u === '') throw new ICalendarError(`${componentType} has no UID`, lineOf(c));
    if (uid === undefined) {
      uid = u;
      uidComponent = c;
    } else if (u !== uid) {
      const first = lineOf(uidComponent!);
      throw new ICalendarError(`${componentType} UID '${excerpt(u)}' differs from UID '${excerpt(uid)}'${first ? ` at line ${first}` : ''} (RFC 4791 §4.1: one UID per calendar object)`, lineOf(c));
    }
  }

  const methodValue = root.getFirstPropertyValue('method');
  const method = typeof methodValue === 'string' && methodValue.trim() !== '' ? methodValue.trim().toUpperCase() : undefined;

  for (const c of components) {
    const scanned = lines.get(c);
    const propLine = (prop: string, k: number): number | undefined => (prop === 'begin' ? scanned?.line : (scanned?.props.get(prop)?.[k] ?? scanned?.line));
    validateComponent(c, componentType, propLine, method !== undefined);
  }

  const timezones = new Map<string, ICAL.Timezone>();
  for (const vtz of all.filter((c) => c.name === 'vtimezone')) {
    if (!isUsableVTimezone(vtz)) continue;
    const tzid = String(vtz.getFirstPropertyValue('tzid')).trim();
    if (!timezones.has(tzid)) timezones.set(tzid, new ICAL.Timezone(vtz));
  }

  const masters = components.filter((c) => !c.hasProperty('recurrence-id'));
  const overrides = components.filter((c) => c.hasProperty('recurrence-id'));

  const parsed: ParsedCalendar = {
    root,
    components,
    uid: uid!,
    componentType,
    timezones,
    master: masters[0],
    masters,
    overrides,
    lineOf,
    toString: () => root.toString(),
    ...(method !== undefined ? { method } : {}),
  };
  return parsed;
}

/** The facts a CalDAV server needs to accept or reject a PUT, and to index it. */
export function summariseObject(parsed: ParsedCalendar): ObjectSummary {
  // Only a timed start without an end is "missing" one: a DATE start without DTEND/DURATION lasts
  // one day (RFC 5545 §3.6.1), and iCloud's 404 is reported for timed events only (dossier §5).
  const missingEnd = parsed.components.some(
    (c) => c.name === 'vevent' && c.hasProperty('dtstart') && c.getFirstProperty('dtstart')!.type !== 'date' && !c.hasProperty('dtend') && !c.hasProperty('duration'),
  );
  const hasRecurrence = parsed.components.some((c) => c.hasProperty('rrule') || c.hasProperty('rdate') || c.hasProperty('recurrence-id'));
  return {
    uid: parsed.uid,
    componentType: parsed.componentType,
    missingEnd,
    hasRecurrence,
    ...(parsed.method !== undefined ? { method: parsed.method } : {}),
  };
}
