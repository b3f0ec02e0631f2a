import { z } from 'zod';
import { key, oneOrMany } from '../args/vocabulary.js';
import { defineExpectation } from './define-expectation.js';

export const offered = defineExpectation({
  name: 'offered',
  doc: 'calendars offered to a user to choose from, by display name: `include`, `exclude`, the `linked` one, and `conflict`: exactly these',
  args: z.strictObject({
    user: key('user'),
    include: oneOrMany(z.string()).optional(),
    exclude: oneOrMany(z.string()).optional(),
    linked: z.string().optional(),
    conflict: oneOrMany(z.string()).optional().describe('exactly these are conflict calendars'),
  }),
  async check(run, spec) {
    const id = run.connections.get(spec.user);
    const calendars = id ? await run.driver.offeredCalendars(id) : [];
    const names = calendars.map((c) => c.displayName);
    const linked = calendars.find((c) => c.isLinked)?.displayName;
    const conflict = calendars
      .filter((c) => c.isConflict)
      .map((c) => c.displayName)
      .sort();
    const missing = (spec.include ?? []).filter((n) => !names.includes(n));
    const extra = (spec.exclude ?? []).filter((n) => names.includes(n));
    const badLinked = spec.linked !== undefined && spec.linked !== linked;
    const badConflict = spec.conflict !== undefined && JSON.stringify([...spec.conflict].sort()) !== JSON.stringify(conflict);
    if (!missing.length && !extra.length && !badLinked && !badConflict) return [];
    const { user: _user, ...expected } = spec;
    return [{ message: `calendars offered to ${spec.user} differ`, expected, actual: { offered: names, linked, conflict } }];
  },
});
