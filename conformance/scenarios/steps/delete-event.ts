import { z } from 'zod';
import { key } from '../args/vocabulary.js';
import { need } from '../lookups.js';
import { defineStep } from './define-step.js';

export const deleteEvent = defineStep({
  name: 'deleteEvent',
  group: 'platform',
  doc: 'delete a platform event',
  args: z.strictObject({ event: key('event') }),
  shorthand: 'event',
  async run(run, a) {
    await run.driver.deleteEvent(need(run.events, a.event, 'event'));
  },
});
