import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { appleId } from '../args/vocabulary.js';
import { StepFailure } from '../step-failure.js';
import { defineStep } from './define-step.js';

export const icloudCreate = defineStep({
  name: 'icloud.create',
  group: 'icloud',
  doc: 'add an event as if on an iPhone: `ics` inline or `file` (relative to the scenario); `name` is its resource name',
  args: z
    .strictObject({ account: appleId, calendar: z.string().describe('collection name, e.g. work'), ics: z.string().optional(), file: z.string().optional(), name: z.string().optional() })
    .refine((a) => (a.ics === undefined) !== (a.file === undefined), 'give the event as ics (inline) or file, one of them'),
  run(run, a) {
    let ics = a.ics;
    if (a.file !== undefined) {
      const path = resolve(dirname(run.scenario.file), a.file);
      try {
        ics = readFileSync(path, 'utf8');
      } catch {
        throw new StepFailure(`cannot read ${path}`);
      }
    }
    run.mock.control.putEvent(a.account, a.calendar, { ics: ics!, name: a.name });
  },
});
