/**
 * Namespace-aware XML parsing: the mock's request bodies (PROPFIND, PROPPATCH, REPORT, MKCALENDAR)
 * and the sync core's reading of a server's answers (sync-core/caldav/multistatus.ts), each with
 * its own limits.
 *
 * A small, strict, non-validating XML 1.0 + Namespaces 1.0 parser, written for hostile input:
 *
 * - It refuses what a conforming parser refuses (XML 1.0 §2–4, Namespaces §3–6): characters
 *   outside `Char` (NUL, C0 controls, U+FFFE/FFFF, lone surrogates), undefined entities (there is no
 *   DTD, so only the five predefined ones exist), character references to non-characters, `]]>` in
 *   text, `<` in attribute values, `--` in comments, a misplaced XML declaration, mismatched or
 *   unclosed tags, duplicate attributes, the `xml` prefix bound to another namespace or the XML
 *   namespace to another prefix, any declaration of the `xmlns` prefix, `xmlns:p=""`, undeclared
 *   prefixes and names with two colons.
 * - It refuses what a CalDAV body never needs but an attacker does: DOCTYPE declarations (external
 *   entities, expansion bombs) are never read.
 * - Its work is bounded before it is spent. One linear pass over the text, with no recursion and no
 *   backtracking, tokenises markup (comments, CDATA and quoted values are skipped as units, so a `</`
 *   inside them counts for nothing) and checks the limits in XML_LIMITS as each token is read:
 *   nesting depth, elements, attributes and namespace declarations per element and per body. Only
 *   then is an element given its namespace scope, which is copied only by elements that declare
 *   prefixes, so the copying is bounded by the declaration limits too.
 *
 * Two ways to read: `parseXml` builds the tree of XmlElements, and `readXml` hands each element's
 * start, text and end to an XmlHandler and keeps nothing. A reader that needs a few values of a
 * large answer (sync-core's multistatus reader) uses readXml: keeping the 60,000 elements of a
 * 10,000-member listing alive until the end cost more in garbage collection than the reading.
 * Underneath both is XmlReader, which also reads a text that arrives in pieces (an answer read
 * while the server is still writing it), with the same results.
 */
import { qname, type QName } from './names.js';

export interface XmlElement {
  /** `{namespace}local` */
  name: QName;
  ns: string;
  local: string;
  /** Attributes other than namespace declarations, by the name as written (`start`, `xml:lang`). */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text and CDATA directly inside this element. */
  text: string;
}

/** An element's name, resolved in its namespace scope (the same object for each use of a name in a scope). */
export interface XmlName {
  /** `{namespace}local` */
  name: QName;
  ns: string;
  local: string;
}

/** What readXml reports, in document order. Each call may throw; the reading stops there. */
export interface XmlHandler {
  /** An element starts. `attrs` are its attributes other than namespace declarations, by the name as written. */
  open(name: XmlName, attrs: Readonly<Record<string, string>>): void;
  /** Text or CDATA directly inside the innermost open element (references expanded); it may come in several pieces. */
  text(text: string): void;
  /** The innermost open element ends. */
  close(): void;
}

export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

/** Far above any CalDAV body (a calendar-query filter nests about 6 levels; a multiget of 5,000 hrefs has 5,004 elements). */
export const XML_LIMITS = {
  depth: 64,
  elements: 50_000,
  attributesPerElement: 64,
  attributes: 50_000,
  namespaceDeclarationsPerElement: 32,
  namespaceDeclarations: 512,
};

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

// XML 1.0 (5th ed.) §2.3 NameStartChar / NameChar, without ':' (Namespaces §3: NCName).
const NC_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NC_CHAR = `${NC_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
/** An XML Name (colons allowed, as the tokeniser reads it); QName rules are checked afterwards. */
const NAME = new RegExp(`[:${NC_START}][:${NC_CHAR}]*`, 'uy');
const QNAME = new RegExp(`^[${NC_START}][${NC_CHAR}]*(?::[${NC_START}][${NC_CHAR}]*)?$`, 'u');
const NAME_WHOLE = new RegExp(`^[:${NC_START}][:${NC_CHAR}]*$`, 'u');
/** Anything outside XML 1.0 §2.2 Char. With the u flag a lone surrogate is one code point and matches. */
const NOT_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const XML_DECL =
  /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.[0-9]+\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\4)?[ \t\n]*\?>/y;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', apos: "'", quot: '"' };

interface RawAttr {
  name: string;
  value: string;
}

interface Open {
  tag: string;
  scope: ReadonlyMap<string, string>;
}

/** A start tag as read, with what it counted towards the body's limits (see XmlReader.knownTag). */
interface KnownTag {
  name: XmlName;
  attrs: Readonly<Record<string, string>>;
  attributes: number;
  declarations: number;
  selfClosing: boolean;
  open: Open;
}

/** Start tags XmlReader keeps by their text: far more than an answer's few kinds, few enough to bound a hostile body's cost. */
const MAX_KNOWN_TAGS = 4096;

export type XmlLimits = typeof XML_LIMITS;

/**
 * Parses `body` or throws XmlParseError with a message fit for a 400 answer. `limits` default to
 * what a request body may hold; a client reading a server's answer (tens of thousands of responses,
 * iCloud declaring the namespace again on each) passes its own.
 */
export function parseXml(body: string, limits: XmlLimits = XML_LIMITS): XmlElement {
  const tree = new TreeBuilder();
  new XmlReader(tree, limits).end(body);
  return tree.root!;
}

/** Reads `body` into `handler`, or throws XmlParseError as parseXml does (or what the handler throws). */
export function readXml(body: string, handler: XmlHandler, limits: XmlLimits = XML_LIMITS): void {
  new XmlReader(handler, limits).end(body);
}

/** The handler behind parseXml. */
class TreeBuilder implements XmlHandler {
  root: XmlElement | undefined;
  private readonly openElements: XmlElement[] = [];

  open(name: XmlName, attrs: Readonly<Record<string, string>>): void {
    const element: XmlElement = { name: name.name, ns: name.ns, local: name.local, attrs: attrs as Record<string, string>, children: NO_CHILDREN, text: '' };
    const parent = this.openElements.at(-1);
    if (!parent) this.root = element;
    else if (parent.children === NO_CHILDREN) parent.children = [element];
    else parent.children.push(element);
    this.openElements.push(element);
  }

  text(text: string): void {
    this.openElements.at(-1)!.text += text;
  }

  close(): void {
    this.openElements.pop();
  }
}

/**
 * The reader itself. `end(body)` reads a whole text; `write(piece)` as many times as the text comes
 * in pieces, then `end()`, reads it as it arrives (an answer streamed by the server is read while
 * the rest is still on its way). Either way the handler sees the same calls, and a malformed text
 * fails with the same message at the same line and column, with one exception: in pieces, the
 * illegal characters of a piece are only looked for when it arrives, so an error earlier in the
 * text is reported first.
 *
 * In pieces, a token (a tag, a comment, a CDATA section, a run of text) is read only once it is
 * whole, so the token readers below never see a cut-off token; what is read is dropped from the
 * buffer, and where a search for a token's end stopped is remembered, so the work stays linear
 * however the text is cut.
 */
export class XmlReader {
  private s = '';
  private i = 0;
  private final = false;
  private started = false;
  private declared = false;
  /** A CR or high surrogate at the end of a piece, kept until the next piece says what it is. */
  private held = '';
  /** Lines and columns of the text already dropped from the buffer, for error positions. */
  private linesBefore = 0;
  private columnBefore = 0;
  /**
   * A token not whole yet: where it starts, whether it is text (waiting for the next '<') or markup
   * (waiting for its end), how far its end was looked for, and the quote a start tag was in there.
   */
  private pendingAt = -1;
  private pendingText = false;
  private searchedTo = 0;
  private inQuote = '';
  private elements = 0;
  private attributes = 0;
  private declarations = 0;
  private readonly stack: Open[] = [];
  private rootSeen = false;
  /** Names resolved so far, per namespace scope (see resolve). */
  private readonly resolved = new Map<ReadonlyMap<string, string>, Map<string, XmlName>>();
  /** Scopes made by a declaration, per scope it was made in (see derive). */
  private readonly derived = new Map<ReadonlyMap<string, string>, Map<string, ReadonlyMap<string, string>>>();
  /** Start tags read before, by their text, per scope they were read in (see startTag). */
  private readonly knownTags = new Map<ReadonlyMap<string, string>, Map<string, KnownTag>>();
  private knownTagCount = 0;
  /** What isWhole found for the start tag it said was whole, for startTag, which reads it next. */
  private wholeKnownTag: { tag: KnownTag; end: number } | undefined;

  /** `reuseStartTags: false` reads every start tag the long way (see knownTag): for the test that holds both ways to the same reading. */
  constructor(
    private readonly handler: XmlHandler,
    private readonly limits: XmlLimits = XML_LIMITS,
    private readonly options: { reuseStartTags?: boolean } = {},
  ) {}

  /** The next piece of the text; the handler hears of every token it completes. */
  write(piece: string): void {
    if (this.final) throw new Error('XmlReader.write after end');
    let text = this.held + piece;
    this.held = '';
    const last = text.charCodeAt(text.length - 1);
    // A CR may begin a CRLF, a high surrogate a pair: both wait for what follows.
    if (last === 0x0d || (last >= 0xd800 && last <= 0xdbff)) {
      this.held = text.slice(-1);
      text = text.slice(0, -1);
    }
    this.append(text);
    this.read();
  }

  /** The last piece, if any: reads what is left, then checks that the document is complete. */
  end(piece = ''): void {
    if (this.final) throw new Error('XmlReader.end twice');
    this.final = true;
    this.append(this.held + piece);
    this.held = '';
    this.read();
    if (this.stack.length) this.fail(`<${this.stack.at(-1)!.tag}> is never closed`);
    if (!this.rootSeen) this.fail('no root element');
  }

  private append(piece: string): void {
    if (!this.started && piece.length > 0) {
      this.started = true;
      piece = piece.replace(/^\uFEFF/, ''); // a leading byte order mark is not content
    }
    // §2.11: every CRLF and lone CR is read as LF.
    piece = piece.replace(/\r\n?/g, '\n');
    this.dropRead();
    const at = this.s.length;
    this.s = at === 0 ? piece : this.s + piece;
    const bad = NOT_CHAR.exec(piece);
    if (bad) this.fail(`U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not a legal XML character`, at + bad.index);
  }

  /** Drops what has been read from the buffer, keeping the count of its lines for error positions. */
  private dropRead(): void {
    const i = this.i;
    if (i === 0) return;
    ({ lines: this.linesBefore, column: this.columnBefore } = this.positionAt(i));
    this.s = this.s.slice(i);
    this.i = 0;
    if (this.pendingAt >= 0) {
      this.pendingAt -= i;
      this.searchedTo -= i;
    }
  }

  private read(): void {
    const s = this.s;
    if (!this.declared) {
      // In pieces, the declaration is read once it is whole, or once the text cannot start with one.
      if (!this.final && (s.length < 6 ? '<?xml'.startsWith(s.slice(0, 5)) : /^<\?xml[ \t\n?]/.test(s) && !this.ends(0, 2, '?>'))) return;
      this.declared = true;
      this.pendingAt = -1;
      this.declaration();
    }
    while (this.i < s.length) {
      const lt = s.indexOf('<', this.pendingText && this.pendingAt === this.i ? this.searchedTo : this.i);
      if (lt < 0 && !this.final) {
        // Text goes to the handler whole, once the markup after it has come.
        this.pending(this.i, s.length, true);
        return;
      }
      this.text(lt < 0 ? s.length : lt);
      if (lt < 0) break;
      this.i = lt;
      if (!this.final && !this.isWhole(lt)) return;
      this.pendingAt = -1;
      // Decided by the character after '<': most markup is a start or an end tag.
      const next = s.charCodeAt(lt + 1);
      if (next === 0x2f /* / */) this.endTag();
      else if (next === 0x21 /* ! */) {
        if (s.startsWith('<!--', lt)) this.comment();
        else if (s.startsWith('<![CDATA[', lt)) this.cdata();
        else this.fail(/^<!DOCTYPE/i.test(s.slice(lt, lt + 9)) ? 'DOCTYPE and entity declarations are not accepted' : 'markup declarations are not accepted');
      } else if (next === 0x3f /* ? */) this.processingInstruction();
      else this.startTag();
    }
  }

  /** Remembers that the token at `at` is not whole yet, and how far its end was looked for. */
  private pending(at: number, searchedTo: number, text = false, inQuote = ''): void {
    this.pendingAt = at;
    this.pendingText = text;
    this.searchedTo = Math.max(at, searchedTo);
    this.inQuote = inQuote;
  }

  /** Where to go on looking for the end of the markup at `at`: where the last look stopped, if it was for this one. */
  private resumeFrom(at: number, start: number): number {
    return !this.pendingText && this.pendingAt === at ? Math.max(start, this.searchedTo) : start;
  }

  /** Whether `terminator` is in the buffer after `at + skip`; if not, the markup at `at` is pending. */
  private ends(at: number, skip: number, terminator: string): boolean {
    if (this.s.indexOf(terminator, this.resumeFrom(at, at + skip)) >= 0) return true;
    this.pending(at, this.s.length - terminator.length + 1);
    return false;
  }

  /** Whether the markup starting at `lt` has all come (the buffer holds its closing characters). */
  private isWhole(lt: number): boolean {
    const s = this.s;
    const next = s.charCodeAt(lt + 1);
    if (next === 0x2f /* / */) return this.ends(lt, 2, '>');
    if (next === 0x3f /* ? */) return this.ends(lt, 2, '?>');
    if (next === 0x21 /* ! */) {
      if (s.startsWith('<!--', lt)) return this.ends(lt, 4, '-->');
      // Nine characters tell a CDATA section from a DOCTYPE, or from the start of a comment.
      if (s.length - lt >= 9) return s.startsWith('<![CDATA[', lt) ? this.ends(lt, 9, ']]>') : true;
      this.pending(lt, lt);
      return false;
    }
    // A start tag read before is whole once its text up to the first '>' is here (knownTag).
    const known = this.knownTag(lt);
    if (known) {
      this.wholeKnownTag = known;
      return true;
    }
    // A start tag ends at the first '>' outside a quoted value (NaN: nothing after the '<' yet).
    let quote = !this.pendingText && this.pendingAt === lt ? this.inQuote : '';
    for (let j = this.resumeFrom(lt, lt + 1); j < s.length; j++) {
      const c = s[j]!;
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '>') return true;
      else if (c === '"' || c === "'") quote = c;
    }
    this.pending(lt, s.length, false, quote);
    return false;
  }

  /** "malformed XML at line L, column C: …" for the position `at` (default: where the scan is). */
  private fail(message: string, at = this.i): never {
    const { lines, column } = this.positionAt(at);
    throw new XmlParseError(`malformed XML at line ${lines + 1}, column ${column + 1}: ${message}`);
  }

  /** Whole lines before `at` in the text so far, and characters after the last of them (the text dropped included). */
  private positionAt(at: number): { lines: number; column: number } {
    const before = this.s.slice(0, at);
    let lines = 0;
    for (let nl = before.indexOf('\n'); nl >= 0; nl = before.indexOf('\n', nl + 1)) lines++;
    return { lines: this.linesBefore + lines, column: lines > 0 ? at - before.lastIndexOf('\n') - 1 : this.columnBefore + at };
  }

  /** §2.8: an XML declaration may only come first. */
  private declaration(): void {
    XML_DECL.lastIndex = 0;
    const m = XML_DECL.exec(this.s);
    if (m) {
      const encoding = m[3];
      if (encoding !== undefined && !/^(utf-?8|us-ascii)$/i.test(encoding)) this.fail(`encoding "${encoding}" is not supported; send UTF-8`);
      this.i = m[0].length;
    } else if (/^<\?xml[ \t\n?]/.test(this.s)) {
      this.fail('malformed XML declaration');
    }
  }

  private text(end: number): void {
    if (end <= this.i) return;
    const raw = this.s.slice(this.i, end);
    const top = this.stack.at(-1);
    if (!top) {
      if (/[^ \t\n]/.test(raw)) this.fail(this.rootSeen ? 'text after the root element' : 'text before the root element');
      this.i = end;
      return;
    }
    const cdataEnd = raw.indexOf(']]>');
    if (cdataEnd >= 0) this.fail('"]]>" is not allowed in text', this.i + cdataEnd);
    const text = this.references(raw, this.i, false);
    this.i = end;
    this.handler.text(text);
  }

  /** Expands character references and the predefined entities; anything else is an error (§4.1, WFC: Entity Declared). */
  private references(raw: string, offset: number, attribute: boolean): string {
    if (!raw.includes('&')) return attribute && /[\t\n]/.test(raw) ? raw.replace(/[\t\n]/g, ' ') : raw;
    let out = '';
    let from = 0;
    for (let amp = raw.indexOf('&'); amp >= 0; amp = raw.indexOf('&', from)) {
      out += attribute ? raw.slice(from, amp).replace(/[\t\n]/g, ' ') : raw.slice(from, amp);
      const semi = raw.indexOf(';', amp);
      const ref = semi < 0 ? '' : raw.slice(amp + 1, semi);
      if (semi < 0 || ref.length === 0 || ref.length > 40) this.fail('"&" must start a reference such as &amp;', offset + amp);
      if (ref[0] === '#') {
        const hex = ref[1] === 'x';
        const digits = ref.slice(hex ? 2 : 1);
        if (!(hex ? /^[0-9A-Fa-f]{1,8}$/ : /^[0-9]{1,10}$/).test(digits)) this.fail(`&${ref}; is not a character reference`, offset + amp);
        const code = parseInt(digits, hex ? 16 : 10);
        const ok = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
        if (!ok) this.fail(`&${ref}; is not a legal XML character`, offset + amp);
        out += String.fromCodePoint(code);
      } else if (ref in PREDEFINED) {
        out += PREDEFINED[ref];
      } else if (NAME_WHOLE.test(ref)) {
        this.fail(`undefined entity &${ref}; (only &amp; &lt; &gt; &apos; &quot; exist without a DTD)`, offset + amp);
      } else {
        this.fail('"&" must start a reference such as &amp;', offset + amp);
      }
      from = semi + 1;
    }
    return out + (attribute ? raw.slice(from).replace(/[\t\n]/g, ' ') : raw.slice(from));
  }

  private comment(): void {
    const start = this.i + 4;
    const end = this.s.indexOf('-->', start);
    if (end < 0) this.fail('comment is never closed');
    const dashes = this.s.indexOf('--', start);
    if (dashes < end || this.s[end - 1] === '-') this.fail('"--" is not allowed inside a comment', dashes);
    this.i = end + 3;
  }

  private cdata(): void {
    const top = this.stack.at(-1);
    if (!top) this.fail('CDATA section outside the root element');
    const start = this.i + 9;
    const end = this.s.indexOf(']]>', start);
    if (end < 0) this.fail('CDATA section is never closed');
    this.i = end + 3;
    this.handler.text(this.s.slice(start, end));
  }

  private processingInstruction(): void {
    const target = this.name(this.i + 2);
    if (target.toLowerCase() === 'xml') this.fail('an XML declaration is only allowed at the very start');
    if (target.includes(':')) this.fail(`processing instruction target "${target}" contains a colon`);
    const after = this.i + 2 + target.length;
    const end = this.s.indexOf('?>', after);
    if (end < 0) this.fail('processing instruction is never closed');
    if (end > after && !/[ \t\n]/.test(this.s[after]!)) this.fail('processing instruction target must be followed by a space');
    this.i = end + 2;
  }

  /**
   * An XML Name at `at`, or a failure. Names in CalDAV bodies are ASCII: those are read with a
   * character loop, and the Unicode pattern (slow with the u flag) is left for the rest.
   */
  private name(at: number): string {
    const s = this.s;
    let i = at;
    let c = s.charCodeAt(i);
    if (isAsciiNameStart(c)) {
      do c = s.charCodeAt(++i);
      while (isAsciiNameChar(c));
      if (!(c >= 0x80)) return s.slice(at, i); // NaN at the end of the text: the name ends there
    }
    NAME.lastIndex = at;
    const m = NAME.exec(s);
    if (!m) this.fail('expected a name', at);
    return m[0];
  }

  private skipSpace(): boolean {
    const from = this.i;
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a) break;
      this.i++;
    }
    return this.i > from;
  }

  private endTag(): void {
    const at = this.i;
    const tag = this.name(at + 2);
    this.i = at + 2 + tag.length;
    this.skipSpace();
    if (this.s[this.i] !== '>') this.fail(`expected ">" to end </${tag}>`);
    this.i++;
    const open = this.stack.pop();
    if (!open) this.fail(`</${tag}> closes nothing`, at);
    if (open.tag !== tag) this.fail(`</${tag}> closes <${open.tag}>`, at);
    this.handler.close();
  }

  private startTag(): void {
    const s = this.s;
    const at = this.i;
    if (this.rootSeen && this.stack.length === 0) this.fail('another element after the root element');
    if (this.stack.length + 1 > this.limits.depth) this.fail(`XML nested more than ${this.limits.depth} levels deep`);
    if (++this.elements > this.limits.elements) this.fail(`more than ${this.limits.elements} elements`);
    // isWhole found it already when the text comes in pieces.
    const known = this.wholeKnownTag ?? this.knownTag(at);
    this.wholeKnownTag = undefined;
    // The text of a start tag read before in this scope reads the same way again, unless it takes
    // the body past a limit (then the long way finds the attribute that does, for the message).
    if (known && this.attributes + known.tag.attributes <= this.limits.attributes && this.declarations + known.tag.declarations <= this.limits.namespaceDeclarations) {
      this.attributes += known.tag.attributes;
      this.declarations += known.tag.declarations;
      this.i = known.end;
      this.opened(known.tag);
      return;
    }
    const attributesBefore = this.attributes;
    const declarationsBefore = this.declarations;
    const tag = this.name(at + 1);
    this.i = at + 1 + tag.length;
    let raw: RawAttr[] = NO_RAW_ATTRIBUTES;
    let declarations = 0;
    for (;;) {
      const spaced = this.skipSpace();
      const c = s[this.i];
      if (c === '>' || (c === '/' && s[this.i + 1] === '>')) break;
      if (c === undefined) this.fail(`<${tag}> is never closed`);
      if (!spaced) this.fail(`expected a space, ">" or "/>" in <${tag}>`);
      const name = this.name(this.i);
      this.i += name.length;
      this.skipSpace();
      if (s[this.i] !== '=') this.fail(`attribute "${name}" needs a value`);
      this.i++;
      this.skipSpace();
      const quote = s[this.i];
      if (quote !== '"' && quote !== "'") this.fail(`the value of attribute "${name}" must be quoted`);
      const end = s.indexOf(quote, this.i + 1);
      if (end < 0) this.fail(`the value of attribute "${name}" is never closed`);
      const rawValue = s.slice(this.i + 1, end);
      const lt = rawValue.indexOf('<');
      if (lt >= 0) this.fail('"<" in an attribute value', this.i + 1 + lt);
      if (raw.length + 1 > this.limits.attributesPerElement) this.fail(`more than ${this.limits.attributesPerElement} attributes on one element`);
      if (++this.attributes > this.limits.attributes) this.fail(`more than ${this.limits.attributes} attributes in one body`);
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        if (++declarations > this.limits.namespaceDeclarationsPerElement) this.fail(`more than ${this.limits.namespaceDeclarationsPerElement} namespace declarations on one element`);
        if (++this.declarations > this.limits.namespaceDeclarations) this.fail(`more than ${this.limits.namespaceDeclarations} namespace declarations in one body`);
      }
      if (raw === NO_RAW_ATTRIBUTES) raw = [];
      raw.push({ name, value: this.references(rawValue, this.i + 1, true) });
      this.i = end + 1;
    }
    const selfClosing = s[this.i] === '/';
    this.i += selfClosing ? 2 : 1;
    const inherited = this.stack.at(-1)?.scope ?? ROOT_SCOPE;
    const scope = this.scopeOf(tag, raw, inherited, at);
    const name = this.resolve(tag, scope, false, at);
    const attrs = this.attributesOf(tag, raw, scope, at);
    const read: KnownTag = {
      name,
      attrs: attrs === NO_ATTRIBUTES ? attrs : Object.freeze(attrs),
      attributes: this.attributes - attributesBefore,
      declarations: this.declarations - declarationsBefore,
      selfClosing,
      open: { tag, scope },
    };
    this.remember(at, inherited, read);
    this.opened(read);
  }

  /** Hands a start tag just read to the handler, and opens its element (or closes it at once). */
  private opened(tag: KnownTag): void {
    this.rootSeen = true;
    this.handler.open(tag.name, tag.attrs);
    if (tag.selfClosing) this.handler.close();
    else this.stack.push(tag.open);
  }

  /**
   * The start tag at `at`, when the same text was read before in the same scope: an answer repeats
   * a few start tags thousands of times (iCloud's `<response xmlns="DAV:">`, `<calendar-data
   * xmlns="urn:ietf:params:xml:ns:caldav">`), and checking, scoping and resolving each again was
   * a third of the reading. Only tags whose first '>' ends them are kept, so the text up to the
   * first '>' is the whole tag when it is found.
   */
  private knownTag(at: number): { tag: KnownTag; end: number } | undefined {
    const known = this.knownTags.get(this.stack.length === 0 ? ROOT_SCOPE : this.stack[this.stack.length - 1]!.scope);
    if (!known) return undefined;
    const gt = this.s.indexOf('>', at);
    const tag = gt < 0 ? undefined : known.get(this.s.slice(at, gt + 1));
    return tag && { tag, end: gt + 1 };
  }

  /** Keeps the start tag just read (from `at` to here) for knownTag, if its first '>' ends it; a few thousand at most. */
  private remember(at: number, scope: ReadonlyMap<string, string>, tag: KnownTag): void {
    if (this.options.reuseStartTags === false || this.knownTagCount >= MAX_KNOWN_TAGS || this.s.indexOf('>', at) !== this.i - 1) return;
    let known = this.knownTags.get(scope);
    if (!known) this.knownTags.set(scope, (known = new Map()));
    known.set(this.s.slice(at, this.i), tag);
    this.knownTagCount++;
  }

  /** The namespace scope of one element: `inherited` with its declarations (Namespaces in XML 1.0 §3–6). */
  private scopeOf(tag: string, raw: RawAttr[], inherited: ReadonlyMap<string, string>, at: number): ReadonlyMap<string, string> {
    let scope = inherited;
    const seen = raw.length > 1 ? new Set<string>() : undefined;
    for (const a of raw) {
      if (seen?.has(a.name)) this.fail(`<${tag}> has attribute "${a.name}" twice`, at);
      seen?.add(a.name);
      if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) continue;
      const prefix = a.name === 'xmlns' ? '' : a.name.slice(6);
      if (prefix !== '' && !QNAME.test(prefix)) this.fail(`"${a.name}" is not a valid namespace declaration`, at);
      if (prefix === 'xmlns') this.fail('the "xmlns" prefix must not be declared', at);
      if (prefix === 'xml' && a.value !== XML_NS) this.fail(`the "xml" prefix cannot be bound to "${a.value}"`, at);
      if (prefix !== 'xml' && a.value === XML_NS) this.fail('the XML namespace can only be bound to the "xml" prefix', at);
      if (a.value === XMLNS_NS) this.fail('the xmlns namespace cannot be bound', at);
      if (prefix !== '' && a.value === '') this.fail(`"${a.name}" is empty: a prefix cannot be undeclared`, at);
      // iCloud declares the same default namespace again on nearly every element: no new scope.
      if (scope.get(prefix) !== a.value) scope = this.derive(scope, prefix, a.value);
    }
    return scope;
  }

  /** The element's attributes other than namespace declarations, each name checked and resolved in `scope`. */
  private attributesOf(tag: string, raw: RawAttr[], scope: ReadonlyMap<string, string>, at: number): Record<string, string> {
    let attributes = 0;
    for (const a of raw) if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) attributes++;
    let attrs: Record<string, string> = NO_ATTRIBUTES;
    if (attributes > 0) {
      attrs = {};
      const expanded = attributes > 1 ? new Set<string>() : undefined;
      for (const a of raw) {
        if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
        const key = this.resolve(a.name, scope, true, at).name;
        if (expanded?.has(key)) this.fail(`<${tag}> has attribute ${key} twice`, at);
        expanded?.add(key);
        attrs[a.name] = a.value;
      }
    }
    return attrs;
  }

  /**
   * `scope` with `prefix` bound to `namespace`. The same declaration under the same scope gives the
   * same scope object (iCloud declares the CalDAV namespace on every calendar-data), so names
   * resolved in it are reused; there are at most as many scopes as declarations.
   */
  private derive(scope: ReadonlyMap<string, string>, prefix: string, namespace: string): ReadonlyMap<string, string> {
    let derived = this.derived.get(scope);
    if (!derived) this.derived.set(scope, (derived = new Map()));
    const key = `${prefix} ${namespace}`; // a prefix has no space in it
    let next = derived.get(key);
    if (!next) derived.set(key, (next = new Map(scope).set(prefix, namespace)));
    return next;
  }

  /**
   * A name as written, resolved in `scope`. An answer repeats a handful of names thousands of times
   * in one scope (iCloud declares the same default namespace on nearly every element), so each is
   * checked and resolved once per scope, and every element gets the same `name` string.
   */
  private resolve(written: string, scope: ReadonlyMap<string, string>, isAttribute: boolean, at: number): XmlName {
    let names = this.resolved.get(scope);
    if (!names) this.resolved.set(scope, (names = new Map()));
    const key = isAttribute ? `@${written}` : written;
    const known = names.get(key);
    if (known) return known;
    if (!QNAME.test(written)) this.fail(`"${written}" is not a valid qualified name`, at);
    const colon = written.indexOf(':');
    let ns: string;
    let local = written;
    if (colon < 0) ns = isAttribute ? '' : (scope.get('') ?? '');
    else {
      const prefix = written.slice(0, colon);
      if (prefix === 'xmlns') this.fail(`<${written}>: the "xmlns" prefix is reserved for declarations`, at);
      const bound = scope.get(prefix);
      if (bound === undefined) this.fail(`undeclared namespace prefix "${prefix}" on <${written}>`, at);
      ns = bound;
      local = written.slice(colon + 1);
    }
    const resolved = { name: qname(ns, local), ns, local };
    names.set(key, resolved);
    return resolved;
  }
}

/** XML 1.0 §2.3 NameStartChar within ASCII: A-Z, a-z, '_' and ':'. */
function isAsciiNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
}

/** NameChar within ASCII: a NameStartChar, a digit, '-' or '.'. */
function isAsciiNameChar(c: number): boolean {
  return isAsciiNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

/**
 * Shared by every element without children until its first child arrives (most elements of an
 * answer are leaves: href, getetag, status, calendar-data); nothing else writes to it.
 */
const NO_CHILDREN: XmlElement[] = [];

/** Shared by every start tag without attributes; nothing writes to it. */
const NO_RAW_ATTRIBUTES: RawAttr[] = [];

/** Shared by every element without attributes; nothing writes to a parsed element's attrs. */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>;

const ROOT_SCOPE: ReadonlyMap<string, string> = new Map([['xml', XML_NS]]);

/** First child with the given qualified name. */
export function child(el: XmlElement, name: QName): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function children(el: XmlElement, name: QName): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
