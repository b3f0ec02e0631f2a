import { z } from 'zod';
import { key, oneOrMany } from '../args/vocabulary.js';
import { connectionOf } from '../lookups.js';
import { defineStep } from './define-step.js';

export const choose = defineStep({
  name: 'choose',
  group: 'platform',
  doc: 'choose the linked calendar and the conflict calendars, by display name, collection name or URL',
  args: z.strictObject({
    user: key('user'),
    linked: z.string().nullable().optional().describe('the linked calendar (null: none)'),
    conflict: oneOrMany(z.string()).optional().describe('conflict calendars besides the linked one'),
  }),
  async run(run, a) {
    await run.driver.chooseCalendars(connectionOf(run, a.user), { linked: a.linked, conflict: a.conflict });
  },
});
