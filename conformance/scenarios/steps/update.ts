import { z } from 'zod';
import { isoTime, key } from '../args/vocabulary.js';
import { need } from '../lookups.js';
import { defineStep } from './define-step.js';

export const update = defineStep({
  name: 'update',
  group: 'platform',
  doc: 'change a platform event',
  args: z.strictObject({ event: key('event'), title: z.string().optional(), start: isoTime.optional(), end: isoTime.optional(), location: z.string().optional(), description: z.string().optional() }),
  async run(run, a) {
    await run.driver.update(need(run.events, a.event, 'event'), {
      ...(a.title !== undefined ? { title: a.title } : {}),
      ...(a.location !== undefined ? { location: a.location } : {}),
      ...(a.description !== undefined ? { description: a.description } : {}),
      ...(a.start !== undefined ? { start: Date.parse(a.start) } : {}),
      ...(a.end !== undefined ? { end: Date.parse(a.end) } : {}),
    });
  },
});
