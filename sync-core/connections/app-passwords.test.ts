/**
 * App-specific passwords at rest (app-passwords.ts): sealed with a key, kept as given without one,
 * and every way of opening one wrongly refused with a message that says what to do.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SyncError } from '../errors.js';
import { AppPasswordSealer } from './app-passwords.js';

const KEY = randomBytes(32);
const PASSWORD = 'abcd-efgh-ijkl-mnop';
const APPLE_ID = 'alice@example.com';

function refusal(fn: () => unknown): SyncError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SyncError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('AppPasswordSealer', () => {
  it('seals with the key (hex or base64), a fresh nonce each time, and opens what it sealed', () => {
    for (const written of [KEY.toString('hex'), KEY.toString('base64'), ` ${KEY.toString('base64')}\n`]) {
      const sealer = AppPasswordSealer.fromKey(written);
      const once = sealer.seal(PASSWORD, APPLE_ID);
      const twice = sealer.seal(PASSWORD, APPLE_ID);
      expect(once).not.toContain(PASSWORD);
      expect(once).toMatch(/^sealed:aes-256-gcm:v1:/);
      expect(once).not.toBe(twice);
      expect(sealer.open(once, APPLE_ID)).toBe(PASSWORD);
      expect(sealer.open(twice, APPLE_ID)).toBe(PASSWORD);
    }
  });

  it('keeps passwords as given without a key, and reads those with one (rows written before the key)', () => {
    const plain = AppPasswordSealer.fromKey(undefined);
    expect(plain.sealing).toBe(false);
    expect(plain.seal(PASSWORD, APPLE_ID)).toBe(PASSWORD);
    expect(AppPasswordSealer.fromKey(KEY.toString('hex')).open(PASSWORD, APPLE_ID)).toBe(PASSWORD);
  });

  it('refuses to open a sealed password without the key, with another key, for another Apple ID, or changed', () => {
    const sealed = AppPasswordSealer.fromKey(KEY.toString('hex')).seal(PASSWORD, APPLE_ID);
    const noKey = refusal(() => AppPasswordSealer.fromKey(undefined).open(sealed, APPLE_ID));
    expect(noKey.code).toBe('secret-key');
    expect(noKey.message).toContain('ICLOUD_SYNC_SECRET_KEY');
    const otherKey = refusal(() => AppPasswordSealer.fromKey(randomBytes(32).toString('hex')).open(sealed, APPLE_ID));
    expect(otherKey.message).toMatch(/does not open with this secret key/);
    const sealer = AppPasswordSealer.fromKey(KEY.toString('hex'));
    expect(refusal(() => sealer.open(sealed, 'bob@example.com')).code).toBe('secret-key');
    const flipped = sealed.slice(0, -4) + (sealed.at(-4) === 'A' ? 'B' : 'A') + sealed.slice(-3);
    expect(refusal(() => sealer.open(flipped, APPLE_ID)).code).toBe('secret-key');
  });

  it('refuses a key that is not 32 bytes, saying how to make one', () => {
    for (const bad of ['short', KEY.toString('hex').slice(2), randomBytes(16).toString('base64'), 'z'.repeat(64)]) {
      const error = refusal(() => AppPasswordSealer.fromKey(bad));
      expect(error.code).toBe('secret-key');
      expect(error.message).toContain('openssl rand -base64 32');
    }
  });
});
