import { z } from 'zod';
import { key, text } from '../args/vocabulary.js';
import { connectionOf } from '../lookups.js';
import { defineStep } from './define-step.js';

export const reconnect = defineStep({
  name: 'reconnect',
  group: 'platform',
  doc: "replace a connection's app-specific password (after a revocation)",
  args: z.strictObject({ user: key('user'), appPassword: text('the new app-specific password') }),
  async run(run, a) {
    await run.driver.reconnect(connectionOf(run, a.user), a.appPassword);
  },
});
