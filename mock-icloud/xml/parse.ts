/**
 * Namespace-aware XML parsing for request bodies (PROPFIND, PROPPATCH, REPORT, MKCALENDAR).
 *
 * fast-xml-parser does the tokenising; this module resolves prefixes into namespaces (so any
 * prefix a client picks works), and refuses what a CalDAV body never needs but an attacker does:
 * DOCTYPE declarations (external entities, entity-expansion bombs) and absurd nesting.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { qname, type QName } from './names.js';

export interface XmlElement {
  /** `{namespace}local` */
  name: QName;
  ns: string;
  local: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text and CDATA directly inside this element. */
  text: string;
}

export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

/** Far deeper than any CalDAV body (a calendar-query filter nests about 6 levels). */
export const MAX_XML_DEPTH = 64;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Only the five predefined entities; DOCTYPE-declared ones never reach the parser (see below).
  processEntities: true,
  htmlEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type RawNode = Record<string, unknown> & { ':@'?: Record<string, string> };

/** Parses `body` or throws XmlParseError with a message fit for a 400 answer. */
export function parseXml(body: string): XmlElement {
  if (/<!DOCTYPE/i.test(body) || /<!ENTITY/i.test(body)) {
    throw new XmlParseError('DOCTYPE and entity declarations are not accepted');
  }
  const depth = maxDepth(body);
  if (depth > MAX_XML_DEPTH) throw new XmlParseError(`XML nested ${depth} levels deep; the limit is ${MAX_XML_DEPTH}`);
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    throw new XmlParseError(`malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  const nodes = parser.parse(body) as RawNode[];
  const roots = nodes.filter((n) => elementTag(n) !== undefined);
  if (roots.length !== 1) throw new XmlParseError(`expected one root element, found ${roots.length}`);
  return convert(roots[0], new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
}

function elementTag(node: RawNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text' && k !== '#cdata');
}

function convert(node: RawNode, inherited: Map<string, string>): XmlElement {
  const tag = elementTag(node)!;
  const rawAttrs = node[':@'] ?? {};
  let scope = inherited;
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawAttrs)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) {
      if (scope === inherited) scope = new Map(inherited);
      scope.set(key === 'xmlns' ? '' : key.slice(6), value);
    } else {
      attrs[key] = value;
    }
  }
  const colon = tag.indexOf(':');
  const prefix = colon >= 0 ? tag.slice(0, colon) : '';
  const local = colon >= 0 ? tag.slice(colon + 1) : tag;
  const ns = scope.get(prefix);
  if (ns === undefined && prefix !== '') throw new XmlParseError(`undeclared namespace prefix "${prefix}" on <${tag}>`);
  const element: XmlElement = { name: qname(ns ?? '', local), ns: ns ?? '', local, attrs, children: [], text: '' };
  for (const child of (node[tag] as RawNode[]) ?? []) {
    if ('#text' in child) element.text += String(child['#text']);
    else if ('#cdata' in child) {
      for (const c of child['#cdata'] as RawNode[]) element.text += String(c['#text'] ?? '');
    } else if (elementTag(child) !== undefined) element.children.push(convert(child, scope));
  }
  return element;
}

/** Cheap linear pre-scan so a nesting bomb is refused before any recursive work. */
function maxDepth(body: string): number {
  let depth = 0;
  let max = 0;
  for (let i = body.indexOf('<'); i >= 0; i = body.indexOf('<', i + 1)) {
    const next = body.charCodeAt(i + 1);
    if (next === 47 /* / */) depth--;
    else if (next !== 63 /* ? */ && next !== 33 /* ! */) {
      const close = body.indexOf('>', i);
      if (close < 0) break;
      if (body.charCodeAt(close - 1) !== 47) {
        depth++;
        if (depth > max) max = depth;
      }
    }
  }
  return max;
}

/** First child with the given qualified name. */
export function child(el: XmlElement, name: QName): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function children(el: XmlElement, name: QName): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
