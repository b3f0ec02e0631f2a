/**
 * The long run of the model-based test (`npm run model`): seed after seed of random action
 * sequences (up to 40 actions each) until MODEL_SECONDS (default 600) have passed. Prints every
 * seed it checked; on a broken invariant prints the seed, the shrunk action list and the
 * violations, and exits 1. Reproduce one with MODEL_SEED=<seed> npx vitest run sync-core/test/model.
 */
import { performance } from 'node:perf_hooks';
import { checkModel } from '../test/model/model.js';

const seconds = Number(process.env.MODEL_SECONDS ?? 600);
const first = Number(process.env.MODEL_SEED ?? Date.now() % 2_147_483_647);
const runsPerSeed = 20;
const started = performance.now();
let seed = first;
let sequences = 0;
while ((performance.now() - started) / 1000 < seconds) {
  try {
    await checkModel({ seed, runs: runsPerSeed, maxActions: 40 });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    console.error(`seed ${seed}: ${(error as Error).message}${cause ? `\n${cause.message}` : ''}`);
    process.exit(1);
  }
  sequences += runsPerSeed;
  console.log(`seed ${seed}: ${runsPerSeed} sequences kept every invariant (${sequences} in ${Math.round((performance.now() - started) / 1000)} s)`);
  seed = (seed + 1) % 2_147_483_647;
}
console.log(`model run: ${sequences} random sequences from seed ${first}, ${Math.round((performance.now() - started) / 1000)} s, no invariant broken`);
