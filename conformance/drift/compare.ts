/**
 * One recorded answer against the target's answer to the same request, compared on what clients
 * act on:
 *
 * - the status;
 * - the headers clients read: DAV (as a set of features), ETag (present, and its form: strong or
 *   weak, quoted), Content-Type (the media type), Location (re-addressed), WWW-Authenticate (the
 *   challenges' schemes and realms);
 * - an XML body's structure: for a multistatus, which responses came back (by href, written
 *   `{home}/work/x.ics`), each response's status, which properties came back with which status, and
 *   each property's value as elements and namespaces, with volatile values (etags, ctags, sync
 *   tokens, dates, lengths) reduced to their form; other XML as its element tree;
 * - iCalendar bodies (alone or in calendar-data) as content (icalendar.ts).
 *
 * Each difference is one line with a short `what` (`status`, `header DAV`, `xml`, `calendar-data`,
 * `body`) that reports, FIDELITY rows and accepted-difference files refer to.
 */
import { splitQName } from '../../common/xml/names.js';
import type { XmlElement } from '../../common/xml/parse.js';
import { D, readMultistatus, tryParseXml, type MsResponse } from '../../mock-icloud/record/multistatus.js';
import type { ReplayContext } from './context.js';
import { compareICalendar } from './icalendar.js';

export interface Difference {
  /** `status`, `header ETag`, `xml`, `calendar-data`, `body`. */
  what: string;
  /** One line saying what differs, recorded first. */
  text: string;
}

export interface Answer {
  status: number;
  /** Header name (lower case) → value; repeated headers joined with ", ". */
  headers: Map<string, string>;
  body: string;
}

const PREFIX: Record<string, string> = {
  'DAV:': 'D',
  'urn:ietf:params:xml:ns:caldav': 'C',
  'http://calendarserver.org/ns/': 'CS',
  'http://apple.com/ns/ical/': 'A',
  'http://me.com/_namespace/': 'ME',
};
/** Properties whose value is volatile: only its presence, status and form are compared. */
const VOLATILE = new Set([
  '{DAV:}getetag',
  '{http://calendarserver.org/ns/}getctag',
  '{DAV:}sync-token',
  '{DAV:}getlastmodified',
  '{DAV:}creationdate',
  '{DAV:}getcontentlength',
  '{DAV:}quota-available-bytes',
  '{DAV:}quota-used-bytes',
]);
const MAX_LINES = 12;

export function short(name: string): string {
  const { ns, local } = splitQName(name);
  const prefix = PREFIX[ns];
  return prefix ? `${prefix}:${local}` : `{${ns}}${local}`;
}

export function compareAnswers(recorded: Answer, target: Answer, ctx: ReplayContext): Difference[] {
  const diffs: Difference[] = [];
  if (recorded.status !== target.status) diffs.push({ what: 'status', text: `status: recorded ${recorded.status}, target ${target.status}` });
  diffs.push(...compareHeaders(recorded.headers, target.headers, ctx));
  diffs.push(...compareBodies(recorded, target, ctx));
  if (diffs.length > MAX_LINES) return [...diffs.slice(0, MAX_LINES), { what: 'more', text: `… and ${diffs.length - MAX_LINES} more` }];
  return diffs;
}

// ---- headers ------------------------------------------------------------------------------------------

function compareHeaders(a: Map<string, string>, b: Map<string, string>, ctx: ReplayContext): Difference[] {
  const out: Difference[] = [];
  const dav = (h: Map<string, string>) =>
    new Set(
      (h.get('dav') ?? '')
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
    );
  const da = dav(a);
  const db = dav(b);
  const onlyA = [...da].filter((t) => !db.has(t));
  const onlyB = [...db].filter((t) => !da.has(t));
  if (!a.has('dav') && b.has('dav')) out.push({ what: 'header DAV', text: `header DAV: recorded none, target "${b.get('dav')}"` });
  else if (a.has('dav') && !b.has('dav')) out.push({ what: 'header DAV', text: `header DAV: recorded "${a.get('dav')}", target none` });
  else if (onlyA.length || onlyB.length) out.push({ what: 'header DAV', text: `header DAV: recorded only ${onlyA.join(', ') || '-'}; target only ${onlyB.join(', ') || '-'}` });

  const fa = etagForm(a.get('etag'));
  const fb = etagForm(b.get('etag'));
  if (fa !== fb) out.push({ what: 'header ETag', text: `header ETag: recorded ${fa}, target ${fb}` });

  const ta = mediaType(a.get('content-type'));
  const tb = mediaType(b.get('content-type'));
  if (ta !== tb) out.push({ what: 'header Content-Type', text: `header Content-Type: recorded ${ta}, target ${tb}` });

  const la = a.get('location');
  const lb = b.get('location');
  const na = la === undefined ? 'none' : ctx.normaliseHref(la, 'recorded');
  const nb = lb === undefined ? 'none' : ctx.normaliseHref(lb, 'target');
  if (na !== nb) out.push({ what: 'header Location', text: `header Location: recorded ${na}, target ${nb}` });

  const wa = challenges(a.get('www-authenticate'));
  const wb = challenges(b.get('www-authenticate'));
  if (wa !== wb) out.push({ what: 'header WWW-Authenticate', text: `header WWW-Authenticate: recorded ${wa}, target ${wb}` });
  return out;
}

/** `"lnbuozw4"` → `strong, quoted`; `W/"x"` → `weak`; none → `none`. */
export function etagForm(etag: string | undefined): string {
  if (etag === undefined) return 'none';
  const t = etag.trim();
  if (/^W\/"[^"]*"$/.test(t)) return 'weak';
  if (/^"[^"]*"$/.test(t)) return 'strong, quoted';
  return 'unquoted';
}

function mediaType(value: string | undefined): string {
  return value === undefined ? 'none' : (value.split(';')[0] ?? '').trim().toLowerCase() || 'none';
}

/** `Basic realm="MMCalDav", X-MobileMe-AuthToken realm="MMCalDav"` → `Basic realm="MMCalDav" + X-MobileMe-AuthToken realm="MMCalDav"`. */
function challenges(value: string | undefined): string {
  if (value === undefined) return 'none';
  const found = [...value.matchAll(/(?:^|,)\s*([A-Za-z][\w.-]*)(?:\s+realm="([^"]*)")?/g)].filter((m) => m[2] !== undefined || !/=/.test(m[0]));
  return (
    found
      .map((m) => (m[2] !== undefined ? `${m[1]} realm="${m[2]}"` : m[1]))
      .sort()
      .join(' + ') || value
  );
}

// ---- bodies -----------------------------------------------------------------------------------------

function compareBodies(recorded: Answer, target: Answer, ctx: ReplayContext): Difference[] {
  const a = recorded.body;
  const b = target.body;
  const isIcs = (t: string) => /^\s*BEGIN:VCALENDAR/i.test(t);
  if (isIcs(a) || isIcs(b)) {
    if (!(isIcs(a) && isIcs(b))) return [{ what: 'body', text: `body: recorded ${describeBody(recorded)}, target ${describeBody(target)}` }];
    return compareICalendar(a, b).map((line) => ({ what: 'calendar-data', text: `iCalendar body: ${line}` }));
  }
  const xa = tryParseXml(a);
  const xb = tryParseXml(b);
  if (!xa && !xb) {
    // Neither is XML nor iCalendar (empty, HTML, text): only whether there is a body is compared.
    if (!a.trim() !== !b.trim()) return [{ what: 'body', text: `body: recorded ${describeBody(recorded)}, target ${describeBody(target)}` }];
    return [];
  }
  if (!xa || !xb) return [{ what: 'body', text: `body: recorded ${describeBody(recorded)}, target ${describeBody(target)}` }];
  if (xa.name !== xb.name) return [{ what: 'xml', text: `xml: recorded <${short(xa.name)}>, target <${short(xb.name)}>` }];
  if (xa.name === D('multistatus')) return compareMultistatus(a, b, ctx);
  const sa = shape(xa, ctx, 'recorded');
  const sb = shape(xb, ctx, 'target');
  return sa === sb ? [] : [{ what: 'xml', text: `xml: recorded ${sa}, target ${sb}` }];
}

function describeBody(answer: Answer): string {
  const t = answer.body.trim();
  if (!t) return 'empty';
  const kind = /^\s*BEGIN:VCALENDAR/i.test(t) ? 'iCalendar' : t.startsWith('<') ? (/<html/i.test(t) ? 'HTML' : 'XML') : 'text';
  return `${kind} (${Buffer.byteLength(answer.body)} bytes)`;
}

function compareMultistatus(a: string, b: string, ctx: ReplayContext): Difference[] {
  const out: Difference[] = [];
  const ra = keyed(readMultistatus(a) ?? [], ctx, 'recorded');
  const rb = keyed(readMultistatus(b) ?? [], ctx, 'target');
  const onlyA = [...ra.keys()].filter((k) => !rb.has(k));
  const onlyB = [...rb.keys()].filter((k) => !ra.has(k));
  if (onlyA.length) out.push({ what: 'xml', text: `xml: responses only recorded: ${list(onlyA)}` });
  if (onlyB.length) out.push({ what: 'xml', text: `xml: responses only in the target: ${list(onlyB)}` });
  for (const [href, x] of ra) {
    const y = rb.get(href);
    if (!y) continue;
    if (x.status !== y.status) out.push({ what: 'xml', text: `xml: ${href}: response status recorded ${x.status ?? 'none'}, target ${y.status ?? 'none'}` });
    const pa = props(x);
    const pb = props(y);
    const moved: string[] = [];
    for (const name of new Set([...pa.keys(), ...pb.keys()])) {
      const p = pa.get(name);
      const q = pb.get(name);
      if (!p || !q || p.status !== q.status) {
        moved.push(`${short(name)} ${p ? p.status : 'absent'}→${q ? q.status : 'absent'}`);
        continue;
      }
      if (p.status < 200 || p.status > 299) continue;
      if (name === '{urn:ietf:params:xml:ns:caldav}calendar-data') {
        for (const line of compareICalendar(p.el.text, q.el.text, 3)) out.push({ what: 'calendar-data', text: `calendar-data ${href}: ${line}` });
        continue;
      }
      const va = value(p.el, name, ctx, 'recorded');
      const vb = value(q.el, name, ctx, 'target');
      if (va === vb) continue;
      // A set of children (resourcetype, supported-report-set, privileges): what only one side has.
      if (p.el.children.length && q.el.children.length && !VOLATILE.has(name)) {
        const ca = p.el.children.map((c) => [shape(c, ctx, 'recorded'), compact(c, ctx, 'recorded')] as const);
        const cb = q.el.children.map((c) => [shape(c, ctx, 'target'), compact(c, ctx, 'target')] as const);
        const onlyRecorded = ca.filter(([c]) => !cb.some(([d]) => d === c)).map(([, text]) => text);
        const onlyTarget = cb.filter(([c]) => !ca.some(([d]) => d === c)).map(([, text]) => text);
        out.push({ what: 'xml', text: `xml: ${href} ${short(name)}: recorded only ${clip(onlyRecorded.join(', ') || '-')}; target only ${clip(onlyTarget.join(', ') || '-')}` });
      } else out.push({ what: 'xml', text: `xml: ${href} ${short(name)}: recorded ${clip(va)}, target ${clip(vb)}` });
    }
    if (moved.length) out.push({ what: 'xml', text: `xml: ${href}: property status (recorded→target): ${list(moved)}` });
  }
  // The multistatus's own sync-token (sync-collection): present or not.
  const ta = topLevelSyncToken(a) !== undefined;
  const tb = topLevelSyncToken(b) !== undefined;
  if (ta !== tb) out.push({ what: 'xml', text: `xml: multistatus sync-token: recorded ${ta ? 'present' : 'absent'}, target ${tb ? 'present' : 'absent'}` });
  return out;
}

/** The sync-token a multistatus carries as its own child (RFC 6578 §6.4), wherever it is placed. */
export function topLevelSyncToken(body: string): string | undefined {
  const root = tryParseXml(body);
  return root?.children.find((c) => c.name === D('sync-token'))?.text.trim() || undefined;
}

function keyed(responses: MsResponse[], ctx: ReplayContext, side: 'recorded' | 'target'): Map<string, MsResponse> {
  const out = new Map<string, MsResponse>();
  for (const r of responses) out.set(ctx.normaliseHref(r.href, side), r);
  return out;
}

function props(r: MsResponse): Map<string, { status: number; el: XmlElement }> {
  const out = new Map<string, { status: number; el: XmlElement }>();
  for (const ps of r.propstats) for (const el of ps.props) out.set(el.name, { status: ps.status, el });
  return out;
}

/** A property's value as compared: volatile ones by form, the rest as element structure and text. */
function value(el: XmlElement, name: string, ctx: ReplayContext, side: 'recorded' | 'target'): string {
  if (name === '{DAV:}getetag') return etagForm(el.text);
  if (VOLATILE.has(name)) return el.text.trim() ? 'a value' : 'empty';
  return shape(el, ctx, side, true);
}

/** `<D:collection/><C:calendar/>`: children as a sorted set, attributes, hrefs normalised, text trimmed. */
export function shape(el: XmlElement, ctx: ReplayContext, side: 'recorded' | 'target', inner = false): string {
  if (el.name === '{DAV:}href') return `<D:href>${ctx.normaliseHref(el.text, side)}</D:href>`;
  const attrs = Object.entries(el.attrs)
    .map(([k, v]) => ` ${k}="${v}"`)
    .sort()
    .join('');
  const children = el.children
    .map((c) => shape(c, ctx, side))
    .sort()
    .join('');
  const text = el.children.length ? '' : el.text.trim().replace(/\s+/g, ' ');
  const body = children + text;
  if (inner) return body || '(empty)';
  return body ? `<${short(el.name)}${attrs}>${body}</${short(el.name)}>` : `<${short(el.name)}${attrs}/>`;
}

/** `<D:supported-report><D:report><D:expand-property/>…` → `D:expand-property`: a chain of only children, told by its leaf. */
function compact(el: XmlElement, ctx: ReplayContext, side: 'recorded' | 'target'): string {
  let leaf = el;
  while (leaf.children.length === 1 && !leaf.text.trim()) leaf = leaf.children[0]!;
  return leaf.children.length ? shape(leaf, ctx, side) : leaf.text.trim() ? `${short(leaf.name)}=${leaf.text.trim()}` : short(leaf.name);
}

function list(items: string[]): string {
  return items.length > 4 ? `${items.slice(0, 4).join(', ')} and ${items.length - 4} more` : items.join(', ');
}

function clip(text: string): string {
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}
