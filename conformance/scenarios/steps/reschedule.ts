import { z } from 'zod';
import { isoTime, key } from '../args/vocabulary.js';
import { need } from '../lookups.js';
import { defineStep } from './define-step.js';

export const reschedule = defineStep({
  name: 'reschedule',
  group: 'platform',
  doc: 'move a booking to another start (same length)',
  args: z.strictObject({ event: key('event'), start: isoTime }),
  async run(run, a) {
    await run.driver.reschedule(need(run.events, a.event, 'event'), Date.parse(a.start));
  },
});
