/**
 * CALDAV:free-busy-query REPORT (RFC 4791 §7.10). iCloud lists it in supported-report-set but
 * answers it with a bare 400 (python-caldav#325, dossier §4 [S]), and exposes no provider-side
 * free/busy at all (Nylas): the mock gives the same answer, so it is registered with that answer.
 */
import { DavError } from '../../http/errors.js';
import { CALDAV } from '../../../common/xml/names.js';
import type { ReportDefinition } from './registry.js';

export const freeBusyQueryReport: ReportDefinition = {
  name: CALDAV('free-busy-query'),
  on: ['calendar', 'subscribed'],
  run() {
    throw new DavError(400, 'free-busy-query REPORT: iCloud answers 400 with an empty body (dossier §4)');
  },
};
