/**
 * Xandikos (Debian package `xandikos`, 0.2.8 in CI) on 127.0.0.1 and a free port, serving a
 * temporary directory created with `--defaults` (principal /user/, home /user/calendars/). It has
 * no authentication of its own. XANDIKOS_BIN overrides where the executable is.
 */
import type { Deviation } from '../case.js';
import { findExecutable, freePort, removeDir, spawnServer, tempDir } from './process.js';
import type { RunningTarget, TargetDefinition } from './target.js';

const NO_AUTH = 'Xandikos has no authentication of its own (it expects a reverse proxy to do it): every request is served';
const IGNORES_COMPONENT_SET = 'Xandikos 0.2.8 ignores supported-calendar-component-set in MKCALENDAR: every calendar reports VEVENT, VTODO, VJOURNAL and VFREEBUSY';
const WRAPS_ERRORS = 'Xandikos 0.2.8 wraps the error in a 207 multistatus (with a percent-encoded absolute URL as href) instead of answering with the status itself';
const NO_RECURRENCE = 'Xandikos 0.2.8 matches a time-range against the master DTSTART/DTEND only; RRULE/RDATE instances are not expanded';

/** What Xandikos 0.2.8 (Debian) is known to do differently from the RFC cases, found by this suite. */
export const XANDIKOS_DEVIATIONS: readonly Deviation[] = [
  { caseId: 'auth.no-credentials', reason: NO_AUTH },
  { caseId: 'auth.wrong-password', reason: NO_AUTH },
  { caseId: 'propfind.supported-calendar-component-set', reason: IGNORES_COMPONENT_SET },
  { caseId: 'mkcalendar.two-components', reason: IGNORES_COMPONENT_SET },
  { caseId: 'put.unsupported-component', reason: `${IGNORES_COMPONENT_SET}, so a VTODO is stored in a "VEVENT" calendar` },
  { caseId: 'mkcalendar.create-and-delete', reason: `PROPFIND of a deleted (missing) calendar: ${WRAPS_ERRORS} (207 with a response-level 404)` },
  { caseId: 'mkcalendar.existing', reason: `MKCALENDAR on an existing calendar: ${WRAPS_ERRORS} (207 holding 403 DAV:resource-must-be-null)` },
  { caseId: 'put.invalid-icalendar', reason: `PUT of invalid iCalendar: ${WRAPS_ERRORS} (207 holding 412 C:valid-calendar-data)` },
  { caseId: 'put.uid-conflict', reason: `PUT of a duplicate UID: ${WRAPS_ERRORS} (207 holding 412 C:no-uid-conflict)` },
  { caseId: 'errors.unsupported-report', reason: `an unknown REPORT: ${WRAPS_ERRORS} (207 holding 403 DAV:supported-report)` },
  { caseId: 'put.two-uids', reason: 'Xandikos 0.2.8 stores (201) one resource holding VEVENTs with two different UIDs' },
  { caseId: 'put.missing-calendar', reason: 'Xandikos 0.2.8 answers a PUT into a missing collection with 404, not 409' },
  { caseId: 'calendar-query.recurring', reason: NO_RECURRENCE },
  { caseId: 'calendar-query.recurring-timezone', reason: NO_RECURRENCE },
  { caseId: 'calendar-query.recurring-all-day', reason: NO_RECURRENCE },
  { caseId: 'calendar-query.text-match', reason: 'Xandikos 0.2.8 text-match compares the whole property value, not a substring (RFC 4791 §9.7.5)' },
  { caseId: 'sync-collection.token-is-uri', reason: 'Xandikos sync tokens are bare git commit ids (40 hex digits), not URIs' },
  { caseId: 'sync-collection.invalid-token', reason: 'Xandikos 0.2.8 answers an unknown sync token with 500 Internal Server Error' },
];

export const XANDIKOS_HOW_TO_GET = 'apt-get install xandikos';

const findXandikos = () => findExecutable('xandikos', ['/usr/bin/xandikos'], process.env.XANDIKOS_BIN);

/** Undefined when Xandikos is installed, else what is missing. */
export function xandikosMissing(): string | undefined {
  return findXandikos() ? undefined : `Xandikos is not installed (no ${process.env.XANDIKOS_BIN ?? '/usr/bin/xandikos or xandikos on PATH'})`;
}

export async function startXandikos(): Promise<RunningTarget> {
  const xandikos = findXandikos();
  if (!xandikos) throw new Error(`${xandikosMissing()}: ${XANDIKOS_HOW_TO_GET}`);
  const dir = tempDir('conformance-xandikos');
  const port = await freePort();
  const server = await spawnServer({
    name: 'Xandikos',
    command: xandikos,
    args: ['-d', dir, '--defaults', '-l', '127.0.0.1', '-p', String(port)],
    readyUrl: `http://127.0.0.1:${port}/`,
    cleanup: () => removeDir(dir),
  });
  return { address: { url: `http://127.0.0.1:${port}/` }, stop: server.stop };
}

export const xandikosTarget: TargetDefinition = {
  key: 'xandikos',
  name: 'Xandikos',
  profile: 'rfc',
  deviations: XANDIKOS_DEVIATIONS,
  start: startXandikos,
  peer: { name: 'Xandikos', check: xandikosMissing, howToGet: XANDIKOS_HOW_TO_GET },
};
