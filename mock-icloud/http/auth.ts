/**
 * iCloud CalDAV authentication (dossier §2): HTTP Basic with the Apple ID and an app-specific
 * password, accepted only on accounts with two-factor authentication.
 *
 * Every refusal looks the same on the wire (401, empty body, two challenges), because iCloud gives
 * no distinct answer for "regular password" vs "wrong password" (RULES.md C1). The real reason is
 * returned to the caller for the request journal, where QA can see it.
 */
import { canonicalAppleId } from '../store/apple-id.js';
import type { Account, AppPassword } from '../store/model.js';
import type { CalendarStore } from '../store/store.js';
import { DavError } from './errors.js';

export type AuthFailureReason = 'no-credentials' | 'malformed-authorization' | 'unknown-apple-id' | 'two-factor-off' | 'regular-password' | 'revoked-app-password' | 'wrong-password';

export type AuthResult = { ok: true; account: Account; appPassword: AppPassword } | { ok: false; reason: AuthFailureReason; detail: string; account?: Account };

export const CHALLENGES = ['Basic realm="MMCalDav"', 'X-MobileMe-AuthToken realm="MMCalDav"'];

/** The canonical Apple ID named in a Basic header, without checking anything (fault scoping, journal). */
export function claimedAppleId(header: string | undefined): string | undefined {
  return decodeBasic(header)?.user;
}

function decodeBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const text = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  // Normalised here, once: authentication, the journal and fault scopes all see the same ID.
  const user = canonicalAppleId(text.slice(0, colon));
  if (user === '') return undefined;
  return { user, password: text.slice(colon + 1) };
}

export function authenticate(header: string | undefined, store: CalendarStore): AuthResult {
  if (!header) return { ok: false, reason: 'no-credentials', detail: 'no Authorization header' };
  const credentials = decodeBasic(header);
  if (!credentials) return { ok: false, reason: 'malformed-authorization', detail: 'Authorization is not a valid HTTP Basic header' };
  const account = store.getAccountByAppleId(credentials.user);
  if (!account) return { ok: false, reason: 'unknown-apple-id', detail: `no iCloud account ${credentials.user}` };
  if (!account.twoFactor) {
    return { ok: false, reason: 'two-factor-off', account, detail: `${account.appleId} has no two-factor authentication, so no password works for CalDAV` };
  }
  if (credentials.password === account.password) {
    return { ok: false, reason: 'regular-password', account, detail: `${account.appleId} used the regular Apple ID password instead of an app-specific one` };
  }
  const appPassword = account.appPasswords.find((p) => p.password === credentials.password);
  if (appPassword?.revokedAt !== undefined) {
    return { ok: false, reason: 'revoked-app-password', account, detail: `the app-specific password "${appPassword.label}" of ${account.appleId} was revoked` };
  }
  if (!appPassword) return { ok: false, reason: 'wrong-password', account, detail: `wrong password for ${account.appleId}` };
  return { ok: true, account, appPassword };
}

export function unauthorized(result: Extract<AuthResult, { ok: false }>): DavError {
  return new DavError(401, `${result.reason}: ${result.detail}`, { kind: 'empty' });
}
