import { z } from 'zod';
import { key } from '../args/vocabulary.js';
import { connectionOf } from '../lookups.js';
import { defineStep } from './define-step.js';

export const disconnect = defineStep({
  name: 'disconnect',
  group: 'platform',
  doc: 'forget the connection; nothing is deleted on either side',
  args: z.strictObject({ user: key('user') }),
  shorthand: 'user',
  async run(run, a) {
    await run.driver.disconnect(connectionOf(run, a.user));
    run.connections.delete(a.user); // a later connect for this user starts afresh
  },
});
