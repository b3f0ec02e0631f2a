import { z } from 'zod';
import { appleId } from '../args/vocabulary.js';
import { defineStep } from './define-step.js';

/** iCloud moves accounts between partitions: the home-set changes and the old host answers 301. */
export const icloudMoveAccount = defineStep({
  name: 'icloud.moveAccount',
  group: 'icloud',
  doc: 'move an account to another partition (the calendar home moves to another host; the old one answers 301): { account, partition? }',
  args: z.strictObject({ account: appleId, partition: z.number().int().positive().optional() }),
  run(run, a) {
    run.mock.control.moveAccount(a.account, a.partition === undefined ? {} : { partition: a.partition });
  },
});
