import { z } from 'zod';
import { appleId } from '../args/vocabulary.js';
import { defineStep } from './define-step.js';

export const icloudTwoFactor = defineStep({
  name: 'icloud.twoFactor',
  group: 'icloud',
  doc: 'switch two-factor authentication on or off for an account',
  args: z.strictObject({ account: appleId, enabled: z.boolean() }),
  run(run, a) {
    run.mock.control.setTwoFactor(a.account, a.enabled);
  },
});
