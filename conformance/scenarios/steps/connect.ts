import { z } from 'zod';
import { key, text } from '../args/vocabulary.js';
import { userOf } from '../lookups.js';
import { defineStep } from './define-step.js';

export const connect = defineStep({
  name: 'connect',
  group: 'platform',
  doc: 'connect a user to iCloud with an app-specific password',
  args: z.strictObject({ user: key('user'), appleId: text('the Apple ID, exactly as the user types it'), appPassword: text('app-specific password') }),
  async run(run, a) {
    const id = await run.driver.connect({ userId: userOf(run, a.user).id, appleId: a.appleId, appPassword: a.appPassword, serverUrl: run.mock.gatewayUrl });
    run.connections.set(a.user, id);
  },
});
