import { z } from 'zod';
import { defineStep } from './define-step.js';

export const forgetSyncTokens = defineStep({
  name: 'forgetSyncTokens',
  group: 'faults',
  doc: "make iCloud forget every sync token (the next incremental sync gets iCloud's bare 403)",
  args: z.strictObject({}),
  run(run) {
    run.mock.control.forgetSyncTokens();
  },
});
