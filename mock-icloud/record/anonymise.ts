/**
 * Anonymising a capture before any of it is written.
 *
 * The recorder keeps the raw exchanges in memory only. Each time it writes, it first learns the
 * private values each exchange reveals, then writes every exchange with all of them replaced:
 *
 * | what | learnt from | placeholder |
 * |---|---|---|
 * | password, Basic token | the Authorization header (the header itself is dropped) | `[password]`, `[credentials]` |
 * | Apple ID | the Basic user name | `appleid-1@example.invalid` (a plain user name too) |
 * | DSID | `/<digits>/principal/`, `/<digits>/calendars/` in any URL or href | `99000000001` |
 * | e-mail addresses | anything that looks like one, plain or %-encoded | `person-1@example.invalid` |
 * | names | the principal's and the home's displayname, CN= parameters | `Person 1` |
 * | partition host | where the upstream sent the client (calendar-home-set, Location) | `partition-1.invalid` |
 * | UIDs | `UID:` lines of iCalendar bodies | `uid-1` |
 * | sync tokens, ctags | `sync-token` and `getctag` elements | `sync-token-1` |
 *
 * The same real value always gets the same placeholder, so the capture stays coherent: an event's
 * UID, its resource name `<UID>.ics` and the multiget that fetches it still agree. Cookies go
 * entirely. Event titles, descriptions and locations are kept: they are the account's shape a team
 * wants to reproduce (the README says to read a capture before sharing it).
 */
import type { HarEntry, HarHeader } from './har.js';

type Kind = 'password' | 'credentials' | 'appleId' | 'dsid' | 'email' | 'name' | 'host' | 'uid' | 'token';

/** Headers that carry credentials or session state: never written. */
export const DROPPED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const DSID_PATH = /\/(\d{6,})\/(?:principal|calendars|inbox|outbox|notification)\b/g;
/** Placeholders this module writes: never learnt as real values. */
const PLACEHOLDER = /(?:\.invalid$|^\[|^(?:uid|sync-token)-\d+$|^Person \d+$|^99\d{9}$)/;

export class Anonymiser {
  /** real value → placeholder. */
  private readonly values = new Map<string, { placeholder: string; kind: Kind }>();
  private readonly counters = new Map<Kind, number>();
  /** Compiled replacement, rebuilt when a value is learnt. */
  private pattern: RegExp | undefined;

  /** Every real value learnt so far (tests check none survives). */
  secrets(): string[] {
    return [...this.values.keys()];
  }

  placeholderFor(value: string): string | undefined {
    return this.values.get(value)?.placeholder ?? this.values.get(value.toLowerCase())?.placeholder;
  }

  learnCredentials(user: string, password: string, basicToken?: string): void {
    if (password) this.add('password', password);
    if (basicToken) this.add('credentials', basicToken);
    if (user) this.add('appleId', user.includes('@') ? user.toLowerCase() : user);
  }

  /** A host the upstream sent clients to (iCloud's pNN-caldav.icloud.com). */
  learnPartitionHost(host: string): void {
    this.add('host', host.toLowerCase());
  }

  /** Learns every private value one exchange shows. */
  learnEntry(entry: HarEntry): void {
    const texts = [
      entry.request.url,
      entry.request.postData?.text ?? '',
      entry.response.content.text ?? '',
      ...entry.request.headers.map((h) => h.value),
      ...entry.response.headers.map((h) => h.value),
    ];
    for (const text of texts) this.learnText(text);
  }

  learnText(raw: string): void {
    if (!raw) return;
    let text = unfoldICalendar(raw);
    try {
      text = `${text}\n${decodeURIComponent(text)}`;
    } catch {
      // not %-encoded text
    }
    for (const m of text.matchAll(DSID_PATH)) this.add('dsid', m[1]!);
    for (const m of text.matchAll(EMAIL)) this.add('email', m[0].toLowerCase());
    // iCalendar: UIDs and CN parameters.
    const ics = text;
    for (const m of ics.matchAll(/^UID:(.+?)\r?$/gm)) this.add('uid', m[1]!.trim());
    for (const m of ics.matchAll(/;CN=(?:"([^"]+)"|([^;:"\r\n]+))/g)) this.add('name', (m[1] ?? m[2]!).trim());
    // XML: sync tokens and ctags, and the displayname of the principal and the home.
    for (const m of text.matchAll(/<(?:[\w.-]+:)?(?:sync-token|getctag)\b[^>]*>(?:<!\[CDATA\[)?([^<\]]+)/g)) this.add('token', unescapeXml(m[1]!.trim()));
    for (const response of text.matchAll(/<(?:[\w.-]+:)?response\b[\s\S]*?<\/(?:[\w.-]+:)?response>/g)) {
      const body = response[0];
      const href = /<(?:[\w.-]+:)?href\b[^>]*>\s*([^<]*?)\s*</.exec(body)?.[1] ?? '';
      const isCalendar = /<(?:[\w.-]+:)?calendar\b[^>]*\/>|<(?:[\w.-]+:)?(?:subscribed|shared)\b/.test(
        body.replace(/<(?:[\w.-]+:)?(?:supported-calendar-component-set|calendar-home-set)\b[\s\S]*?<\/(?:[\w.-]+:)?(?:supported-calendar-component-set|calendar-home-set)>/g, ''),
      );
      const personal = /\/principal\/?$|\/calendars\/?$/.test(href) || (!isCalendar && /<(?:[\w.-]+:)?(?:calendar-home-set|current-user-principal|calendar-user-address-set)\b/.test(body));
      if (!personal) continue;
      const name = /<(?:[\w.-]+:)?displayname\b[^>]*>([^<]+)</.exec(body)?.[1]?.trim();
      if (name) this.add('name', unescapeXml(name));
    }
  }

  /** Replaces every learnt value in `text`. */
  apply(text: string): string {
    if (!text || !this.values.size) return text;
    this.pattern ??= this.compile();
    return unfoldICalendar(text).replace(this.pattern, (match) => {
      const found = this.values.get(match) ?? this.values.get(match.toLowerCase()) ?? this.encoded.get(match) ?? this.encoded.get(match.toLowerCase());
      return found?.placeholder ?? match;
    });
  }

  /** A copy of `entry` with credentials and cookies removed and every learnt value replaced. */
  anonymiseEntry(entry: HarEntry): HarEntry {
    const headers = (list: HarHeader[]) => list.filter((h) => !DROPPED_HEADERS.has(h.name.toLowerCase())).map((h) => ({ name: h.name, value: this.apply(h.value) }));
    const copy: HarEntry = structuredClone(entry);
    copy.request.url = this.apply(entry.request.url);
    copy.request.headers = headers(entry.request.headers);
    copy.request.cookies = [];
    copy.request.queryString = entry.request.queryString.map((q) => ({ name: this.apply(q.name), value: this.apply(q.value) }));
    if (entry.request.postData) copy.request.postData = { ...entry.request.postData, text: this.apply(entry.request.postData.text) };
    copy.response.headers = headers(entry.response.headers);
    copy.response.cookies = [];
    copy.response.redirectURL = this.apply(entry.response.redirectURL);
    if (entry.response.content.text !== undefined && entry.response.content.encoding !== 'base64') {
      copy.response.content = { ...entry.response.content, text: this.apply(entry.response.content.text) };
      copy.response.content.size = Buffer.byteLength(copy.response.content.text ?? '');
    } else if (entry.response.content.encoding === 'base64') {
      // A body that is not UTF-8 cannot be checked for private values: it is left out.
      copy.response.content = { size: 0, mimeType: entry.response.content.mimeType, text: '', _omitted: 'not UTF-8 text; left out by the anonymiser' } as never;
    }
    return copy;
  }

  // ---- internals -------------------------------------------------------------------------------------

  /** %-encoded spellings of values (an e-mail in a path: `alice%40example.com`). */
  private readonly encoded = new Map<string, { placeholder: string; kind: Kind }>();

  private add(kind: Kind, value: string): void {
    if (value.length < 2 || PLACEHOLDER.test(value) || this.values.has(value)) return;
    // An Apple ID that is also seen as an e-mail keeps its Apple ID placeholder.
    if (kind === 'email' && this.values.has(value.toLowerCase())) return;
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    const placeholder = placeholderOf(kind, n);
    this.values.set(value, { placeholder, kind });
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.encoded.set(encoded, { placeholder: encodeURIComponent(placeholder), kind });
    this.pattern = undefined;
  }

  private compile(): RegExp {
    const all = [...this.values.keys(), ...this.encoded.keys()].sort((a, b) => b.length - a.length);
    // Whole values only: `1234567` is not replaced inside `12345678`.
    const alternatives = all.map((v) => escapeRegExp(v)).join('|');
    return new RegExp(`(?<![A-Za-z0-9])(?:${alternatives})(?![A-Za-z0-9])`, 'gi');
  }
}

function placeholderOf(kind: Kind, n: number): string {
  switch (kind) {
    case 'password':
      return '[password]';
    case 'credentials':
      return '[credentials]';
    case 'appleId':
      // Always an address: the mock (and iCloud) take only e-mail addresses as Apple IDs.
      return `appleid-${n}@example.invalid`;
    case 'dsid':
      return `99${String(n).padStart(9, '0')}`;
    case 'email':
      return `person-${n}@example.invalid`;
    case 'name':
      return `Person ${n}`;
    case 'host':
      return `partition-${n}.invalid`;
    case 'uid':
      return `uid-${n}`;
    case 'token':
      return `sync-token-${n}`;
  }
}

/**
 * iCalendar folds long lines (RFC 5545 §3.1), so an address or a name may be split across two; the
 * iCalendar parts of a text are unfolded before values are looked for and replaced. The content is
 * the same; only the line breaks of folding differ.
 */
export function unfoldICalendar(text: string): string {
  if (!text.includes('BEGIN:VCALENDAR')) return text;
  return text.replace(/BEGIN:VCALENDAR[\s\S]*?(?:END:VCALENDAR|$)/g, (ics) => ics.replace(/\r?\n[ \t]/g, ''));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
