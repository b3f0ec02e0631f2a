import { defineExpectation } from './define-expectation.js';
import { checkOfferedSlots, offeredSlotsArgs } from './offered-slots-check.js';

export const offeredSlots = defineExpectation({
  name: 'offeredSlots',
  doc: 'slot starts a platform calendar offers for booking; `members`: exactly the user keys free for each',
  args: offeredSlotsArgs,
  check: (run, spec) => checkOfferedSlots(run, spec, true),
});
