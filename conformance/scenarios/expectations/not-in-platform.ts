import { oneOrMany } from '../args/vocabulary.js';
import { defineExpectation } from './define-expectation.js';
import { describeEvent, platformMatcher, platformMatches } from './platform-matcher.js';

export const notInPlatform = defineExpectation({
  name: 'notInPlatform',
  doc: 'platform events that must not exist: the same keys as `platform`',
  args: oneOrMany(platformMatcher.omit({ count: true })),
  check(run, matchers) {
    return matchers.flatMap((m) => {
      const { matches } = platformMatches(run, m);
      return matches.length ? [{ message: `expected no platform event like this for ${m.user}`, expected: m, actual: matches.slice(0, 12).map(describeEvent) }] : [];
    });
  },
});
