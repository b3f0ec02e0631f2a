import { z } from 'zod';
import { isoTime } from '../args/vocabulary.js';
import { defineStep } from './define-step.js';
import { oneSlotRef, slotId, slotRef } from './slot-ref.js';

export const updateSlot = defineStep({
  name: 'updateSlot',
  group: 'platform',
  doc: 'change a blocked slot (usually one from iCloud), named by `slot` (a key) or by `user` + `title` (+ `start`), to `newTitle`, `newStart`, `newEnd`',
  args: z.strictObject({ ...slotRef, newTitle: z.string().optional(), newStart: isoTime.optional(), newEnd: isoTime.optional() }).superRefine(oneSlotRef),
  async run(run, a) {
    await run.driver.updateSlot(await slotId(run, a), {
      ...(a.newTitle !== undefined ? { title: a.newTitle } : {}),
      ...(a.newStart !== undefined ? { start: Date.parse(a.newStart) } : {}),
      ...(a.newEnd !== undefined ? { end: Date.parse(a.newEnd) } : {}),
    });
  },
});
