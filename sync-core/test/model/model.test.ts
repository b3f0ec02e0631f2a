/**
 * The model-based random test, short run (issue 8): random platform and iPhone actions, clock
 * moves, faults and interrupted syncs, then the invariants of RULES.md after a clean run. The seed
 * is printed; `MODEL_SEED=<seed> npx vitest run sync-core/test/model` replays a run. The long run
 * is `npm run model` (MODEL_SECONDS, default 600).
 */
import { expect, it } from 'vitest';
import { checkModel, runActions, type Action } from './model.js';

const seed = process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : Date.now() % 2_147_483_647;

it(`keeps every invariant over random action sequences (seed ${seed})`, async () => {
  console.log(`model-based test seed: ${seed} (replay with MODEL_SEED=${seed})`);
  await checkModel({ seed, runs: Number(process.env.MODEL_RUNS ?? 12), maxActions: 25 });
}, 120_000);

/** Sequences the long run once found broken, kept so they stay fixed. */
const REGRESSIONS: Array<{ found: string; actions: Action[] }> = [
  {
    // The platform's later edit of a slot won a D1 against the iPhone marking the event Free, but the
    // write-back carried only times and title, so iCloud kept TRANSPARENT and the two sides disagreed.
    found: 'seed 1014',
    actions: [
      { type: 'iphoneFree', event: 0, free: true },
      { type: 'clock', minutes: 1 },
      { type: 'editSlot', slot: 0 },
    ],
  },
  {
    // The stand-up moved to Work while 40 days passed, so the tokens expired (bare 403, full listings):
    // the full listing of Home did not show it, which was not taken as a vanished copy, and the copy
    // in Work was remembered as a copy; the write-back of a deleted occurrence then found it nowhere.
    found: 'seed 5003',
    actions: [
      { type: 'iphoneMove', event: 0 },
      { type: 'clock', minutes: 40 * 24 * 60 },
      { type: 'deleteSlot', slot: 0 },
    ],
  },
];

for (const { found, actions } of REGRESSIONS) {
  it(`keeps every invariant for the sequence ${found} found`, async () => {
    expect((await runActions(actions)).violations).toEqual([]);
  });
}
