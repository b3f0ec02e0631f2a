import { z } from 'zod';
import { lastSeq } from '../lookups.js';
import { defineStep } from './define-step.js';

export const poll = defineStep({
  name: 'poll',
  group: 'running',
  doc: 'one polling cycle over every connection that is due',
  args: z.strictObject({}),
  needs: () => ['poll'],
  async run(run) {
    run.lastSync = { journalFrom: lastSeq(run), journalTo: 0 };
    const reports = await run.driver.poll();
    run.lastSync.journalTo = lastSeq(run);
    run.lastPoll = [];
    for (const report of reports) {
      const key = [...run.connections].find(([, id]) => id === report.connectionId)?.[0];
      if (key) run.reports.set(key, report);
      run.lastPoll.push(key ?? report.connectionId);
    }
  },
});
