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
import { XmlParseError, XmlReader, type XmlHandler, type XmlLimits, type XmlName } from '../../common/xml/parse.js';
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
  return new MultistatusParser().end(xml);
}

/**
 * A Multi-Status answer read piece by piece as it arrives (`write`), then `end`: the client reads
 * a 10,000-member listing while the server is still writing it. Each call throws what
 * parseMultistatus throws, as soon as the text so far shows it.
 */
export class MultistatusParser {
  private readonly reader = new MultistatusReader();
  private readonly xml = new XmlReader(this.reader, ANSWER_LIMITS);

  write(piece: string): void {
    wellFormed(() => this.xml.write(piece));
  }

  end(piece?: string): Multistatus {
    wellFormed(() => this.xml.end(piece));
    const { root, responses, syncToken } = this.reader;
    if (root !== MULTISTATUS) throw new Error(`the answer is not a DAV:multistatus but ${root}`);
    return syncToken ? { responses, syncToken } : { responses };
  }
}

function wellFormed(read: () => void): void {
  try {
    read();
  } catch (error) {
    if (error instanceof XmlParseError) throw new Error(`the answer is not well-formed XML (${error.message})`);
    throw error;
  }
}

/** Where an open element stands in the answer, for what its text means. */
const enum Role {
  Other,
  Root,
  SyncToken,
  Response,
  Href,
  ResponseStatus,
  Propstat,
  PropstatStatus,
  Prop,
  Property,
}

interface OpenPropstat {
  /** The text of its first DAV:status; undefined until one is read. */
  status?: string;
  props: [local: string, text: string][];
}

/**
 * Reads an answer element by element (XmlReader) and keeps only what DavResponse holds: no tree of
 * the answer is built. It reads what a walk of parseXml's tree would:
 *
 * - a response's href is its first DAV:href with text (trimmed); a response without one is left out;
 * - its status is its last own DAV:status, else the first propstat's status that can be read;
 * - properties come from propstats whose first DAV:status is 2xx or missing, each its own text
 *   trimmed (not its children's), the later of two with one local name winning;
 * - the sync-token is the last DAV:sync-token child of the root (an empty one counts as none).
 */
class MultistatusReader implements XmlHandler {
  root: string | undefined;
  responses: DavResponse[] = [];
  syncToken: string | undefined;
  private readonly roles: Role[] = [];
  /** The direct text of each open element so far (its children's text is theirs). */
  private readonly texts: string[] = [];
  private href = '';
  private status: number | undefined;
  private propstats: OpenPropstat[] = [];
  private property = '';

  open(name: XmlName): void {
    const parent = this.roles.length === 0 ? undefined : this.roles[this.roles.length - 1];
    let role = Role.Other;
    if (parent === undefined) {
      this.root = name.name;
      role = name.name === MULTISTATUS ? Role.Root : Role.Other;
    } else if (parent === Role.Root) {
      if (name.name === RESPONSE) {
        role = Role.Response;
        this.href = '';
        this.status = undefined;
        this.propstats = [];
      } else if (name.name === SYNC_TOKEN) role = Role.SyncToken;
    } else if (parent === Role.Response) {
      if (name.name === HREF) role = Role.Href;
      else if (name.name === STATUS) role = Role.ResponseStatus;
      else if (name.name === PROPSTAT) {
        role = Role.Propstat;
        this.propstats.push({ props: [] });
      }
    } else if (parent === Role.Propstat) {
      if (name.name === STATUS) role = Role.PropstatStatus;
      else if (name.name === PROP) role = Role.Prop;
    } else if (parent === Role.Prop) {
      role = Role.Property;
      this.property = name.local;
    }
    this.roles.push(role);
    this.texts.push('');
  }

  text(text: string): void {
    this.texts[this.texts.length - 1] += text;
  }

  close(): void {
    const role = this.roles.pop();
    const text = this.texts.pop()!;
    switch (role) {
      case Role.SyncToken:
        this.syncToken = text.trim() || undefined;
        break;
      case Role.Href:
        if (!this.href) this.href = text.trim();
        break;
      case Role.ResponseStatus:
        this.status = statusCode(text);
        break;
      case Role.PropstatStatus: {
        const propstat = this.propstats[this.propstats.length - 1]!;
        propstat.status ??= text;
        break;
      }
      case Role.Property:
        this.propstats[this.propstats.length - 1]!.props.push([this.property, text.trim()]);
        break;
      case Role.Response:
        this.finishResponse();
        break;
    }
  }

  private finishResponse(): void {
    if (!this.href) return;
    let status = this.status;
    const props: Record<string, string> = {};
    for (const propstat of this.propstats) {
      const code = statusCode(propstat.status ?? '');
      status ??= code;
      if (code !== undefined && (code < 200 || code > 299)) continue;
      for (const [local, text] of propstat.props) props[local] = text;
    }
    this.responses.push({ href: this.href, status, props });
  }
}

/** The code of an HTTP status line. An answer repeats one or two lines thousands of times: the last is remembered. */
function statusCode(text: string): number | undefined {
  if (text === lastStatus.text) return lastStatus.code;
  const m = /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(text);
  const code = m ? Number(m[1]) : undefined;
  lastStatus = { text, code };
  return code;
}
let lastStatus: { text: string; code: number | undefined } = { text: '', code: undefined };
