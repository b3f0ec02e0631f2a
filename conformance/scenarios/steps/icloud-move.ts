import { z } from 'zod';
import { icloudEventRef, oneEventRef } from '../args/icloud-event-ref.js';
import { appleId } from '../args/vocabulary.js';
import { findICloudEvent, icloudUid } from '../lookups.js';
import { defineStep } from './define-step.js';

export const icloudMove = defineStep({
  name: 'icloud.move',
  group: 'icloud',
  doc: 'move an event to another calendar as CalDAV clients do: DELETE it in `from`, then PUT the same data (same UID) in `to`; `name` gives it another resource name',
  args: z.strictObject({ account: appleId, from: z.string(), to: z.string(), ...icloudEventRef, name: z.string().optional() }).superRefine(oneEventRef),
  async run(run, a) {
    // CalDAV has no move between calendars, so clients delete here and create there.
    const event = findICloudEvent(run, a.account, a.from, await icloudUid(run, a));
    run.mock.control.deleteEvent(a.account, a.from, event.name);
    run.mock.control.putEvent(a.account, a.to, { ics: event.data, name: a.name ?? event.name });
  },
});
