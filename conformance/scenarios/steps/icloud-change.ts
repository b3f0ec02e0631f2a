import { z } from 'zod';
import { utcDateTime } from '../../../icalendar/index.js';
import { oneEventRef, icloudEventRef } from '../args/icloud-event-ref.js';
import { appleId, icalProperties } from '../args/vocabulary.js';
import { editMaster } from '../icalendar-text/edit-master.js';
import { editOccurrence } from '../icalendar-text/edit-occurrence.js';
import { findICloudEvent, icloudUid } from '../lookups.js';
import { defineStep } from './define-step.js';

export const icloudChange = defineStep({
  name: 'icloud.change',
  group: 'icloud',
  doc:
    'change an event as if on an iPhone (`uid`, or `event` for a booking the platform wrote): `set: { SUMMARY: …, "DTSTART;TZID=Europe/London": 20261124T143000 }`, `remove: [LOCATION]`; ' +
    "the master VEVENT changes, or with `recurrenceId` (`20261130T090000Z`; `20261130T090000` in the master's zone; `TZID=Europe/London:20261130T090000`) one occurrence: its override is added (a copy of the master at that occurrence) or changed, `thisAndFuture: true` writes RANGE=THISANDFUTURE; LAST-MODIFIED becomes now unless set",
  args: z
    .strictObject({
      account: appleId,
      calendar: z.string(),
      ...icloudEventRef,
      set: icalProperties.default({}),
      remove: z.array(z.string()).default([]),
      recurrenceId: z.union([z.string(), z.number()]).transform(String).optional().describe('the occurrence, as RECURRENCE-ID writes it'),
      thisAndFuture: z.boolean().optional(),
    })
    .superRefine(oneEventRef)
    .refine((a) => a.thisAndFuture === undefined || a.recurrenceId !== undefined, 'thisAndFuture needs recurrenceId (the first occurrence it applies to)'),
  async run(run, a) {
    const event = findICloudEvent(run, a.account, a.calendar, await icloudUid(run, a));
    const set = { 'LAST-MODIFIED': utcDateTime(run.clock.now()), ...a.set };
    const ics =
      a.recurrenceId === undefined ? editMaster(event.data, set, a.remove) : editOccurrence(event.data, { recurrenceId: a.recurrenceId, thisAndFuture: a.thisAndFuture, set, remove: a.remove });
    run.mock.control.putEvent(a.account, a.calendar, { name: event.name, ics });
  },
});
