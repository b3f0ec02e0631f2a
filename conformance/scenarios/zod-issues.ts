/**
 * zod's validation issues as sentences QA can act on, each with where it is:
 * `step 4 (book): unknown key "strat" (expected one of as, calendar, start, contact, title)` or
 * `step 4 (book).start: not an ISO time`.
 */
import type { z } from 'zod';
import { defOf, schemaAt } from './zod-walk.js';

export function formatPath(path: PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** Longest text a message quotes whole: a whole file given where a list belongs was quoted in full. */
const QUOTED = 80;

const shown = (value: unknown) => (value === undefined ? 'nothing' : value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : quoted(value));

function quoted(value: unknown): string {
  const text = JSON.stringify(value);
  return typeof value === 'string' && value.length > QUOTED ? `${JSON.stringify(value.slice(0, QUOTED))}… (${value.length} characters)` : text;
}

export function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const at = schemaAt(schema, issue.path);
      const allowed = at && defOf(at).type === 'object' ? Object.keys(defOf(at).shape as object) : [];
      const unknown = issue.keys.map((k) => `"${k}"`).join(', ');
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${unknown}${allowed.length ? ` (expected one of ${allowed.join(', ')})` : ' (it takes no keys)'}`;
    }
    case 'invalid_type':
      if (input === undefined) return 'required';
      if (issue.expected === 'object') return `expected a mapping, found ${shown(input)}`;
      if (issue.expected === 'array') return `expected a list, found ${shown(input)}`;
      return `expected ${issue.expected === 'string' ? 'text' : issue.expected}, found ${shown(input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}, found ${shown(input)}`;
    case 'invalid_union':
      return input === undefined ? 'required' : `not a valid value: ${shown(input)}`;
    default:
      return issue.message;
  }
}

/** Every issue, one per line, prefixed with where (`where` plus the key path). */
export function describeIssues(error: z.ZodError, schema: z.ZodType, where: string): string {
  return error.issues.map((issue) => `${where}${formatPath(issue.path)}: ${describeIssue(issue, schema)}`).join('\n');
}
