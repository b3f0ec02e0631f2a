import { oneOrMany } from '../args/vocabulary.js';
import { defineExpectation } from './define-expectation.js';
import { describeEvent, platformMatcher, platformMatches } from './platform-matcher.js';

export const platform = defineExpectation({
  name: 'platform',
  doc: 'platform events that must exist; every key given must match (`event`: a key from book, blockTime or nameSlot; `start`/`end`: ISO); `count` defaults to 1',
  args: oneOrMany(platformMatcher),
  async check(run, matchers) {
    const out = [];
    for (const m of matchers) {
      const { matches, nearest } = await platformMatches(run, m);
      const count = m.count ?? 1;
      if (matches.length === count) continue;
      out.push({
        message: `expected ${count} platform event(s) like this for ${m.user}, found ${matches.length}${matches.length ? '' : '; the nearest are shown'}`,
        expected: m,
        actual: matches.length ? matches.slice(0, 12).map(describeEvent) : nearest,
      });
    }
    return out;
  },
});
