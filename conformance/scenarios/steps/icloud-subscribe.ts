import { z } from 'zod';
import { appleId } from '../args/vocabulary.js';
import { defineStep } from './define-step.js';

export const icloudSubscribe = defineStep({
  name: 'icloud.subscribe',
  group: 'icloud',
  doc: 'subscribe an account to a calendar feed',
  args: z.strictObject({ account: appleId, name: z.string(), displayName: z.string(), source: z.string().describe('the feed URL') }),
  run(run, a) {
    run.mock.control.subscribeCalendar(a.account, { name: a.name, displayName: a.displayName, source: a.source });
  },
});
