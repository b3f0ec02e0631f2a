/**
 * The model-based random test, short run (issue 8): random platform and iPhone actions, clock
 * moves, faults and interrupted syncs, then the invariants of RULES.md after a clean run. The seed
 * is printed; `MODEL_SEED=<seed> npx vitest run sync-core/test/model` replays a run. The long run
 * is `npm run model` (MODEL_SECONDS, default 600).
 */
import { it } from 'vitest';
import { checkModel } from './model.js';

const seed = process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : Date.now() % 2_147_483_647;

it(`keeps every invariant over random action sequences (seed ${seed})`, async () => {
  console.log(`model-based test seed: ${seed} (replay with MODEL_SEED=${seed})`);
  await checkModel({ seed, runs: Number(process.env.MODEL_RUNS ?? 12), maxActions: 25 });
}, 120_000);
