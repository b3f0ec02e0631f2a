/**
 * Quirk `removeDuplicateAlarms` (off by default, unproven for iCloud): Apple CalendarServer drops
 * a VALARM identical to an earlier one in the same component on PUT (`RemoveDuplicateAlarms: True`,
 * `txdav/caldav/datastore/sql.py`). Alarms compare without their UID and X-WR-ALARMUID, which every
 * copy has its own of.
 */
import type ICAL from 'ical.js';
import type { PutRewrite } from './index.js';

const IDENTITY = /^(UID|X-WR-ALARMUID|ACKNOWLEDGED)[;:]/i;

function signature(alarm: ICAL.Component): string {
  return alarm
    .toString()
    .split(/\r?\n/)
    .filter((l) => !IDENTITY.test(l))
    .sort()
    .join('\n');
}

export const removeDuplicateAlarms: PutRewrite = {
  quirk: 'removeDuplicateAlarms',
  rewrite(root: ICAL.Component): boolean {
    let changed = false;
    for (const comp of root.getAllSubcomponents().filter((c) => c.name === 'vevent' || c.name === 'vtodo')) {
      const seen = new Set<string>();
      for (const alarm of comp.getAllSubcomponents('valarm')) {
        const key = signature(alarm);
        if (seen.has(key)) {
          comp.removeSubcomponent(alarm);
          changed = true;
        } else seen.add(key);
      }
    }
    return changed;
  },
};
