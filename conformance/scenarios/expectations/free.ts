import { availabilityArgs, checkAvailability } from './availability-check.js';
import { defineExpectation } from './define-expectation.js';

export const free = defineExpectation({
  name: 'free',
  doc: 'slot starts (ISO, one or a list) at which a user can be booked for `minutes` (default 30)',
  args: availabilityArgs,
  check: (run, spec) => checkAvailability(run, spec, true),
});
