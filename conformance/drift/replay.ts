/**
 * Replaying a capture against a target: every recorded request, in order, re-addressed to the
 * target (context.ts), with the target's credentials where the client sent some (a wrong password
 * where the upstream refused them), and the target's etags and sync tokens where the recorded ones
 * were. Each answer is compared with the recorded one (compare.ts).
 *
 * Plain fetch with `redirect: 'manual'`: a redirect is an answer to compare, not to follow.
 */
import { header, responseText, type Har, type HarEntry } from '../../mock-icloud/record/har.js';
import { C, D, okProp, readMultistatus, tryParseXml } from '../../mock-icloud/record/multistatus.js';
import { child } from '../../common/xml/parse.js';
import { compareAnswers, topLevelSyncToken, type Answer, type Difference } from './compare.js';
import { ReplayContext, type TargetAddress } from './context.js';

export interface DriftTarget extends TargetAddress {
  user?: string;
  password?: string;
  /** What the report calls it. */
  description: string;
}

export interface ExchangeResult {
  /** 1-based, in capture order. */
  index: number;
  /** `#3 PROPFIND {home}/work/`: what accepted-difference files match. */
  label: string;
  method: string;
  targetUrl: string;
  recordedStatus: number;
  targetStatus: number | undefined;
  differences: Difference[];
}

const NOT_FORWARDED = new Set(['host', 'content-length', 'authorization', 'proxy-authorization', 'cookie', 'connection', 'keep-alive', 'transfer-encoding', 'accept-encoding', 'te', 'upgrade']);
const TIMEOUT_MS = 20_000;
const WRONG_PASSWORD = 'drift-replay-wrong-password';

export async function replay(har: Har, target: DriftTarget): Promise<ExchangeResult[]> {
  const capture = har.log._capture ?? { gateway: '', partitions: [], anonymised: false };
  const ctx = new ReplayContext(capture, target);
  const results: ExchangeResult[] = [];
  for (const [i, entry] of har.log.entries.entries()) {
    const depth = header(entry.request.headers, 'depth');
    const url = ctx.readdress(entry.request.url, entry._origin, depth);
    const recorded: Answer = { status: entry.response.status, headers: headerMap(entry.response.headers), body: responseText(entry.response) };
    let answer: Answer | undefined;
    let failure: string | undefined;
    try {
      answer = await send(entry, url, ctx, target);
    } catch (error) {
      const cause = (error as { cause?: Error }).cause;
      failure = `${(error as Error).message}${cause ? `: ${cause.message}` : ''}`;
    }
    if (answer) learn(recorded, answer, ctx);
    // A REPORT is named by its kind too: `#11 REPORT sync-collection {home}/work/`.
    const report = entry.request.method === 'REPORT' ? tryParseXml(entry.request.postData?.text ?? '')?.local : undefined;
    const label = `#${i + 1} ${entry.request.method}${report ? ` ${report}` : ''} ${ctx.normaliseHref(new URL(entry.request.url).pathname, 'recorded')}`;
    const differences = answer ? compareAnswers(recorded, answer, ctx) : [{ what: 'status', text: `status: recorded ${recorded.status}, target did not answer (${failure})` }];
    results.push({ index: i + 1, label, method: entry.request.method, targetUrl: url, recordedStatus: recorded.status, targetStatus: answer?.status, differences });
  }
  return results;
}

async function send(entry: HarEntry, url: string, ctx: ReplayContext, target: DriftTarget): Promise<Answer> {
  const headers: Record<string, string> = {};
  for (const { name, value } of entry.request.headers) {
    const lower = name.toLowerCase();
    if (NOT_FORWARDED.has(lower) || lower.startsWith(':')) continue;
    if (lower === 'if-match' || lower === 'if-none-match') headers[lower] = value.replace(/(W\/)?"[^"]*"/g, (etag) => ctx.value(etag));
    else if (lower === 'destination') headers[lower] = ctx.readdressHref(value);
    else headers[lower] = value;
  }
  const auth = entry.request._authorization;
  if (auth && target.user !== undefined) {
    const password = auth === 'refused' ? WRONG_PASSWORD : (target.password ?? '');
    headers.authorization = `Basic ${Buffer.from(`${target.user}:${password}`).toString('base64')}`;
  }
  let body = entry.request.postData?.text;
  if (body && /<\w/.test(body)) {
    body = body
      .replace(/(<(?:[\w.-]+:)?href\b[^>]*>)([^<]*)/g, (_m, open: string, href: string) => open + (href.trim() ? ctx.readdressHref(href) : href))
      .replace(/(<(?:[\w.-]+:)?sync-token\b[^>]*>)([^<]*)/g, (_m, open: string, token: string) => open + (token.trim() ? ctx.value(token.trim()) : token));
  }
  const method = entry.request.method.toUpperCase();
  const response = await fetch(url, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = method === 'HEAD' ? '' : await response.text();
  const map = new Map<string, string>();
  response.headers.forEach((value, name) => map.set(name.toLowerCase(), value));
  return { status: response.status, headers: map, body: text };
}

/** What the two answers say about addresses and volatile values (context.ts). */
function learn(recorded: Answer, target: Answer, ctx: ReplayContext): void {
  ctx.learnValue(recorded.headers.get('etag'), target.headers.get('etag'));
  const a = readMultistatus(recorded.body);
  const b = readMultistatus(target.body);
  if (!a || !b) return;
  const hrefOf = (responses: typeof a, name: string) => {
    for (const r of responses) {
      const prop = okProp(r, name);
      const href = prop && child(prop, D('href'))?.text.trim();
      if (href) return href;
    }
    return undefined;
  };
  ctx.learnPrincipal(hrefOf(a, D('current-user-principal')), hrefOf(b, D('current-user-principal')));
  ctx.learnHome(hrefOf(a, C('calendar-home-set')), hrefOf(b, C('calendar-home-set')));
  const byHref = new Map(b.map((r) => [ctx.normaliseHref(r.href, 'target'), r]));
  for (const r of a) {
    const t = byHref.get(ctx.normaliseHref(r.href, 'recorded'));
    if (!t) continue;
    for (const name of [D('getetag'), '{http://calendarserver.org/ns/}getctag', D('sync-token')]) ctx.learnValue(okProp(r, name)?.text.trim(), okProp(t, name)?.text.trim());
  }
  ctx.learnValue(topLevelSyncToken(recorded.body), topLevelSyncToken(target.body));
}

function headerMap(headers: { name: string; value: string }[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const { name, value } of headers) {
    const lower = name.toLowerCase();
    map.set(lower, map.has(lower) ? `${map.get(lower)}, ${value}` : value);
  }
  return map;
}
