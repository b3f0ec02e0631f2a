/**
 * Re-addressing absolute URLs between the upstream's origins and the proxy's.
 *
 * iCloud sends a client from caldav.icloud.com to its partition (pNN-caldav.icloud.com:443) with
 * absolute hrefs. A client pointed at the proxy would follow them straight to iCloud and out of
 * the recording, so the proxy rewrites them, in `<href>` elements of XML bodies and in Location
 * headers only: an absolute URL anywhere else (an event's description, a subscription's source
 * feed) is data and is left alone.
 */

/** One origin's spellings and what replaces them. */
export interface OriginMapping {
  from: string;
  to: string;
}

/**
 * `https://p62-caldav.icloud.com` → both it and `https://p62-caldav.icloud.com:443` (iCloud writes
 * the default port out), longest first so the explicit form is matched whole.
 */
export function spellings(origin: string): string[] {
  const url = new URL(origin);
  const bare = `${url.protocol}//${url.host}`;
  if (url.port) return [bare];
  return [`${bare}:${url.protocol === 'https:' ? 443 : 80}`, bare];
}

/** `url` with its origin replaced when it starts with a mapped one; otherwise unchanged. */
export function rewriteUrl(url: string, mappings: OriginMapping[]): string {
  for (const { from, to } of mappings) {
    for (const spelling of spellings(from)) {
      if (url.toLowerCase() === spelling.toLowerCase() || url.toLowerCase().startsWith(`${spelling.toLowerCase()}/`)) return to + url.slice(spelling.length);
    }
  }
  return url;
}

const HREF = /(<(?:[A-Za-z_][\w.-]*:)?href\b[^>]*>)(\s*)([^<]*)/g;

/** Rewrites the absolute URLs of every `<href>` in an XML body. */
export function rewriteHrefs(xml: string, mappings: OriginMapping[]): string {
  return xml.replace(HREF, (_whole, open: string, space: string, url: string) => open + space + rewriteUrl(url, mappings));
}

/** Absolute hrefs inside `calendar-home-set`: where the upstream sends the client next. */
export function homeSetOrigins(xml: string): string[] {
  const found: string[] = [];
  for (const m of xml.matchAll(/<(?:[\w.-]+:)?calendar-home-set\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?calendar-home-set>/g)) {
    for (const h of m[1]!.matchAll(/<(?:[\w.-]+:)?href\b[^>]*>\s*(https?:\/\/[^<\s]+)/g)) found.push(new URL(h[1]!).origin);
  }
  return found;
}

export function isXml(contentType: string | undefined): boolean {
  return /\bxml\b/i.test(contentType ?? '');
}
