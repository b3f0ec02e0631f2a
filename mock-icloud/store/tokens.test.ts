import { describe, expect, it } from 'vitest';
import { decodeSyncToken, encodeSyncToken, EtagMinter } from './tokens.js';

describe('sync tokens', () => {
  it("look like iCloud's and decode back", () => {
    const token = encodeSyncToken({ serial: 7, epoch: 3, revision: 123_456 });
    expect(token).toMatch(/^HwoQEgwAA/);
    expect(decodeSyncToken(token)).toEqual({ serial: 7, epoch: 3, revision: 123_456 });
  });

  it('refuse anything this server did not mint', () => {
    const token = encodeSyncToken({ serial: 1, epoch: 1, revision: 5 });
    const tampered = Buffer.from(token, 'base64');
    tampered[8] ^= 1;
    expect(decodeSyncToken(tampered.toString('base64'))).toBeUndefined();
    expect(decodeSyncToken('')).toBeUndefined();
    expect(decodeSyncToken('HwoQEgwAADqWpb9lNQABAAAYAhgAIhYIt46JvtzZupTJARDc2cSJq73/k6wBKABIAA==')).toBeUndefined();
    expect(decodeSyncToken('http://sabre.io/ns/sync/5')).toBeUndefined();
  });
});

describe('EtagMinter', () => {
  it('mints quoted base-36 millisecond timestamps that always increase', () => {
    const minter = new EtagMinter();
    const now = Date.parse('2023-10-04T14:35:22.420Z');
    expect(minter.mint(now)).toBe('"lnbuozw4"'); // the iCloud etag captured for this instant (dossier §5)
    expect(minter.mint(now)).toBe(`"${(now + 1).toString(36)}"`);
    expect(minter.mint(now - 5000)).toBe(`"${(now + 2).toString(36)}"`);
  });
});
