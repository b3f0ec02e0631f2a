import { z } from 'zod';
import { isoTime, key } from '../args/vocabulary.js';
import { findSlot, userOf } from '../lookups.js';
import { defineStep } from './define-step.js';

export const nameSlot = defineStep({
  name: 'nameSlot',
  group: 'platform',
  doc: 'give a key to the one platform event of a user with this title (and start), e.g. a slot imported from iCloud; fails naming the candidates when there is not exactly one',
  args: z.strictObject({ as: key('event'), user: key('user'), title: z.string(), start: isoTime.optional() }),
  async run(run, a) {
    run.events.set(a.as, (await findSlot(run, userOf(run, a.user), a.title, a.start === undefined ? undefined : Date.parse(a.start))).id);
  },
});
