import { availabilityArgs, checkAvailability } from './availability-check.js';
import { defineExpectation } from './define-expectation.js';

export const busy = defineExpectation({
  name: 'busy',
  doc: 'slot starts (ISO, one or a list) at which a user is blocked',
  args: availabilityArgs,
  check: (run, spec) => checkAvailability(run, spec, false),
});
