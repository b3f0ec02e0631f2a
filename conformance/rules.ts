/**
 * The rule IDs scenarios must cover, read from the behaviour contract (../shared/RULES.md: one
 * table row per rule, `| C1 | text |`). A copy is kept in fixtures/rules/ for checkouts without
 * shared/; a test fails when the two drift apart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../common/project-root.js';

export interface Rule {
  id: string;
  text: string;
}

const ROOT = projectRoot();
export const SHARED_RULES = join(ROOT, '..', 'shared', 'RULES.md');
export const VENDORED_RULES = join(ROOT, 'fixtures', 'rules', 'RULES.md');

export function parseRules(markdown: string): Rule[] {
  const rules: Rule[] = [];
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*([A-Z]\d+)\s*\|\s*(.+?)\s*\|\s*$/.exec(line);
    if (m) rules.push({ id: m[1], text: m[2].replace(/\*\*/g, '') });
  }
  return rules;
}

/** The contract in force: shared/RULES.md when present, else the vendored copy (or `path`). */
export function loadRules(path?: string): { rules: Rule[]; source: string } {
  const source = path ?? (existsSync(SHARED_RULES) ? SHARED_RULES : VENDORED_RULES);
  return { rules: parseRules(readFileSync(source, 'utf8')), source };
}
