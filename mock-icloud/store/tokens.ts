/**
 * Sync tokens, ctags and etags in iCloud's shapes (dossier §3 "Token format", §5 "ETags").
 *
 * iCloud tokens are opaque base64 starting `HwoQEgwAA` (bytes 1F 0A 10 12 0C 00 00). Ours carry the
 * calendar serial, a token epoch (bumped to "forget" every token) and the change-log revision,
 * plus a checksum so a hand-edited token is refused like an unknown one.
 */
import { createHash } from 'node:crypto';

const PREFIX = Buffer.from([0x1f, 0x0a, 0x10, 0x12, 0x0c, 0x00, 0x00]);

export interface TokenParts {
  serial: number;
  epoch: number;
  revision: number;
}

export function encodeSyncToken(parts: TokenParts): string {
  const payload = Buffer.concat([varint(parts.serial), varint(parts.epoch), varint(parts.revision)]);
  return Buffer.concat([PREFIX, payload, checksum(payload)]).toString('base64');
}

/** Undefined for anything this server did not mint. */
export function decodeSyncToken(token: string): TokenParts | undefined {
  const bytes = Buffer.from(token.trim(), 'base64');
  if (bytes.length < PREFIX.length + 3 + 6 || !bytes.subarray(0, PREFIX.length).equals(PREFIX)) return undefined;
  const payload = bytes.subarray(PREFIX.length, bytes.length - 6);
  if (!checksum(payload).equals(bytes.subarray(bytes.length - 6))) return undefined;
  const values: number[] = [];
  let offset = 0;
  while (offset < payload.length && values.length < 3) {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      if (offset >= payload.length || shift > 42) return undefined;
      byte = payload[offset++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    values.push(value);
  }
  if (values.length !== 3 || offset !== payload.length) return undefined;
  return { serial: values[0], epoch: values[1], revision: values[2] };
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0);
  return Buffer.from(out);
}

function checksum(payload: Buffer): Buffer {
  return createHash('sha256').update('mock-icloud-sync-token').update(payload).digest().subarray(0, 6);
}

/**
 * ETags are the write time as a base-36 millisecond timestamp, quoted: `"lnbuozw4"` (dossier §5).
 * Strictly increasing, so two writes in the same millisecond still get different etags.
 */
export class EtagMinter {
  private last = 0;
  mint(now: number): string {
    this.last = Math.max(now, this.last + 1);
    return `"${this.last.toString(36)}"`;
  }
}
