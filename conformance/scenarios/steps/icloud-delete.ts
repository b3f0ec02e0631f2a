import { z } from 'zod';
import { icloudEventRef, oneEventRef } from '../args/icloud-event-ref.js';
import { appleId } from '../args/vocabulary.js';
import { findICloudEvent, icloudUid } from '../lookups.js';
import { defineStep } from './define-step.js';

export const icloudDelete = defineStep({
  name: 'icloud.delete',
  group: 'icloud',
  doc: 'delete an event as if on an iPhone (`uid`, or `event` for a booking the platform wrote)',
  args: z.strictObject({ account: appleId, calendar: z.string(), ...icloudEventRef }).superRefine(oneEventRef),
  async run(run, a) {
    run.mock.control.deleteEvent(a.account, a.calendar, findICloudEvent(run, a.account, a.calendar, await icloudUid(run, a)).name);
  },
});
