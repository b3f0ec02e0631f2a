import { key, oneOrMany } from '../args/vocabulary.js';
import { defineExpectation } from './define-expectation.js';

export const polled = defineExpectation({
  name: 'polled',
  doc: 'exactly the users (keys) whose connections the last `poll` synced',
  args: oneOrMany(key('user')),
  check(run, want) {
    const got = run.lastPoll;
    if (!got) throw new Error('no poll step has run');
    return JSON.stringify([...got].sort()) === JSON.stringify([...want].sort()) ? [] : [{ message: 'the last poll synced other connections', expected: want, actual: got }];
  },
});
