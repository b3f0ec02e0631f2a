import { key } from '../args/vocabulary.js';
import { need } from '../lookups.js';
import { diffSnapshots, takeSnapshot } from '../snapshot.js';
import { defineExpectation } from './define-expectation.js';

export const sameAs = defineExpectation({
  name: 'sameAs',
  doc: 'the observable state equals the one `snapshot` took under this key (D3: a crashed-then-rerun sync leaves what a clean one leaves); a failure shows what only the snapshot has beside what only the state now has',
  args: key('snapshot'),
  async check(run, name) {
    const { expected, actual } = diffSnapshots(need(run.snapshots, name, 'snapshot'), await takeSnapshot(run));
    return Object.keys(expected).length ? [{ message: `the state differs from snapshot "${name}" (only in the snapshot │ only now)`, expected, actual }] : [];
  },
});
