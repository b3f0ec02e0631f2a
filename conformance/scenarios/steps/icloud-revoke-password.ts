import { z } from 'zod';
import { appleId, text } from '../args/vocabulary.js';
import { defineStep } from './define-step.js';

export const icloudRevokePassword = defineStep({
  name: 'icloud.revokePassword',
  group: 'icloud',
  doc: 'revoke an app-specific password',
  args: z.strictObject({ account: appleId, password: text('the app-specific password') }),
  run(run, a) {
    run.mock.control.revokeAppPassword(a.account, a.password);
  },
});
