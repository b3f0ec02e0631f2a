/**
 * Reading a 207 Multi-Status answer (RFC 4918 §13) for the REPORTs a sync sends most
 * (sync-collection and calendar-multiget). tsdav reads answers with xml-js into a generic tree;
 * on a 10,000-event first sync that parse cost more than everything else the engine did with the
 * answers, so these two go through fast-xml-parser, keeping tsdav's reading of the text (values
 * trimmed, character references decoded).
 *
 * Elements are matched by local name: the few that matter here (response, href, status, propstat,
 * prop, sync-token and the properties asked for) do not collide across DAV: and CalDAV, and servers
 * spell the prefixes every way there is.
 */
import { XMLParser } from 'fast-xml-parser';

export interface DavResponse {
  href: string;
  /** The response's own status (a deleted member, a 404 in a multiget, iCloud's 507 for the collection), else its first propstat's. */
  status?: number;
  /** Properties found (2xx propstats), by local name, as trimmed text. */
  props: Record<string, string>;
}

export interface Multistatus {
  responses: DavResponse[];
  /** RFC 6578's new token, when the answer carries one. */
  syncToken?: string;
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  // References are decoded in one pass below: fast-xml-parser's own decoding (which needs its HTML
  // table for `&#13;`) doubled the cost of the parse.
  processEntities: false,
  cdataPropName: '#cdata',
  isArray: (name) => name === 'response' || name === 'propstat' || name === 'href',
});

type Node = Record<string, unknown>;

/** Parses a Multi-Status body; throws when it is not XML with a multistatus root. */
export function parseMultistatus(xml: string): Multistatus {
  const doc = parser.parse(xml) as Node;
  const root = doc.multistatus as Node | string | undefined;
  if (root === undefined) throw new Error('the answer is not a DAV:multistatus');
  if (typeof root !== 'object') return { responses: [] };
  const responses: DavResponse[] = [];
  for (const r of (root.response as Node[] | undefined) ?? []) {
    const href = text((r.href as unknown[] | undefined)?.[0]);
    if (!href) continue;
    const props: Record<string, string> = {};
    let status = statusCode(r.status);
    for (const ps of (r.propstat as Node[] | undefined) ?? []) {
      const code = statusCode(ps.status);
      status ??= code;
      if (code !== undefined && (code < 200 || code > 299)) continue;
      const prop = ps.prop;
      if (prop && typeof prop === 'object') for (const [name, value] of Object.entries(prop as Node)) props[name] = text(value);
    }
    responses.push({ href, status, props });
  }
  const token = text(root['sync-token']);
  return token ? { responses, syncToken: token } : { responses };
}

/** An element's text, trimmed, references decoded (CDATA taken as it is); '' for an element without text. */
function text(value: unknown): string {
  if (typeof value === 'string') return decode(value).trim();
  if (!value || typeof value !== 'object') return '';
  const node = value as Node;
  const chars = typeof node['#text'] === 'string' ? decode(node['#text']) : '';
  const cdata = node['#cdata'];
  return (chars + (Array.isArray(cdata) ? cdata.join('') : typeof cdata === 'string' ? cdata : '')).trim();
}

const REFERENCE = /&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML's five entities and character references, each read once (`&amp;lt;` is `&lt;`, not `<`). */
function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(REFERENCE, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name) return PREDEFINED[name]!;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function statusCode(value: unknown): number | undefined {
  const m = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(text(value));
  return m ? Number(m[1]) : undefined;
}
