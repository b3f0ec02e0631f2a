import { oneOrMany } from '../args/vocabulary.js';
import { defineExpectation } from './define-expectation.js';
import { describeEvent, platformMatcher, platformMatches } from './platform-matcher.js';

export const notInPlatform = defineExpectation({
  name: 'notInPlatform',
  doc: 'platform events that must not exist: the same keys as `platform`',
  args: oneOrMany(platformMatcher.omit({ count: true })),
  async check(run, matchers) {
    const out = [];
    for (const m of matchers) {
      const { matches } = await platformMatches(run, m);
      if (matches.length) out.push({ message: `expected no platform event like this for ${m.user}`, expected: m, actual: matches.slice(0, 12).map(describeEvent) });
    }
    return out;
  },
});
