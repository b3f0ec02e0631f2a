import { z } from 'zod';
import { key } from '../args/vocabulary.js';
import { connectionOf } from '../lookups.js';
import { defineStep } from './define-step.js';

export const setSyncPreferences = defineStep({
  name: 'setSyncPreferences',
  group: 'platform',
  doc: 'ask for advanced sync settings (C7: iCloud has none)',
  args: z.strictObject({ user: key('user') }),
  shorthand: 'user',
  async run(run, a) {
    await run.driver.setSyncPreferences(connectionOf(run, a.user), {});
  },
});
