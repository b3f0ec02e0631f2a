/**
 * iCalendar bodies compared as content, not bytes: lines unfolded, line endings ignored, the order
 * of properties and of components ignored, parameter names in any case and order, and the values of
 * DTSTAMP, LAST-MODIFIED and CREATED (times a server or client stamps) ignored. Written here rather
 * than with ical.js: comparing needs only the line structure, and a server's odd serialisation
 * must not fail a parse before it can be reported.
 */

interface Component {
  name: string;
  lines: string[];
  children: Component[];
}

const VOLATILE_PROPERTIES = new Set(['DTSTAMP', 'LAST-MODIFIED', 'CREATED']);

export function parseComponents(text: string): Component[] {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/\n[ \t]/g, '')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const root: Component = { name: '', lines: [], children: [] };
  const stack = [root];
  for (const line of lines) {
    const begin = /^BEGIN:(.+)$/i.exec(line);
    const end = /^END:(.+)$/i.exec(line);
    if (begin) {
      const c: Component = { name: begin[1]!.trim().toUpperCase(), lines: [], children: [] };
      stack.at(-1)!.children.push(c);
      stack.push(c);
    } else if (end) {
      if (stack.length > 1) stack.pop();
    } else {
      stack.at(-1)!.lines.push(normaliseLine(line));
    }
  }
  return root.children;
}

/** `attendee;partstat=ACCEPTED;CN=X:mailto:a` → `ATTENDEE;CN=X;PARTSTAT=ACCEPTED:mailto:a`. */
function normaliseLine(line: string): string {
  // The first ':' outside a quoted parameter value ends name and parameters.
  let quoted = false;
  let colon = -1;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return line;
  const [name, ...params] = line.slice(0, colon).split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  const upper = name!.toUpperCase();
  const value = VOLATILE_PROPERTIES.has(upper) ? '…' : line.slice(colon + 1);
  const sortedParams = params
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? p.toUpperCase() : `${p.slice(0, eq).toUpperCase()}=${p.slice(eq + 1)}`;
    })
    .sort();
  return [upper, ...sortedParams].join(';') + ':' + value;
}

/** A component as one comparable text: its sorted lines, then its sorted children. */
function signature(c: Component): string {
  return `BEGIN:${c.name}\n${[...c.lines].sort().join('\n')}\n${c.children.map(signature).sort().join('\n')}\nEND:${c.name}`;
}

/**
 * The differences between two iCalendar texts, as at most `max` short lines; empty when they hold
 * the same content.
 */
export function compareICalendar(recorded: string, target: string, max = 4): string[] {
  const a = parseComponents(recorded);
  const b = parseComponents(target);
  const sa = a.map(signature).sort();
  const sb = b.map(signature).sort();
  if (sa.join('\n') === sb.join('\n')) return [];
  // Line by line over the whole content: what only one side has.
  const linesA = sa.join('\n').split('\n');
  const linesB = sb.join('\n').split('\n');
  const out: string[] = [];
  for (const [line, side] of [...multisetMinus(linesA, linesB).map((l) => [l, 'recorded only'] as const), ...multisetMinus(linesB, linesA).map((l) => [l, 'target only'] as const)]) {
    if (out.length === max) {
      out.push('…');
      break;
    }
    out.push(`${side}: ${line.length > 100 ? `${line.slice(0, 100)}…` : line}`);
  }
  return out.length ? out : ['the same lines in another component structure'];
}

function multisetMinus(a: string[], b: string[]): string[] {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = counts.get(x) ?? 0;
    if (n > 0) counts.set(x, n - 1);
    else out.push(x);
  }
  return out;
}
