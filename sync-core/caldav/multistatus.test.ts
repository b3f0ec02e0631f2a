/**
 * parseMultistatus reads answers element by element (no tree). The property test below holds it to
 * what a walk of parseXml's tree reads, over generated answers with the shapes that tell the two
 * apart: text split by child elements, several hrefs and statuses, statuses before or after the
 * props, nested property values, prefixes, CDATA, references, whitespace, foreign elements at every
 * level. The seed is printed; MULTISTATUS_SEED=<seed> replays it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseXml, type XmlElement } from '../../common/xml/parse.js';
import { DAV } from '../../common/xml/names.js';
import { parseMultistatus, type DavResponse, type Multistatus } from './multistatus.js';

/** The reading parseMultistatus had when it walked parseXml's tree: the oracle. */
function readTree(xml: string): Multistatus {
  const root = parseXml(xml, { depth: 64, elements: 5_000_000, attributesPerElement: 64, attributes: 5_000_000, namespaceDeclarationsPerElement: 32, namespaceDeclarations: 5_000_000 });
  if (root.name !== DAV('multistatus')) throw new Error(`the answer is not a DAV:multistatus but ${root.name}`);
  const statusCode = (text: string) => {
    const m = /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const responses: DavResponse[] = [];
  let syncToken: string | undefined;
  for (const child of root.children) {
    if (child.name === DAV('sync-token')) syncToken = child.text.trim() || undefined;
    if (child.name !== DAV('response')) continue;
    let href = '';
    let status: number | undefined;
    const props: Record<string, string> = {};
    const propstats: XmlElement[] = [];
    for (const part of child.children) {
      if (part.name === DAV('href') && !href) href = part.text.trim();
      else if (part.name === DAV('status')) status = statusCode(part.text);
      else if (part.name === DAV('propstat')) propstats.push(part);
    }
    if (!href) continue;
    for (const propstat of propstats) {
      const code = statusCode(propstat.children.find((c) => c.name === DAV('status'))?.text ?? '');
      status ??= code;
      if (code !== undefined && (code < 200 || code > 299)) continue;
      for (const prop of propstat.children) if (prop.name === DAV('prop')) for (const p of prop.children) props[p.local] = p.text.trim();
    }
    responses.push({ href, status, props });
  }
  return syncToken ? { responses, syncToken } : { responses };
}

// Answers as trees of [name, children] built from these pieces, written with one of several prefixes.
type Node = string | { el: string; kids: Node[] };
const TEXTS = [
  '',
  ' ',
  '\n  ',
  '/1/cal/a.ics',
  ' /1/cal/b.ics ',
  'HTTP/1.1 200 OK',
  'HTTP/1.1 404 Not Found',
  'HTTP/1.0 507 x',
  'http/1.1 200',
  '"e1"',
  'Tom &amp; Jerry',
  '<![CDATA[A<b>]]>',
  '&#13;',
];
const text = fc.constantFrom(...TEXTS);
const leaf = (names: string[]) =>
  fc.record({ el: fc.constantFrom(...names), kids: fc.array(fc.oneof(text, fc.record({ el: fc.constantFrom('x', 'collection'), kids: fc.array(text, { maxLength: 2 }) })), { maxLength: 3 }) });
const prop = fc.record({ el: fc.constant('prop'), kids: fc.array(fc.oneof(leaf(['getetag', 'calendar-data', 'displayname', 'C:calendar-data', 'resourcetype']), text), { maxLength: 4 }) });
const propstat = fc.record({ el: fc.constant('propstat'), kids: fc.array(fc.oneof(prop, leaf(['status', 'x']), text), { maxLength: 4 }) });
const response = fc.record({ el: fc.constant('response'), kids: fc.array(fc.oneof(leaf(['href', 'status', 'x', 'C:href']), propstat, text), { maxLength: 6 }) });
const answer = fc.record({
  root: fc.constantFrom('multistatus', 'x', 'C:multistatus'),
  kids: fc.array(fc.oneof(response, leaf(['sync-token', 'x']), text), { maxLength: 6 }),
  prefix: fc.constantFrom('', 'd:', 'D:'),
});

function write(node: Node, prefix: string): string {
  if (typeof node === 'string') return node;
  const name = node.el.includes(':') ? node.el : prefix + node.el;
  return `<${name}>${node.kids.map((k) => write(k, prefix)).join('')}</${name}>`;
}

function document(a: { root: string; kids: Node[]; prefix: string }): string {
  const root = a.root.includes(':') ? a.root : a.prefix + a.root;
  const ns = a.prefix ? `xmlns:${a.prefix.slice(0, -1)}="DAV:"` : 'xmlns="DAV:"';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} ${ns} xmlns:C="urn:ietf:params:xml:ns:caldav">${a.kids.map((k) => write(k, a.prefix)).join('')}</${root}>`;
}

const seed = process.env.MULTISTATUS_SEED ? Number(process.env.MULTISTATUS_SEED) : Date.now() % 2_147_483_647;
const outcome = (fn: () => Multistatus) => {
  try {
    return { value: fn() };
  } catch (error) {
    return { error: (error as Error).message };
  }
};

describe('parseMultistatus', () => {
  it('reads hrefs, statuses, found properties and the sync token, whatever the prefixes', () => {
    const answer = `<?xml version="1.0" encoding="UTF-8"?>
<multistatus xmlns="DAV:"><response xmlns="DAV:"><href>/1/calendars/home/</href><status>HTTP/1.1 507 Insufficient Storage</status></response>
<response><href>/1/calendars/home/a.ics</href><propstat><prop><getetag>"e1"</getetag><C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav">BEGIN:VCALENDAR&#13;
SUMMARY:Tom &amp; Jerry &lt;3&#13;
END:VCALENDAR&#13;
</C:calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat>
<propstat><prop><displayname/></prop><status>HTTP/1.1 404 Not Found</status></propstat></response>
<response><href>/1/calendars/home/gone.ics</href><status>HTTP/1.1 404 Not Found</status></response>
<response><href>/1/calendars/home/cdata.ics</href><propstat><prop><getetag>"e2"</getetag><calendar-data><![CDATA[BEGIN:VCALENDAR
X:<b>&amp;
END:VCALENDAR]]></calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat></response>
<sync-token>https://example.com/ns/sync/42</sync-token></multistatus>`;
    const ms = parseMultistatus(answer);
    expect(ms.syncToken).toBe('https://example.com/ns/sync/42');
    expect(ms.responses.map((r) => [r.href, r.status])).toEqual([
      ['/1/calendars/home/', 507],
      ['/1/calendars/home/a.ics', 200],
      ['/1/calendars/home/gone.ics', 404],
      ['/1/calendars/home/cdata.ics', 200],
    ]);
    // CR LF kept inside, the text trimmed at its ends (as tsdav reads it), entities decoded once.
    expect(ms.responses[1]!.props).toEqual({ getetag: '"e1"', 'calendar-data': 'BEGIN:VCALENDAR\r\nSUMMARY:Tom & Jerry <3\r\nEND:VCALENDAR' });
    expect(ms.responses[3]!.props['calendar-data']).toBe('BEGIN:VCALENDAR\nX:<b>&amp;\nEND:VCALENDAR');
  });

  it(`reads what a walk of the parsed tree reads, for any answer (seed ${seed})`, () => {
    console.log(`multistatus property test seed: ${seed} (replay with MULTISTATUS_SEED=${seed})`);
    fc.assert(
      fc.property(answer, (a) => {
        const xml = document(a);
        expect(outcome(() => parseMultistatus(xml))).toEqual(outcome(() => readTree(xml)));
      }),
      { seed, numRuns: 3_000 },
    );
  });

  it('reads an empty multistatus, and refuses what is not one', () => {
    expect(parseMultistatus('<d:multistatus xmlns:d="DAV:"/>')).toEqual({ responses: [] });
    expect(() => parseMultistatus('<html><body>Bad gateway</body></html>')).toThrow(/not a DAV:multistatus/);
  });
});
