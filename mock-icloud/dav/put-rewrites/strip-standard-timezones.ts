/**
 * Quirk `stripStandardTimezones` (off by default, unproven for iCloud): Apple CalendarServer,
 * iCloud's ancestor, removes VTIMEZONEs for zones it knows on PUT and serves the object without
 * them (`EnableTimezonesByReference: True`, `stripStandardTimezones()` in `txdav/caldav/datastore/sql.py`);
 * one iCloud capture lacks the VTIMEZONE its TZID names (dossier §6 [R]). With it on, a VTIMEZONE
 * whose TZID is an IANA zone is dropped; custom zones stay, since nothing else could resolve them.
 */
import type ICAL from 'ical.js';
import { ianaZone } from '../../../icalendar/index.js';
import type { PutRewrite } from './index.js';

export const stripStandardTimezones: PutRewrite = {
  quirk: 'stripStandardTimezones',
  rewrite(root: ICAL.Component): boolean {
    let changed = false;
    for (const vtz of root.getAllSubcomponents('vtimezone')) {
      const tzid = String(vtz.getFirstPropertyValue('tzid') ?? '');
      if (/^[A-Za-z]+\/[A-Za-z_+-]+/.test(tzid) && ianaZone(tzid)) {
        root.removeSubcomponent(vtz);
        changed = true;
      }
    }
    return changed;
  },
};
