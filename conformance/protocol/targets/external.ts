/**
 * Any server reachable by URL (iCloud itself, a staging server, a mock started elsewhere): nothing
 * to start or stop.
 */
import type { Deviation } from '../case.js';
import type { TargetAddress } from '../context.js';
import type { RunningTarget } from './target.js';

export function externalTarget(address: TargetAddress): RunningTarget {
  return { address, stop: async () => {} };
}

/**
 * Real iCloud against the `rfc` profile: where the dossier says iCloud departs from the RFC cases.
 * (Under the `icloud` profile these cases are replaced by their iCloud variants.) Unverified
 * against live iCloud by this suite; each reason cites the dossier's evidence.
 */
export const ICLOUD_RFC_DEVIATIONS: readonly Deviation[] = [
  { caseId: 'mkcalendar.two-components', reason: 'iCloud calendars hold one component type; two give 400 "…only one calendar component type supported" (dossier §5 [S], vdirsyncer PR #593)' },
  { caseId: 'put.without-dtend', reason: 'iCloud answers 404 to a VEVENT with neither DTEND nor DURATION (dossier §5 [S], davx5-ose#1859, vdirsyncer#1200)' },
  { caseId: 'calendar-query.objects-only', reason: 'iCloud adds the calendar collection itself to calendar-query answers (dossier §4 [S])' },
  { caseId: 'sync-collection.members-only', reason: 'iCloud adds the calendar collection itself, with its etag, to sync-collection answers (dossier §4 [S])' },
  { caseId: 'sync-collection.token-is-uri', reason: 'iCloud sync tokens are opaque base64 (HwoQEgwAA…), not URIs (dossier §3 [S])' },
  { caseId: 'sync-collection.invalid-token', reason: 'iCloud answers an invalid or expired token with a bare 403, no valid-sync-token element (dossier §4 [R])' },
];
