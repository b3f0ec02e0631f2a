/**
 * XML output in iCloud's own style (dossier §1, §9.3): unprefixed default namespaces, `xmlns`
 * repeated on every property element and on `href`s inside property values, CDATA around
 * calendar-data, no whitespace between elements. tsdav's live iCloud test matches the raw bytes
 * `<current-user-principal xmlns="DAV:"><href xmlns="DAV:">/N/principal/</href></current-user-principal>`,
 * so the exact shape matters; a hand-rolled writer keeps it exact and fast for 100,000-member answers.
 */
import { splitQName, type QName } from '../../common/xml/names.js';

export type XmlNode = XmlEl | string | XmlCData;

export interface XmlEl {
  name: QName;
  attrs?: Record<string, string>;
  children?: XmlNode[];
  /** Write `xmlns="…"` on this element even if the parent has the same namespace (iCloud does). */
  declareNs?: boolean;
}

export interface XmlCData {
  cdata: string;
}

/** An element that repeats its namespace declaration, as iCloud writes every property. */
export function el(name: QName, children?: XmlNode[] | XmlNode, attrs?: Record<string, string>): XmlEl {
  return { name, declareNs: true, attrs, children: children === undefined ? undefined : Array.isArray(children) ? children : [children] };
}

/** A structural element (href, propstat, prop, status) that inherits its parent's namespace. */
export function bare(name: QName, children?: XmlNode[] | XmlNode): XmlEl {
  return { name, declareNs: false, children: children === undefined ? undefined : Array.isArray(children) ? children : [children] };
}

export function cdata(text: string): XmlCData {
  return { cdata: text };
}

export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttr(s: string): string {
  return s.replace(/[&<"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&quot;'));
}

function write(node: XmlNode, parentNs: string, out: string[]): void {
  if (typeof node === 'string') {
    out.push(escapeText(node));
    return;
  }
  if ('cdata' in node) {
    // A CDATA section cannot contain "]]>": split it across two sections, as XML allows.
    out.push('<![CDATA[', node.cdata.split(']]>').join(']]]]><![CDATA[>'), ']]>');
    return;
  }
  const { ns, local } = splitQName(node.name);
  out.push('<', local);
  if (node.declareNs || ns !== parentNs) out.push(' xmlns="', escapeAttr(ns), '"');
  if (node.attrs) for (const [k, v] of Object.entries(node.attrs)) out.push(' ', k, '="', escapeAttr(v), '"');
  if (!node.children || node.children.length === 0) {
    out.push('/>');
    return;
  }
  out.push('>');
  for (const c of node.children) write(c, ns, out);
  out.push('</', local, '>');
}

/** Serialises a document with the XML declaration iCloud sends. */
export function toXml(root: XmlEl): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  write(root, '', out);
  return out.join('');
}

/** Serialises a fragment without declaration (tests, embedding). */
export function fragmentToXml(node: XmlNode): string {
  const out: string[] = [];
  write(node, '', out);
  return out.join('');
}
