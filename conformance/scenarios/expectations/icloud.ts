import { oneOrMany } from '../args/vocabulary.js';
import { defineExpectation } from './define-expectation.js';
import { icloudMatcher, icloudMatches } from './icloud-matcher.js';

export const icloud = defineExpectation({
  name: 'icloud',
  doc: "events that must exist in an account's calendar (by collection name): `uid`, or `event` for the copy of a booking; `summary` exactly; `contains`/`notContains`: texts of the unfolded event; `count` defaults to 1",
  args: oneOrMany(icloudMatcher),
  async check(run, matchers) {
    const out = [];
    for (const m of matchers) {
      const { matches, closest, total } = await icloudMatches(run, m);
      const count = m.count ?? 1;
      if (matches.length === count) continue;
      out.push({
        message: `expected ${count} iCloud event(s) like this in ${m.account}'s "${m.calendar}", found ${matches.length} (of ${total}; the nearest are shown)`,
        expected: m,
        actual: closest,
      });
    }
    return out;
  },
});
