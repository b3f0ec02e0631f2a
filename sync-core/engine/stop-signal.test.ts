import { describe, expect, it } from 'vitest';
import { stoppedBy } from './stop-signal.js';

class Counter {
  n = 0;
  async add(k: number): Promise<number> {
    this.n += k;
    return this.n;
  }
}

describe('stoppedBy', () => {
  it('passes calls through, on the object itself, until the signal is aborted; then every call throws its reason and changes nothing', async () => {
    const counter = new Counter();
    const stop = new AbortController();
    const guarded = stoppedBy(counter, stop.signal);
    expect(await guarded.add(2)).toBe(2);
    expect(guarded.n).toBe(2);
    const reason = new Error('lease lost');
    stop.abort(reason);
    await expect(async () => guarded.add(3)).rejects.toBe(reason);
    expect(counter.n).toBe(2);
  });
});
