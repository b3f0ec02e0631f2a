import { oneOrMany } from '../args/vocabulary.js';
import { defineExpectation } from './define-expectation.js';
import { icloudMatcher, icloudMatches } from './icloud-matcher.js';

export const notInICloud = defineExpectation({
  name: 'notInICloud',
  doc: 'iCloud events that must not exist: the same keys as `icloud`',
  args: oneOrMany(icloudMatcher),
  check(run, matchers) {
    return matchers.flatMap((m) => {
      const { matches } = icloudMatches(run, m);
      return matches.length ? [{ message: `expected no iCloud event like this in ${m.account}'s "${m.calendar}"`, expected: m, actual: matches.map((e) => ({ name: e.name, uid: e.uid })) }] : [];
    });
  },
});
