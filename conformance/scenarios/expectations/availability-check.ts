/**
 * `free` and `busy`: whether a user can be booked at given times, as the engine's availability
 * (after iCloud's busy events) says.
 */
import { z } from 'zod';
import { isoTime, key, oneOrMany, whole } from '../args/vocabulary.js';
import { userOf } from '../lookups.js';
import type { ScenarioRun } from '../run-state.js';
import type { Mismatch } from './define-expectation.js';
import { describeEvent } from './platform-matcher.js';

export const availabilityArgs = z.strictObject({
  user: key('user'),
  at: oneOrMany(isoTime).describe('slot starts'),
  minutes: whole(1, 'slot length (default 30)').default(30),
});

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export async function checkAvailability(run: ScenarioRun, spec: z.output<typeof availabilityArgs>, wantFree: boolean): Promise<Mismatch[]> {
  const user = userOf(run, spec.user);
  const out: Mismatch[] = [];
  for (const at of spec.at.map((t) => Date.parse(t))) {
    const slot = { start: at, end: at + spec.minutes * 60_000 };
    const blocking = await run.driver.busy(user.id, slot);
    const bookable = (await run.driver.freeSlots(user.id, slot, spec.minutes)).some((s) => s.start === at);
    if (wantFree ? bookable : blocking.length > 0) continue;
    out.push({
      message: wantFree ? `expected ${spec.user} to be free at ${iso(at)} for ${spec.minutes} min` : `expected ${spec.user} to be busy at ${iso(at)}`,
      expected: { [wantFree ? 'free' : 'busy']: iso(at) },
      actual: { bookable, blockedBy: blocking.map(describeEvent) },
    });
  }
  return out;
}
