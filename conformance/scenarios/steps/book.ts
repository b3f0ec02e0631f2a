import { z } from 'zod';
import { isoTime, key } from '../args/vocabulary.js';
import { need } from '../lookups.js';
import { defineStep } from './define-step.js';

export const book = defineStep({
  name: 'book',
  group: 'platform',
  doc: 'book an appointment for a contact; `as` names it for later steps',
  args: z.strictObject({ as: key('event').optional(), calendar: key('calendar'), start: isoTime, contact: key('contact'), title: z.string().optional() }),
  async run(run, a) {
    const id = await run.driver.book({ calendarId: need(run.calendars, a.calendar, 'calendar').id, start: Date.parse(a.start), contactId: need(run.contacts, a.contact, 'contact'), title: a.title });
    if (a.as) run.events.set(a.as, id);
  },
});
