/**
 * The sync-core driver's crash points land where a scenario puts them, even while requests
 * overlap (a first sync asks for the next download before the last one has answered).
 */
import { expect, it } from 'vitest';
import { crashingFetch, Interrupted, type CrashState } from './sync-core-driver.js';

/** A fetch whose answers arrive when the test says; `sent` is what reached iCloud. */
function iCloud() {
  const sent: string[] = [];
  const answers = new Map<string, () => void>();
  const inner = ((input: string) => {
    sent.push(input);
    return new Promise<Response>((resolve) => answers.set(input, () => resolve(new Response('ok'))));
  }) as unknown as typeof fetch;
  return { inner, sent, answer: (url: string) => answers.get(url)!() };
}

const outcome = (p: Promise<Response>) =>
  p.then(
    () => 'answered',
    (error) => (error instanceof Interrupted ? 'interrupted' : `failed: ${String(error)}`),
  );

it('loses the answer to request N even when request N+1 was asked for before it arrived', async () => {
  const cloud = iCloud();
  const state: CrashState = { requests: 0, crash: { loseAnswerOf: 1 } };
  const f = crashingFetch(cloud.inner, state);
  const first = outcome(f('/page-1'));
  const second = outcome(f('/page-2')); // sent while the first is still on its way
  cloud.answer('/page-1');
  expect(await first).toBe('interrupted'); // iCloud served it; the run never sees the answer
  expect(await second).toBe('interrupted'); // and nothing after it reaches iCloud
  expect(cloud.sent).toEqual(['/page-1']);
});

it('sends N requests and dies before the next one, answers arriving in any order', async () => {
  const cloud = iCloud();
  const f = crashingFetch(cloud.inner, { requests: 0, crash: { interruptAfterRequests: 2 } });
  const first = outcome(f('/a'));
  const second = outcome(f('/b'));
  expect(await outcome(f('/c'))).toBe('interrupted');
  cloud.answer('/b');
  cloud.answer('/a');
  expect([await first, await second]).toEqual(['answered', 'answered']);
  expect(cloud.sent).toEqual(['/a', '/b']);
});
