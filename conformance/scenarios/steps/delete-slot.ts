import { z } from 'zod';
import { defineStep } from './define-step.js';
import { oneSlotRef, slotId, slotRef } from './slot-ref.js';

export const deleteSlot = defineStep({
  name: 'deleteSlot',
  group: 'platform',
  doc: 'delete a blocked slot (usually one from iCloud), named by `slot` (a key) or by `user` + `title` (+ `start`)',
  args: z.strictObject(slotRef).superRefine(oneSlotRef),
  async run(run, a) {
    await run.driver.deleteSlot(await slotId(run, a));
  },
});
