import { z } from 'zod';
import { whole } from '../args/vocabulary.js';
import { defineExpectation } from './define-expectation.js';

export const icloudWrites = defineExpectation({
  name: 'icloudWrites',
  doc: 'PUT and DELETE requests during the last sync or poll',
  args: z.strictObject({ count: whole(0, 'PUT and DELETE requests') }),
  shorthand: 'count',
  check(run, spec) {
    const writes = run.mock.control.journal({ since: run.lastSync.journalFrom }).filter((e) => e.seq <= run.lastSync.journalTo && (e.method === 'PUT' || e.method === 'DELETE'));
    return writes.length === spec.count
      ? []
      : [{ message: 'unexpected number of writes to iCloud during the last sync', expected: spec.count, actual: writes.map((e) => `${e.method} ${e.path} → ${e.status}`) }];
  },
});
