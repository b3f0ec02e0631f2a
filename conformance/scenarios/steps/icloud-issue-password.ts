import { z } from 'zod';
import { appleId, text } from '../args/vocabulary.js';
import { defineStep } from './define-step.js';

export const icloudIssuePassword = defineStep({
  name: 'icloud.issuePassword',
  group: 'icloud',
  doc: 'issue an app-specific password',
  args: z.strictObject({ account: appleId, password: text('the new app-specific password') }),
  run(run, a) {
    run.mock.control.issueAppPassword(a.account, { password: a.password });
  },
});
