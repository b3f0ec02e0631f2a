import { z } from 'zod';
import { appleId } from '../args/vocabulary.js';
import { defineStep } from './define-step.js';

export const icloudShare = defineStep({
  name: 'icloud.share',
  group: 'icloud',
  doc: "share a calendar with another account (it appears in that account's calendar list)",
  args: z.strictObject({ owner: appleId, calendar: z.string(), with: appleId, access: z.enum(['read-only', 'read-write']).default('read-only'), displayName: z.string().optional() }),
  run(run, a) {
    run.mock.control.shareCalendar({ owner: a.owner, calendar: a.calendar, sharee: a.with, access: a.access, displayName: a.displayName });
  },
});
