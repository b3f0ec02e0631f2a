import { z } from 'zod';
import { defineStep } from './define-step.js';

export const clearFaults = defineStep({
  name: 'clearFaults',
  group: 'faults',
  doc: 'stop every fault',
  args: z.strictObject({}),
  run(run) {
    run.mock.control.clearFaults();
  },
});
