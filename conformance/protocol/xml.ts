/**
 * Namespace-aware reading of servers' XML answers. Servers spell namespaces every way there is
 * (iCloud's repeated default `xmlns`, Xandikos' `ns0:`, Radicale's default namespace, `D:`/`C:`), so
 * elements are compared by (namespace, local name), never by prefix.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CaseFailure } from './case.js';

export const DAV = 'DAV:';
export const CALDAV = 'urn:ietf:params:xml:ns:caldav';
export const CS = 'http://calendarserver.org/ns/';
export const APPLE = 'http://apple.com/ns/ical/';

export interface XmlElement {
  ns: string;
  local: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text and CDATA, not trimmed. */
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  processEntities: true,
  htmlEntities: false,
});

type RawNode = Record<string, unknown>;

/** Parses `text`, throwing a CaseFailure that names `what` when it is not well-formed XML. */
export function parseXml(text: string, what: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new CaseFailure(`${what}: the answer is not well-formed XML (${valid.err.msg}, line ${valid.err.line}): ${snippet(text)}`);
  const nodes = parser.parse(text) as RawNode[];
  const root = toElements(nodes, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]))[0];
  if (!root) throw new CaseFailure(`${what}: the answer has no XML root element: ${snippet(text)}`);
  return root;
}

function toElements(nodes: RawNode[], scope: Map<string, string>): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of nodes) {
    const key = Object.keys(node).find((k) => k !== ':@');
    if (!key || key.startsWith('?') || key === '#text' || key === '#cdata') continue;
    const attrs = (node[':@'] ?? {}) as Record<string, string>;
    const local = new Map(scope);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === 'xmlns') local.set('', value);
      else if (name.startsWith('xmlns:')) local.set(name.slice(6), value);
    }
    const colon = key.indexOf(':');
    const prefix = colon >= 0 ? key.slice(0, colon) : '';
    const children = node[key] as RawNode[];
    let text = '';
    for (const c of children) {
      if ('#text' in c) text += String(c['#text']);
      else if ('#cdata' in c) text += (c['#cdata'] as RawNode[]).map((t) => String(t['#text'] ?? '')).join('');
    }
    out.push({
      ns: local.get(prefix) ?? '',
      local: colon >= 0 ? key.slice(colon + 1) : key,
      attrs: Object.fromEntries(Object.entries(attrs).filter(([n]) => n !== 'xmlns' && !n.startsWith('xmlns:'))),
      children: toElements(children, local),
      text,
    });
  }
  return out;
}

export function is(el: XmlElement | undefined, ns: string, local: string): boolean {
  return el !== undefined && el.ns === ns && el.local === local;
}

export function childOf(el: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  return el?.children.find((c) => is(c, ns, local));
}

export function childrenOf(el: XmlElement | undefined, ns: string, local: string): XmlElement[] {
  return el?.children.filter((c) => is(c, ns, local)) ?? [];
}

/** Every descendant (depth first) with that name. */
export function descendants(el: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (is(c, ns, local)) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

export function snippet(text: string, max = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

// ---------------------------------------------------------------------------------------------
// 207 Multi-Status (RFC 4918 §13)

export interface Propstat {
  status: number;
  props: XmlElement[];
}

export interface DavResponse {
  /** The href as sent. */
  href: string;
  /** Decoded path of the href, resolved against the request URL (see {@link pathOf}). */
  path: string;
  /** A response-level status (RFC 4918 §14.24), e.g. a deleted member in sync-collection. */
  status?: number;
  propstats: Propstat[];
  error?: XmlElement;
}

export interface Multistatus {
  responses: DavResponse[];
  /** The top-level `DAV:sync-token` of a sync-collection answer (RFC 6578 §6.2). */
  syncToken?: string;
  root: XmlElement;
}

export function statusCode(line: string | undefined): number | undefined {
  const m = /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(line ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The decoded path an href names, so `/a%40b/`, `/a@b/` and `http://host/a@b/` compare equal. */
export function pathOf(href: string, base: string): string {
  const url = new URL(href.trim(), base);
  return url.pathname
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join('/');
}

export function parseMultistatus(text: string, base: string, what: string): Multistatus {
  const root = parseXml(text, what);
  if (!is(root, DAV, 'multistatus')) throw new CaseFailure(`${what}: expected a DAV:multistatus, got {${root.ns}}${root.local}: ${snippet(text)}`);
  const responses: DavResponse[] = [];
  for (const r of childrenOf(root, DAV, 'response')) {
    const hrefEl = childOf(r, DAV, 'href');
    if (!hrefEl) throw new CaseFailure(`${what}: a DAV:response without DAV:href: ${snippet(text)}`);
    const href = hrefEl.text.trim();
    const propstats: Propstat[] = childrenOf(r, DAV, 'propstat').map((ps) => ({
      status: statusCode(childOf(ps, DAV, 'status')?.text) ?? 0,
      props: childOf(ps, DAV, 'prop')?.children ?? [],
    }));
    responses.push({ href, path: pathOf(href, base), status: statusCode(childOf(r, DAV, 'status')?.text), propstats, error: childOf(r, DAV, 'error') });
  }
  const token = childOf(root, DAV, 'sync-token');
  return { responses, syncToken: token ? token.text.trim() : undefined, root };
}

/** A property in a response: the element and the status of the propstat that holds it. */
export function findProp(response: DavResponse | undefined, ns: string, local: string): { status: number; el: XmlElement } | undefined {
  for (const ps of response?.propstats ?? []) {
    const el = ps.props.find((p) => is(p, ns, local));
    if (el) return { status: ps.status, el };
  }
  return undefined;
}

/** A property's element when the server found it (200 propstat), else undefined. */
export function okProp(response: DavResponse | undefined, ns: string, local: string): XmlElement | undefined {
  const found = findProp(response, ns, local);
  return found && found.status >= 200 && found.status < 300 ? found.el : undefined;
}

export function responseFor(ms: Multistatus, path: string): DavResponse | undefined {
  const want = trimSlash(path);
  return ms.responses.find((r) => trimSlash(r.path) === want);
}

export function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Escapes text for an XML body. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Whether an error body (RFC 4918 §16 `<DAV:error>`) names the precondition `{ns}local`. */
export function namesPrecondition(text: string, ns: string, local: string): boolean {
  if (text.trim() === '' || XMLValidator.validate(text) !== true) return false;
  const root = parseXml(text, 'error body');
  return is(root, ns, local) || descendants(root, ns, local).length > 0;
}
