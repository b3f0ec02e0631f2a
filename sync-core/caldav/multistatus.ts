/**
 * Reading a 207 Multi-Status answer (RFC 4918 §13) for the REPORTs a sync sends most
 * (sync-collection and calendar-multiget), with the project's own XML reader (common/xml/parse.ts:
 * strict, namespace-aware, bounded). tsdav reads answers with xml-js into a generic tree, which on
 * a 10,000-event first sync cost more than everything else the engine did with the answers;
 * fast-xml-parser, tried next, saved less than this reader does (which also checks the XML).
 *
 * Elements are matched by namespace and name (`{DAV:}response`), whatever prefixes the server
 * uses; properties are handed back by local name, their text trimmed at both ends (as tsdav reads
 * them).
 */
import { XmlParseError, parseXml, type XmlElement, type XmlLimits } from '../../common/xml/parse.js';
import { DAV } from '../../common/xml/names.js';

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

/**
 * What a server's answer may hold. Far above any real answer (a 100,000-object listing has about
 * 600,000 elements; iCloud declares the namespace again on nearly every one), and still a bound.
 */
const ANSWER_LIMITS: XmlLimits = {
  depth: 64,
  elements: 5_000_000,
  attributesPerElement: 64,
  attributes: 5_000_000,
  namespaceDeclarationsPerElement: 32,
  namespaceDeclarations: 5_000_000,
};

const MULTISTATUS = DAV('multistatus');
const RESPONSE = DAV('response');
const HREF = DAV('href');
const STATUS = DAV('status');
const PROPSTAT = DAV('propstat');
const PROP = DAV('prop');
const SYNC_TOKEN = DAV('sync-token');

/** Parses a Multi-Status body; throws when it is not well-formed XML with a DAV:multistatus root. */
export function parseMultistatus(xml: string): Multistatus {
  let root: XmlElement;
  try {
    root = parseXml(xml, ANSWER_LIMITS);
  } catch (error) {
    if (error instanceof XmlParseError) throw new Error(`the answer is not well-formed XML (${error.message})`);
    throw error;
  }
  if (root.name !== MULTISTATUS) throw new Error(`the answer is not a DAV:multistatus but ${root.name}`);
  const responses: DavResponse[] = [];
  let syncToken: string | undefined;
  for (const child of root.children) {
    if (child.name === SYNC_TOKEN) syncToken = child.text.trim() || undefined;
    if (child.name !== RESPONSE) continue;
    let href = '';
    let status: number | undefined;
    const props: Record<string, string> = {};
    const propstats: XmlElement[] = [];
    for (const part of child.children) {
      if (part.name === HREF && !href) href = part.text.trim();
      else if (part.name === STATUS) status = statusCode(part.text);
      else if (part.name === PROPSTAT) propstats.push(part);
    }
    if (!href) continue;
    for (const propstat of propstats) {
      const code = statusCode(propstat.children.find((c) => c.name === STATUS)?.text ?? '');
      status ??= code;
      if (code !== undefined && (code < 200 || code > 299)) continue;
      for (const prop of propstat.children) if (prop.name === PROP) for (const p of prop.children) props[p.local] = p.text.trim();
    }
    responses.push({ href, status, props });
  }
  return syncToken ? { responses, syncToken } : { responses };
}

function statusCode(text: string): number | undefined {
  const m = /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(text);
  return m ? Number(m[1]) : undefined;
}
