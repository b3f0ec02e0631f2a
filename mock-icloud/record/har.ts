/**
 * HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): the capture format, because browser
 * developer tools, HAR viewers and HAR libraries already read it, so a capture can be inspected
 * without this project.
 *
 * One entry per exchange. What HAR has no field for is kept in `_`-prefixed fields, which the spec
 * reserves for custom data:
 *
 * - `entry._origin`: `gateway` or `partition`, the proxy origin the client used (iCloud's
 *   caldav.icloud.com or pNN-caldav.icloud.com), so a replay can address the same role on a target;
 * - `entry.request._authorization`: `basic` when the client sent credentials (the header itself is
 *   never written), `refused` when it sent some and the upstream answered 401;
 * - `log._capture`: the upstream gateway origin and the (anonymised) partition origins.
 *
 * Reading checks the shape with zod and reports the first problem with its place:
 * `capture.har: log.entries[3].request.method: expected a string`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export interface HarHeader {
  name: string;
  value: string;
}

export interface HarRequest {
  method: string;
  url: string;
  httpVersion: string;
  cookies: unknown[];
  headers: HarHeader[];
  queryString: { name: string; value: string }[];
  postData?: { mimeType: string; text: string; params?: unknown[] };
  headersSize: number;
  bodySize: number;
  _authorization?: 'basic' | 'refused';
}

export interface HarResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  cookies: unknown[];
  headers: HarHeader[];
  content: { size: number; mimeType: string; text?: string; encoding?: string };
  redirectURL: string;
  headersSize: number;
  bodySize: number;
}

export interface HarTimings {
  blocked: number;
  dns: number;
  connect: number;
  ssl: number;
  send: number;
  wait: number;
  receive: number;
}

export type CaptureOrigin = 'gateway' | 'partition';

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: HarRequest;
  response: HarResponse;
  cache: Record<string, never>;
  timings: HarTimings;
  _origin: CaptureOrigin;
}

export interface CaptureInfo {
  /** The upstream gateway origin, e.g. `https://caldav.icloud.com`. */
  gateway: string;
  /** Partition origins the upstream sent clients to (anonymised in an anonymised capture). */
  partitions: string[];
  anonymised: boolean;
  /** The user name the client logged in with (its placeholder in an anonymised capture). */
  user?: string;
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    pages?: unknown[];
    entries: HarEntry[];
    _capture?: CaptureInfo;
  };
}

export const CREATOR = { name: 'mock-icloud record', version: '1' };

export function header(headers: HarHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** The body's text (a base64 body, which was not valid UTF-8, decoded as well as it goes). */
export function responseText(response: HarResponse): string {
  const { text = '', encoding } = response.content;
  return encoding === 'base64' ? Buffer.from(text, 'base64').toString('utf8') : text;
}

/** `body` as HAR content: text when it is valid UTF-8, else base64. */
export function harContent(body: Buffer, mimeType: string): HarResponse['content'] {
  const text = body.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(body)) return { size: body.length, mimeType, text };
  return { size: body.length, mimeType, text: body.toString('base64'), encoding: 'base64' };
}

export function toHar(entries: HarEntry[], capture: CaptureInfo): Har {
  return { log: { version: '1.2', creator: CREATOR, pages: [], entries, _capture: capture } };
}

// ---- reading -------------------------------------------------------------------------------------------

const headerSchema = z.object({ name: z.string(), value: z.string() });
const entrySchema = z
  .object({
    startedDateTime: z.string(),
    time: z.number(),
    request: z
      .object({
        method: z.string(),
        url: z.string().refine((u) => URL.canParse(u), 'not an absolute URL'),
        headers: z.array(headerSchema),
        postData: z.object({ mimeType: z.string().optional(), text: z.string().optional() }).passthrough().optional(),
        _authorization: z.enum(['basic', 'refused']).optional(),
      })
      .passthrough(),
    response: z
      .object({
        status: z.number().int(),
        headers: z.array(headerSchema),
        content: z.object({ size: z.number().optional(), mimeType: z.string().optional(), text: z.string().optional(), encoding: z.string().optional() }).passthrough(),
      })
      .passthrough(),
    _origin: z.enum(['gateway', 'partition']).optional(),
  })
  .passthrough();
const harSchema = z.object({
  log: z
    .object({
      version: z.string(),
      entries: z.array(entrySchema),
      _capture: z.object({ gateway: z.string(), partitions: z.array(z.string()), anonymised: z.boolean(), user: z.string().optional() }).optional(),
    })
    .passthrough(),
});

export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureError';
  }
}

/** Parses HAR text, or throws CaptureError naming the first problem and where it is. */
export function parseHar(text: string, source = 'capture'): Har {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new CaptureError(`${source}: not a HAR file (not JSON: ${(error as Error).message})`);
  }
  const result = harSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path
      .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
      .join('')
      .replace(/^\./, '');
    throw new CaptureError(`${source}: not a HAR 1.2 capture: ${path || 'top level'}: ${issue.message}`);
  }
  const har = doc as Har;
  // Captures from other tools have no _origin: the upstream gateway is the first entry's origin.
  const gateway = har.log._capture?.gateway ?? (har.log.entries[0] ? new URL(har.log.entries[0].request.url).origin : '');
  for (const entry of har.log.entries) {
    entry._origin ??= new URL(entry.request.url).origin === gateway ? 'gateway' : 'partition';
    entry.request.headers ??= [];
    entry.response.headers ??= [];
  }
  har.log._capture ??= { gateway, partitions: [], anonymised: false };
  return har;
}

export function readHar(path: string): Har {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CaptureError(`cannot read capture ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseHar(text, path);
}
