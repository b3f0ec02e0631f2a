import { z } from 'zod';
import { key } from '../args/vocabulary.js';
import { connectionOf } from '../lookups.js';
import { defineStep } from './define-step.js';

export const refreshCalendars = defineStep({
  name: 'refreshCalendars',
  group: 'platform',
  doc: 're-read the calendar list from iCloud, so a calendar shared, subscribed or created after connecting can be chosen',
  args: z.strictObject({ user: key('user') }),
  shorthand: 'user',
  async run(run, a) {
    await run.driver.refreshCalendars(connectionOf(run, a.user));
  },
});
