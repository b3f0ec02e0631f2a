/**
 * Accepted differences: a YAML list of `{ exchange, what, reason }`. A difference is accepted when
 * `exchange` is found in the exchange's label (`#3 PROPFIND {home}/work/`; `/…/` is a regular
 * expression) and `what` in the difference's kind, its text or the name of the FIDELITY.md row
 * covering it (`header DAV`, `calendar-color`, `collection itself`), case ignored. The reason is printed beside it, so the report says why it does not fail the run.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import type { Difference } from './compare.js';

export interface Accepted {
  exchange: string;
  what: string;
  reason: string;
}

const schema = z.array(z.strictObject({ exchange: z.string().min(1), what: z.string().min(1), reason: z.string().min(1) }));

export class AcceptFileError extends Error {}

export function parseAccepted(text: string, source: string): Accepted[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (error) {
    throw new AcceptFileError(`${source}: not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = schema.safeParse(doc ?? []);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
    throw new AcceptFileError(`${source}${where}: ${issue.message} (each entry is { exchange, what, reason })`);
  }
  return result.data;
}

export function readAccepted(path: string): Accepted[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AcceptFileError(`cannot read accepted-differences file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseAccepted(text, path);
}

function matches(pattern: string, text: string): boolean {
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (regex) return new RegExp(regex[1]!, regex[2]!.includes('i') ? regex[2] : `${regex[2]}i`).test(text);
  return text.toLowerCase().includes(pattern.toLowerCase());
}

/** The entry accepting `diff` (covered by the FIDELITY row `fidelity`) in the exchange labelled `label`, if any. */
export function acceptedBy(diff: Difference, label: string, accepted: Accepted[], fidelity?: string): Accepted | undefined {
  return accepted.find((a) => matches(a.exchange, label) && (matches(a.what, diff.what) || matches(a.what, diff.text) || (fidelity !== undefined && matches(a.what, fidelity))));
}
