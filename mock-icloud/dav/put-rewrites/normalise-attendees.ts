/**
 * Quirk `normaliseAttendees` (off by default, unproven for iCloud): Apple CalendarServer
 * normalises calendar-user addresses on PUT (`normalizeCalendarUserAddresses` in `fullValidation`),
 * and Nylas documents for iCloud that "participants' information might be replaced by their iCloud
 * alias". With it on, `MAILTO:` becomes `mailto:`, and the address of an account of this world is
 * rewritten to the account's Apple ID as iCloud spells it (lower case, trimmed).
 */
import type ICAL from 'ical.js';
import type { PutRewrite } from './index.js';

export const normaliseAttendees: PutRewrite = {
  quirk: 'normaliseAttendees',
  rewrite(root: ICAL.Component, ctx): boolean {
    let changed = false;
    for (const comp of root.getAllSubcomponents().filter((c) => c.name === 'vevent' || c.name === 'vtodo')) {
      for (const prop of [...comp.getAllProperties('attendee'), ...comp.getAllProperties('organizer')]) {
        const value = String(prop.getFirstValue() ?? '');
        const m = /^mailto:(.*)$/i.exec(value.trim());
        if (!m) continue;
        const account = ctx.store.getAccountByAppleId(m[1]);
        const next = `mailto:${account ? account.appleId : m[1]}`;
        if (next !== value) {
          prop.setValue(next);
          changed = true;
        }
      }
    }
    return changed;
  },
};
