/**
 * Every protocol case, in the order they run (cheap discovery first, then writes, then reports).
 */
import type { Profile, ProtocolCase } from '../case.js';
import { authCases } from './auth.js';
import { discoveryCases } from './discovery.js';
import { errorCases } from './errors.js';
import { deleteCases, getCases } from './get-delete.js';
import { mkcalendarCases } from './mkcalendar.js';
import { propfindCases } from './propfind.js';
import { proppatchCases } from './proppatch.js';
import { putCases } from './put.js';
import { calendarQueryCases, multigetCases, syncCollectionCases } from './reports.js';

export const ALL_CASES: readonly ProtocolCase[] = [
  ...discoveryCases,
  ...authCases,
  ...propfindCases,
  ...proppatchCases,
  ...mkcalendarCases,
  ...putCases,
  ...getCases,
  ...deleteCases,
  ...calendarQueryCases,
  ...multigetCases,
  ...syncCollectionCases,
  ...errorCases,
];

const ids = new Set<string>();
for (const c of ALL_CASES) {
  if (ids.has(c.id)) throw new Error(`protocol case id "${c.id}" is used twice`);
  ids.add(c.id);
}

export function casesFor(profile: Profile): ProtocolCase[] {
  return ALL_CASES.filter((c) => c.profiles.includes(profile));
}
