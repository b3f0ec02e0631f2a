import { defineExpectation } from './define-expectation.js';
import { checkOfferedSlots, offeredSlotsArgs } from './offered-slots-check.js';

export const notOfferedSlots = defineExpectation({
  name: 'notOfferedSlots',
  doc: 'slot starts a platform calendar does not offer',
  args: offeredSlotsArgs.omit({ members: true }),
  check: (run, spec) => checkOfferedSlots(run, spec, false),
});
