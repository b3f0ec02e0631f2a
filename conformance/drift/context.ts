/**
 * What a replay learns as it goes, so recorded requests make sense to another server and recorded
 * answers can be compared with its answers:
 *
 * - **addresses**: the capture's principal and calendar home (`/99000000001/principal/`,
 *   `https://partition-1.invalid/99000000001/calendars/`) correspond to the target's, learnt from
 *   the first answers that name them; later request URLs and hrefs are re-addressed by them, and
 *   both sides' hrefs are written `{principal}`, `{home}/work/x.ics` before comparing;
 * - **volatile values**: an etag, ctag or sync token the capture's upstream gave corresponds to the
 *   one the target gave in the same place; a later If-Match or sync-collection carries the
 *   target's value instead of the recorded one.
 */
import { hrefPath } from '../../mock-icloud/record/multistatus.js';

export interface TargetAddress {
  /** The target's gateway URL, e.g. `http://127.0.0.1:8443/`. */
  gateway: string;
  /** Where partition-origin exchanges go; default the gateway. */
  partition?: string;
}

export class ReplayContext {
  private readonly recordedOrigins: string[];
  private readonly targetOrigins: string[];
  private recordedPrincipal?: string;
  private recordedHome?: string;
  private targetPrincipal?: string;
  /** Absolute URL of the target's home. */
  private targetHome?: string;
  /** recorded etag/ctag/token → the target's. */
  readonly values = new Map<string, string>();

  constructor(
    recorded: { gateway: string; partitions: string[] },
    readonly target: TargetAddress,
  ) {
    this.recordedOrigins = [recorded.gateway, ...recorded.partitions].filter(Boolean).flatMap(spellingsOf);
    this.targetOrigins = [target.gateway, target.partition ?? target.gateway].flatMap(spellingsOf);
  }

  learnPrincipal(recordedHref: string | undefined, targetHref: string | undefined): void {
    if (recordedHref && targetHref && !this.recordedPrincipal) {
      this.recordedPrincipal = withSlash(hrefPath(recordedHref));
      this.targetPrincipal = withSlash(hrefPath(targetHref));
    }
  }

  learnHome(recordedHref: string | undefined, targetHref: string | undefined): void {
    if (recordedHref && targetHref && !this.recordedHome) {
      this.recordedHome = withSlash(hrefPath(recordedHref));
      this.targetHome = withSlash(new URL(targetHref, this.target.gateway).href);
    }
  }

  learnValue(recorded: string | undefined, target: string | undefined): void {
    if (recorded && target && recorded !== target) this.values.set(recorded, target);
  }

  /** The target URL for a recorded request. */
  readdress(recordedUrl: string, role: 'gateway' | 'partition', depth: string | undefined): string {
    const url = new URL(recordedUrl);
    const path = url.pathname;
    const base = role === 'partition' ? (this.target.partition ?? this.target.gateway) : this.target.gateway;
    // On a server whose principal is its home (Radicale), a Depth 1 PROPFIND there is for the home.
    const forHome = this.recordedHome !== undefined && path === this.recordedHome && depth === '1';
    if (this.recordedPrincipal && this.targetPrincipal && path === this.recordedPrincipal && !forHome) return new URL(this.targetPrincipal + url.search, base).href;
    if (this.recordedHome && this.targetHome && path.startsWith(this.recordedHome)) return this.targetHome + path.slice(this.recordedHome.length) + url.search;
    return new URL(path + url.search, base).href;
  }

  /** A recorded href in a request body, re-addressed (kept absolute or a path, as written). */
  readdressHref(href: string): string {
    const trimmed = href.trim();
    if (/^https?:\/\//i.test(trimmed)) return this.readdress(trimmed, 'gateway', undefined);
    return new URL(this.readdress(new URL(trimmed, 'http://recorded.invalid/').href, 'gateway', undefined)).pathname;
  }

  /** `{principal}`, `{home}/work/x.ics`, `{gateway}/…` for either side's href, for comparing. */
  normaliseHref(href: string, side: 'recorded' | 'target'): string {
    let text = href.trim();
    for (const origin of side === 'recorded' ? this.recordedOrigins : this.targetOrigins) {
      if (text.toLowerCase().startsWith(origin.toLowerCase())) {
        text = text.slice(origin.length) || '/';
        break;
      }
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return text; // another server's URL, mailto:: as is
    let path = text;
    try {
      path = decodeURIComponent(text);
    } catch {
      // keep it
    }
    const principal = side === 'recorded' ? this.recordedPrincipal : this.targetPrincipal;
    const home = side === 'recorded' ? this.recordedHome : this.targetHome && new URL(this.targetHome).pathname;
    if (home && withSlash(path) === home) return '{home}/';
    if (principal && withSlash(path) === principal) return '{principal}';
    if (home && path.startsWith(home)) return `{home}/${path.slice(home.length)}`;
    return path;
  }

  /** A recorded value (etag, token) as the target knows it. */
  value(recorded: string): string {
    return this.values.get(recorded) ?? recorded;
  }
}

/** `http://127.0.0.1:5232/` → both `http://127.0.0.1:5232` and, for default ports, the explicit form. */
function spellingsOf(origin: string): string[] {
  const url = new URL(origin);
  const bare = `${url.protocol}//${url.host}`;
  if (url.port) return [bare];
  return [`${bare}:${url.protocol === 'https:' ? 443 : 80}`, bare];
}

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}
