import { z } from 'zod';
import { isoTime, key } from '../args/vocabulary.js';
import { userOf } from '../lookups.js';
import { defineStep } from './define-step.js';

export const blockTime = defineStep({
  name: 'blockTime',
  group: 'platform',
  doc: 'block time in the platform; `as` names the blocked slot',
  args: z.strictObject({ as: key('event').optional(), user: key('user'), start: isoTime, end: isoTime, title: z.string().default('Blocked'), allDay: z.boolean().default(false) }),
  async run(run, a) {
    const id = await run.driver.blockTime({ userId: userOf(run, a.user).id, start: Date.parse(a.start), end: Date.parse(a.end), title: a.title, allDay: a.allDay });
    if (a.as) run.events.set(a.as, id);
  },
});
