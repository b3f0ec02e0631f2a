import { z } from 'zod';
import { key } from '../args/vocabulary.js';
import { need } from '../lookups.js';
import { defineStep } from './define-step.js';

export const cancel = defineStep({
  name: 'cancel',
  group: 'platform',
  doc: 'cancel a booking',
  args: z.strictObject({ event: key('event') }),
  shorthand: 'event',
  async run(run, a) {
    await run.driver.cancel(need(run.events, a.event, 'event'));
  },
});
