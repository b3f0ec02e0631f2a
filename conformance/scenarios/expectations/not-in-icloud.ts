import { oneOrMany } from '../args/vocabulary.js';
import { defineExpectation } from './define-expectation.js';
import { icloudMatcher, icloudMatches } from './icloud-matcher.js';

export const notInICloud = defineExpectation({
  name: 'notInICloud',
  doc: 'iCloud events that must not exist: the same keys as `icloud`',
  args: oneOrMany(icloudMatcher),
  async check(run, matchers) {
    const out = [];
    for (const m of matchers) {
      const { matches } = await icloudMatches(run, m);
      if (matches.length) out.push({ message: `expected no iCloud event like this in ${m.account}'s "${m.calendar}"`, expected: m, actual: matches.map((e) => ({ name: e.name, uid: e.uid })) });
    }
    return out;
  },
});
