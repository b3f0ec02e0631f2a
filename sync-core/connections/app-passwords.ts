/**
 * App-specific passwords at rest. The engine must send the password to iCloud on every run, so it
 * cannot keep a hash; with a secret key it keeps the password encrypted instead (AES-256-GCM, a
 * fresh 96-bit nonce per password, the Apple ID as associated data, so a sealed password copied to
 * another connection's row does not open). Without a key, passwords are kept as given, as before.
 *
 * The key is 32 bytes, written as 64 hex digits or in base64 (`openssl rand -base64 32`), given as
 * `secretKey` to SyncCore or as ICLOUD_SYNC_SECRET_KEY to the CLI. Rows written without a key stay
 * readable with one; `Connections.sealStoredPasswords` seals them. A row sealed with a key cannot be
 * read without it, and the error says so instead of asking the user to reconnect.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SyncError } from '../errors.js';

/** What a sealed password starts with: the scheme and its version. No app-specific password does. */
const SEALED = 'sealed:aes-256-gcm:v1:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class AppPasswordSealer {
  private constructor(private readonly key: Buffer | undefined) {}

  /** The sealer for `key` (32 bytes as hex or base64), or one that keeps passwords as given when there is none. */
  static fromKey(key: string | undefined): AppPasswordSealer {
    if (key === undefined || key === '') return new AppPasswordSealer(undefined);
    const text = key.trim();
    const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : undefined;
    if (bytes?.length !== 32) {
      throw new SyncError('secret-key', `the secret key must be 32 bytes, written as 64 hex digits or in base64 (make one with: openssl rand -base64 32); the one given is ${text.length} characters`);
    }
    return new AppPasswordSealer(bytes);
  }

  get sealing(): boolean {
    return this.key !== undefined;
  }

  /** `password` as it is stored for `appleId`: sealed with the key, or as given without one. */
  seal(password: string, appleId: string): string {
    if (!this.key) return password;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(appleId, 'utf8'));
    const sealed = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
    return SEALED + Buffer.concat([nonce, cipher.getAuthTag(), sealed]).toString('base64');
  }

  isSealed(stored: string): boolean {
    return stored.startsWith(SEALED);
  }

  /** The password `stored` holds for `appleId`; a password stored without a key is returned as it is. */
  open(stored: string, appleId: string): string {
    if (!this.isSealed(stored)) return stored;
    if (!this.key) {
      throw new SyncError(
        'secret-key',
        `the app-specific password of ${appleId} is stored encrypted: give the secret key it was sealed with (ICLOUD_SYNC_SECRET_KEY, or secretKey in SyncCore's options)`,
      );
    }
    const bytes = Buffer.from(stored.slice(SEALED.length), 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(appleId, 'utf8'));
      decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SyncError('secret-key', `the app-specific password of ${appleId} does not open with this secret key: it was sealed with another key, or the row was changed`);
    }
  }
}
