import { z } from 'zod';
import { key } from '../args/vocabulary.js';
import { need } from '../lookups.js';
import { defineStep } from './define-step.js';

export const enableICloudSync = defineStep({
  name: 'enableICloudSync',
  group: 'platform',
  doc: 'switch iCloud sync on for a platform calendar',
  args: z.strictObject({ calendar: key('calendar') }),
  shorthand: 'calendar',
  async run(run, a) {
    await run.driver.enableICloudSync(need(run.calendars, a.calendar, 'calendar').id);
  },
});
