import { z } from 'zod';
import { parseDuration } from '../args/duration.js';
import { durationText, isoTime } from '../args/vocabulary.js';
import { defineStep } from './define-step.js';

export const clock = defineStep({
  name: 'clock',
  group: 'running',
  doc: 'move the clock of the engine and the mock together: `advance` by a duration (90m, 2h, 40d, 1d12h) or `set` to an ISO time',
  args: z.strictObject({ advance: durationText.optional(), set: isoTime.optional() }).refine((a) => (a.advance === undefined) !== (a.set === undefined), 'give advance or set, one of them'),
  shorthand: 'advance',
  async run(run, a) {
    const next = a.set !== undefined ? Date.parse(a.set) : run.clock.now() + parseDuration(a.advance!)!;
    run.clock.set(next);
    await run.driver.setClock(next);
    run.mock.control.setClock(next);
  },
});
