import { z } from 'zod';
import { key, whole } from '../args/vocabulary.js';
import { connectionOf, lastSeq } from '../lookups.js';
import { defineStep } from './define-step.js';

export const sync = defineStep({
  name: 'sync',
  group: 'running',
  doc: "one sync run of the user's connection; `interruptAfterRequests: N`: the run dies before request N+1; `loseAnswerOf: N`: iCloud carries out request N and the run dies before its answer",
  args: z
    .strictObject({
      user: key('user'),
      interruptAfterRequests: whole(0, 'the run dies before sending request N+1').optional(),
      loseAnswerOf: whole(1, 'iCloud serves request N, the run dies before its answer arrives').optional(),
    })
    .refine((a) => a.interruptAfterRequests === undefined || a.loseAnswerOf === undefined, 'a run dies once: interruptAfterRequests or loseAnswerOf, not both'),
  shorthand: 'user',
  needs: (a) => [...(a.interruptAfterRequests !== undefined ? (['crash-before-request'] as const) : []), ...(a.loseAnswerOf !== undefined ? (['crash-after-request'] as const) : [])],
  async run(run, a) {
    const id = connectionOf(run, a.user);
    run.lastSync = { user: a.user, journalFrom: lastSeq(run), journalTo: 0 };
    try {
      run.reports.set(a.user, await run.driver.sync(id, { interruptAfterRequests: a.interruptAfterRequests, loseAnswerOf: a.loseAnswerOf }));
    } finally {
      run.lastSync.journalTo = lastSeq(run);
    }
  },
});
