/**
 * Just enough iCalendar text handling for scenario steps that edit an event "as if on an iPhone":
 * unfolded lines, where each VEVENT block sits, and which lines are its own properties (not those
 * of a nested VALARM). Text in, text out, so everything the steps do not touch stays byte-for-byte
 * as the world file had it (X-APPLE-* properties, VTIMEZONEs, alarms).
 */

/** The property name of a content line: `DTSTART;TZID=Europe/London:…` → `DTSTART`. */
export const propertyName = (line: string): string => line.split(/[;:]/, 1)[0].toUpperCase();

/** Lines of the text with folded continuation lines joined (RFC 5545 §3.1). */
export const unfoldedLines = (ics: string): string[] => ics.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);

/** A VEVENT's body: the lines strictly between its BEGIN:VEVENT and END:VEVENT, as [from, to). */
export interface VeventBlock {
  from: number;
  to: number;
}

export function veventBlocks(lines: string[]): VeventBlock[] {
  const blocks: VeventBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== 'BEGIN:VEVENT') continue;
    const end = lines.indexOf('END:VEVENT', i);
    if (end < 0) break;
    blocks.push({ from: i + 1, to: end });
    i = end;
  }
  return blocks;
}

/** True for a line of the body that belongs to the VEVENT itself rather than to a nested VALARM. */
export function isOwnLine(body: string[], index: number): boolean {
  let depth = 0;
  for (let i = 0; i < index; i++) {
    if (body[i].startsWith('BEGIN:')) depth++;
    else if (body[i].startsWith('END:')) depth--;
  }
  return depth === 0 && !body[index].startsWith('BEGIN:') && !body[index].startsWith('END:');
}

/** The VEVENT's own line for a property, or undefined. */
export function ownProperty(body: string[], name: string): string | undefined {
  return body.find((line, i) => isOwnLine(body, i) && propertyName(line) === name.toUpperCase());
}

/**
 * Applies `set` (key: a property name, optionally with parameters, `DTSTART;TZID=Europe/London`)
 * and `remove` (property names) to a VEVENT body. A set property replaces every own line of that
 * name (so `DTSTART;TZID=X` replaces a UTC DTSTART); a new one goes before the first VALARM.
 */
export function applyEdits(body: string[], set: Record<string, unknown>, remove: string[]): string[] {
  let out = body.filter((line, i) => !(isOwnLine(body, i) && remove.some((name) => propertyName(line) === name.toUpperCase())));
  for (const [key, value] of Object.entries(set)) {
    const name = propertyName(key);
    const line = `${key}:${String(value)}`;
    const at = out.findIndex((l, i) => isOwnLine(out, i) && propertyName(l) === name);
    if (at >= 0) {
      out = out.filter((l, i) => i === at || !(isOwnLine(out, i) && propertyName(l) === name));
      out[out.findIndex((l, i) => isOwnLine(out, i) && propertyName(l) === name)] = line;
    } else {
      const alarms = out.findIndex((l) => l.startsWith('BEGIN:'));
      out.splice(alarms < 0 ? out.length : alarms, 0, line); // properties come before VALARMs
    }
  }
  return out;
}
