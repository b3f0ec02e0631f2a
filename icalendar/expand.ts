/**
 * expand.ts — the two recurrence modifiers a CalDAV client may put inside `<C:calendar-data>`:
 *
 * - `expandRecurrenceSet` (RFC 4791 §9.6.5, `CALDAV:expand`): every instance overlapping the range
 *   becomes its own component, with a RECURRENCE-ID and no RRULE/RDATE/EXDATE, its times in UTC
 *   ("the server MUST ... convert ... to UTC"), so the VTIMEZONEs are dropped. All-day instances
 *   keep DATE values, as Apple CalendarServer writes them.
 * - `limitRecurrenceSet` (RFC 4791 §9.6.6, `CALDAV:limit-recurrence-set`): the master and only the
 *   overridden components that bear on the range (their instance overlaps it, the instance they
 *   replace lay in it, or a THISANDFUTURE override that reaches it).
 *
 * Both reuse the instance expansion of instances.ts, so what a time-range query matches and what an
 * expansion lists are the same instances.
 */
import ICAL from 'ical.js';
import { expandInstances, prepare, templateSpan, type TimeWindow } from './instances.js';
import type { ParsedCalendar } from './parse.js';
import { dayOfWall, formatWall, utcDateTime, wallFromFields } from './values.js';
import { epochToWall, wallToEpoch, type Zone } from './zones.js';

export interface RecurrenceModifierOptions {
  /** Zone for floating times and all-day dates (the calendar's zone). Default 'UTC'. */
  defaultZone?: string;
  /** At most this many instances in one expansion (default 5000, as expandInstances). */
  maxInstances?: number;
}

/** Properties that describe a recurrence set or a time, replaced in every expanded instance. */
const SET_PROPERTIES = ['rrule', 'rdate', 'exdate', 'exrule', 'recurrence-id', 'dtstart', 'dtend', 'duration', 'due'];

/** RFC 4791 §9.6.5: the object's instances in `window`, one component each, in UTC. */
export function expandRecurrenceSet(parsed: ParsedCalendar, window: TimeWindow, options: RecurrenceModifierOptions = {}): string {
  const { series, overrides } = prepare(parsed, options.defaultZone, options.maxInstances ?? 5000);
  const masterZone = series[0]?.zone;
  const overrideByRid = new Map(overrides.filter((o) => o.recurrenceId !== undefined).map((o) => [o.recurrenceId!, o.t.comp]));
  const defaultZone = series[0]?.t.isDate ? series[0].zone : undefined;
  const out = emptyCalendarLike(parsed.root, false);
  for (const instance of expandInstances(parsed, window, options)) {
    const source =
      (instance.shapedBy !== undefined && overrideByRid.get(instance.shapedBy)) ||
      (instance.recurrenceId !== undefined && overrideByRid.get(instance.recurrenceId)) ||
      parsed.master ||
      parsed.components[0];
    const comp = new ICAL.Component(JSON.parse(JSON.stringify(source.toJSON())));
    for (const name of SET_PROPERTIES) comp.removeAllProperties(name);
    const zone = defaultZone ?? masterZone;
    const when = (epoch: number) => (instance.allDay && zone ? `;VALUE=DATE:${formatWall(dayOfWall(epochToWall(epoch, zone)), true)}` : `:${utcDateTime(epoch)}`);
    const isTodo = comp.name === 'vtodo';
    add(comp, `DTSTART${when(instance.start)}`);
    if (instance.end !== instance.start || instance.allDay) add(comp, `${isTodo ? 'DUE' : 'DTEND'}${when(instance.end)}`);
    if (instance.recurrenceId !== undefined) add(comp, `RECURRENCE-ID${recurrenceIdValue(instance.recurrenceId, masterZone)}`);
    out.addSubcomponent(comp);
  }
  return crlf(out.toString());
}

/** RFC 4791 §9.6.6: the master plus the overrides that bear on `window`; nothing else changes. */
export function limitRecurrenceSet(parsed: ParsedCalendar, window: TimeWindow, options: RecurrenceModifierOptions = {}): string {
  const { series, overrides } = prepare(parsed, options.defaultZone, options.maxInstances ?? 5000);
  const masterZone = series[0]?.zone;
  const keep = new Set<ICAL.Component>();
  for (const { t } of overrides) {
    const { start, end } = templateSpan(t);
    const overlaps = end > start ? start < window.end && end > window.start : window.start <= start && start < window.end;
    const replaced =
      t.recurrenceId && masterZone
        ? wallToEpoch(
            wallFromFields(t.recurrenceId.year, t.recurrenceId.month, t.recurrenceId.day, t.recurrenceId.hour, t.recurrenceId.minute, t.recurrenceId.second),
            t.recurrenceId.utc ? UTC : masterZone,
          )
        : undefined;
    const replacedInRange = replaced !== undefined && replaced >= window.start && replaced < window.end;
    const thisAndFuture = String(t.comp.getFirstProperty('recurrence-id')?.getParameter('range') ?? '').toUpperCase() === 'THISANDFUTURE';
    if (overlaps || replacedInRange || (thisAndFuture && replaced !== undefined && replaced < window.end)) keep.add(t.comp);
  }
  const out = emptyCalendarLike(parsed.root, true);
  for (const comp of parsed.components) if (!comp.hasProperty('recurrence-id') || keep.has(comp)) out.addSubcomponent(comp);
  return crlf(out.toString());
}

const UTC: Zone = { id: 'UTC', source: 'utc', fixedOffset: 0, offsetAt: () => 0 };

/** A VCALENDAR with the root's own properties (VERSION, PRODID, …) and, if asked, its VTIMEZONEs. */
function emptyCalendarLike(root: ICAL.Component, withTimezones: boolean): ICAL.Component {
  const out = new ICAL.Component('vcalendar');
  for (const prop of root.getAllProperties()) out.addProperty(ICAL.Property.fromString(prop.toICALString()));
  if (withTimezones) for (const vtz of root.getAllSubcomponents('vtimezone')) out.addSubcomponent(vtz);
  return out;
}

function add(comp: ICAL.Component, line: string): void {
  comp.addProperty(ICAL.Property.fromString(line));
}

/** '20260310T090000' (the master's wall clock) → ':20260310T080000Z'; dates and UTC values as they are. */
function recurrenceIdValue(rid: string, masterZone: Zone | undefined): string {
  if (/^\d{8}$/.test(rid)) return `;VALUE=DATE:${rid}`;
  if (rid.endsWith('Z') || !masterZone) return `:${rid}`;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(rid);
  if (!m) return `:${rid}`;
  return `:${utcDateTime(wallToEpoch(wallFromFields(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]), masterZone))}`;
}

function crlf(text: string): string {
  const t = text.replace(/\r?\n/g, '\r\n');
  return t.endsWith('\r\n') ? t : `${t}\r\n`;
}
