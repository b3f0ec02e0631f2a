/**
 * Which row of mock-icloud/FIDELITY.md covers a difference, so a drift report says at once whether
 * the mock's behaviour there was a conscious choice (and on what evidence). A small table of known
 * shapes is tried first; otherwise the row sharing the most distinctive words with the difference.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../common/project-root.js';
import type { Difference } from './compare.js';

export interface FidelityRow {
  /** The first column, as written (`` `/.well-known/caldav` ``). */
  behaviour: string;
  text: string;
}

export const FIDELITY_FILE = join(projectRoot(), 'mock-icloud', 'FIDELITY.md');

export function loadFidelity(path = FIDELITY_FILE): FidelityRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return (
    text
      .split('\n')
      .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l) && !/^\|\s*Behaviour\s*\|/.test(l))
      // Words are matched against what the row says (behaviour, iCloud, the mock), not against its
      // sources, tag, ID or the titles of the tests that pin it.
      .map((l) => ({ behaviour: l.split('|')[1]!.trim(), text: l.split('|').slice(1, 4).join('|') }))
  );
}

/** Difference shapes → the row (by the start of its first column). Checked against `label text`. */
const MAPPING: { match: RegExp; row: string }[] = [
  { match: /\.well-known/, row: '`/.well-known/caldav`' },
  { match: /WWW-Authenticate|status: recorded 401|target 401/, row: 'Auth failures' },
  { match: /header DAV/, row: 'OPTIONS `DAV:` header' },
  { match: /header ETag.*(none|recorded strong, quoted, target none)/, row: 'ETag header after PUT' },
  { match: /header ETag|D:getetag/, row: 'ETags' },
  { match: /calendar-home-set/, row: '`calendar-home-set`' },
  { match: /current-user-principal|\{principal\}/, row: 'Principal href in responses' },
  { match: /CS:getctag|D:sync-token|sync-token/, row: '`sync-token` vs `getctag`' },
  { match: /supported-report-set/, row: '`supported-report-set`' },
  { match: /resourcetype.*(shared|subscribed)/, row: 'Sharee-side resourcetype' },
  { match: /calendar-order/, row: '`calendar-order` value' },
  { match: /calendar-timezone/, row: '`calendar-timezone` property' },
  { match: /REPORT sync-collection .*responses only (recorded|in the target): \{home\}\/[^/,]+\/(,|$)/, row: 'sync-collection: collection itself' },
  { match: /REPORT calendar-query .*responses only (recorded|in the target): \{home\}\/[^/,]+\/(,|$)/, row: 'calendar-query: collection itself' },
  { match: /REPORT calendar-multiget .*404/, row: 'multiget missing href' },
  { match: /PROPPATCH/, row: 'PROPPATCH response' },
  { match: /MKCALENDAR/, row: 'MKCALENDAR other properties' },
  { match: /GET \{home\}\/[^/]+\/ .*status/, row: 'GET on a collection' },
  { match: /PUT .*status: recorded 412|If-Match/, row: 'Conditional GET' },
  { match: /body: recorded (empty|HTML|XML|text).*target (empty|HTML|XML|text)/, row: 'Error bodies (403, 404, 412)' },
];

const STOP = new Set([
  'recorded',
  'target',
  'status',
  'header',
  'response',
  'responses',
  'value',
  'with',
  'from',
  'that',
  'this',
  'only',
  'none',
  'home',
  'what',
  'does',
  'mock',
  'icloud',
  'same',
  'than',
  'when',
  'every',
  'other',
]);

function words(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[a-z][a-z0-9-]{3,}/g) ?? []).filter((w) => !STOP.has(w)));
}

/** The behaviour column of the row covering `diff` in exchange `label`, or undefined. */
export function fidelityRow(diff: Difference, label: string, rows: FidelityRow[]): string | undefined {
  const subject = `${label} ${diff.text}`;
  for (const { match, row } of MAPPING) {
    if (!match.test(subject)) continue;
    const found = rows.find((r) => r.behaviour.startsWith(row));
    if (found) return found.behaviour;
  }
  const mine = words(subject);
  let best: { row: FidelityRow; score: number } | undefined;
  for (const row of rows) {
    const theirs = words(row.text);
    const score = [...mine].filter((w) => theirs.has(w)).length;
    if (score > (best?.score ?? 0)) best = { row, score };
  }
  return best && best.score >= 3 ? best.row.behaviour : undefined;
}
