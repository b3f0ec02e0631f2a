/**
 * `icloud.change` with `recurrenceId`: what Calendar on an iPhone does when one occurrence of a
 * recurring event is edited ("this event only", or "all future events" with `thisAndFuture`). It
 * adds an override VEVENT (or edits the one already there for that RECURRENCE-ID) and leaves the
 * master and every other override exactly as they were.
 *
 * A new override is a copy of the master without RRULE/RDATE/EXRULE/EXDATE, with RECURRENCE-ID
 * and DTSTART at the occurrence and DTEND keeping the master's length; then `set` and `remove`
 * apply to it.
 */
import { StepFailure } from '../step-failure.js';
import { applyEdits, ownProperty, propertyName, unfoldedLines, veventBlocks } from './vevents.js';

export interface OccurrenceEdit {
  /**
   * The occurrence as RECURRENCE-ID writes it: `20261130T090000Z` (UTC), `20261130T090000` (local:
   * takes the master DTSTART's TZID), `20261130` (all-day), or with explicit parameters,
   * `TZID=Europe/London:20261130T090000`.
   */
  recurrenceId: string;
  /** Writes `RECURRENCE-ID;RANGE=THISANDFUTURE`: the change applies to this and every later occurrence. */
  thisAndFuture?: boolean;
  set: Record<string, unknown>;
  remove: string[];
}

const RECURRENCE_RULES = ['RRULE', 'RDATE', 'EXRULE', 'EXDATE'];

export function editOccurrence(ics: string, edit: OccurrenceEdit): string {
  const lines = unfoldedLines(ics);
  const blocks = veventBlocks(lines);
  const bodyOf = (b: { from: number; to: number }) => lines.slice(b.from, b.to);
  const master = blocks.find((b) => !ownProperty(bodyOf(b), 'RECURRENCE-ID'));
  if (!master) throw new StepFailure('the iCloud event has no master VEVENT (one without RECURRENCE-ID) to take the occurrence from');
  const masterBody = bodyOf(master);
  if (!RECURRENCE_RULES.slice(0, 2).some((name) => ownProperty(masterBody, name))) {
    throw new StepFailure('recurrenceId names an occurrence, but the iCloud event is not recurring (its master has no RRULE or RDATE)');
  }
  const masterStart = ownProperty(masterBody, 'DTSTART');
  if (!masterStart) throw new StepFailure('the master VEVENT has no DTSTART');
  const id = occurrenceId(edit.recurrenceId, parametersOf(masterStart));
  const recurrenceLine = `RECURRENCE-ID${id.parameters ? `;${id.parameters}` : ''}${edit.thisAndFuture ? ';RANGE=THISANDFUTURE' : ''}:${id.value}`;
  const [recurrenceKey, recurrenceValue] = splitLine(recurrenceLine);

  const existing = blocks.find((b) => {
    const line = ownProperty(bodyOf(b), 'RECURRENCE-ID');
    return line !== undefined && sameOccurrence(line, id);
  });
  if (existing) {
    // The RECURRENCE-ID line is rewritten only to add RANGE; without thisAndFuture it stays as it was.
    const set = edit.thisAndFuture ? { [recurrenceKey]: recurrenceValue, ...edit.set } : edit.set;
    const body = applyEdits(bodyOf(existing), set, edit.remove);
    return [...lines.slice(0, existing.from), ...body, ...lines.slice(existing.to)].join('\r\n');
  }

  const startKey = `DTSTART${id.parameters ? `;${id.parameters}` : ''}`;
  const occurrence: Record<string, unknown> = { [recurrenceKey]: recurrenceValue, [startKey]: id.value };
  const masterEnd = ownProperty(masterBody, 'DTEND');
  if (masterEnd) occurrence[`DTEND${id.parameters ? `;${id.parameters}` : ''}`] = shift(id.value, basicTime(splitLine(masterEnd)[1]) - basicTime(splitLine(masterStart)[1]));
  // DTSTART and DTEND are removed first so a TZID on the master's lines cannot survive beside new ones.
  const copy = applyEdits(masterBody, {}, [...RECURRENCE_RULES, 'DTSTART', ...(masterEnd ? ['DTEND'] : [])]);
  const body = applyEdits(applyEdits(copy, occurrence, []), edit.set, edit.remove);
  const last = blocks[blocks.length - 1];
  return [...lines.slice(0, last.to + 1), 'BEGIN:VEVENT', ...body, 'END:VEVENT', ...lines.slice(last.to + 1)].join('\r\n');
}

interface OccurrenceId {
  /** Parameters without RANGE, e.g. `TZID=Europe/London` or `VALUE=DATE`; empty for UTC. */
  parameters: string;
  value: string;
}

function occurrenceId(text: string, masterParameters: string): OccurrenceId {
  const colon = text.lastIndexOf(':');
  const value = colon < 0 ? text : text.slice(colon + 1);
  if (!/^\d{8}(T\d{6}Z?)?$/.test(value)) throw new StepFailure(`recurrenceId "${text}" is not an iCalendar date or date-time such as 20261130T090000Z or TZID=Europe/London:20261130T090000`);
  if (colon >= 0) return { parameters: text.slice(0, colon), value };
  if (value.length === 8) return { parameters: 'VALUE=DATE', value };
  if (value.endsWith('Z')) return { parameters: '', value };
  // A local time means the master's zone: that is how Calendar writes RECURRENCE-ID.
  const tzid = masterParameters.split(';').find((p) => p.toUpperCase().startsWith('TZID='));
  return { parameters: tzid ?? '', value };
}

/** `NAME;A=1;B=2:value` → [`NAME;A=1;B=2`, `value`]. Parameter values here never hold a colon. */
function splitLine(line: string): [string, string] {
  const colon = line.indexOf(':');
  return [line.slice(0, colon), line.slice(colon + 1)];
}

function parametersOf(line: string): string {
  const key = splitLine(line)[0];
  return key.includes(';') ? key.slice(key.indexOf(';') + 1) : '';
}

const tzidOf = (parameters: string) =>
  parameters
    .split(';')
    .find((p) => p.toUpperCase().startsWith('TZID='))
    ?.slice(5) ?? '';

function sameOccurrence(line: string, id: OccurrenceId): boolean {
  return propertyName(line) === 'RECURRENCE-ID' && splitLine(line)[1] === id.value && tzidOf(parametersOf(line)) === tzidOf(id.parameters);
}

/** An iCalendar basic date or date-time read as if it were UTC: only differences are used. */
function basicTime(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(value);
  if (!m) throw new StepFailure(`"${value}" is not an iCalendar date or date-time`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
}

/** The value moved by ms, written in the same form (date, local date-time or UTC). */
function shift(value: string, ms: number): string {
  const iso = new Date(basicTime(value) + ms).toISOString().replace(/[-:]/g, '');
  if (value.length === 8) return iso.slice(0, 8);
  return iso.slice(0, 15) + (value.endsWith('Z') ? 'Z' : '');
}
