import { z } from 'zod';
import { key } from '../args/vocabulary.js';
import { takeSnapshot } from '../snapshot.js';
import { defineStep } from './define-step.js';

export const snapshot = defineStep({
  name: 'snapshot',
  group: 'checking',
  doc: 'remember the observable state (platform events, conflicts, iCloud events) under a key, for `expect: { sameAs: key }`',
  args: z.strictObject({ as: key('snapshot') }),
  shorthand: 'as',
  async run(run, a) {
    run.snapshots.set(a.as, await takeSnapshot(run));
  },
});
