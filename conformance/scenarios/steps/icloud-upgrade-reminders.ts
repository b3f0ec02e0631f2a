import { z } from 'zod';
import { appleId } from '../args/vocabulary.js';
import { defineStep } from './define-step.js';

/** An account upgraded to the new Reminders: its VTODO lists leave CalDAV. */
export const icloudUpgradeReminders = defineStep({
  name: 'icloud.upgradeReminders',
  group: 'icloud',
  doc: 'upgrade an account to the new Reminders: its VTODO lists leave CalDAV and none can be made: { account }',
  args: z.strictObject({ account: appleId }),
  run(run, a) {
    run.mock.control.upgradeReminders(a.account);
  },
});
