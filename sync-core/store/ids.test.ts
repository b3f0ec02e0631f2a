import { describe, expect, it } from 'vitest';
import { counterOf, idOf } from './ids.js';

describe('store ids', () => {
  it('gives six digits at least', () => {
    expect(idOf('evt', 42)).toBe('evt_000042');
    expect(idOf('evt', 1_234_567)).toBe('evt_1234567');
  });

  it('reads back exactly the ids it gives, and nothing else', () => {
    for (const n of [1, 42, 999_999, 1_000_000, 123_456_789]) expect(counterOf('usr', idOf('usr', n))).toBe(n);
    expect(counterOf('usr', 'usr_2')).toBeUndefined(); // fewer than six digits
    expect(counterOf('usr', 'usr_0000002')).toBeUndefined(); // a zero the counter never writes
    expect(counterOf('usr', 'evt_000002')).toBeUndefined(); // another prefix
    expect(counterOf('usr', 'my_usr_000002')).toBeUndefined();
    expect(counterOf('usr', 'usr_1234567890123456')).toBeUndefined(); // beyond what a counter reaches: never given
  });
});
