/**
 * Plain HTTP for the cases: one fetch per request, redirects never followed silently (a case that
 * expects one follows it itself), HTTP Basic from the target's credentials unless a case asks for
 * none or for others.
 */
import { CaseFailure } from './case.js';
import { snippet } from './xml.js';

export interface Credentials {
  user: string;
  password: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string;
  /** `default`: the target's credentials (if it has any); `none`: no Authorization header. */
  auth?: 'default' | 'none' | Credentials;
}

export interface HttpResult {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  text: string;
}

export const REQUEST_TIMEOUT_MS = 20_000;

export function basicAuth({ user, password }: Credentials): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export async function httpRequest(method: string, url: string, options: RequestOptions, defaults: Credentials | undefined): Promise<HttpResult> {
  const headers: Record<string, string> = { 'User-Agent': 'icloud-conformance-protocol/1', ...options.headers };
  const auth = options.auth ?? 'default';
  const credentials = auth === 'default' ? defaults : auth === 'none' ? undefined : auth;
  if (credentials) headers.Authorization = basicAuth(credentials);
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: options.body, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: Error }).cause;
    throw new CaseFailure(`${method} ${url}: no answer (${(error as Error).message}${cause ? `: ${cause.message}` : ''})`);
  }
  const text = method === 'HEAD' ? '' : await response.text();
  return { method, url, status: response.status, headers: response.headers, text };
}

/** "PUT http://…/x.ics → 412: <body>" for failure messages. */
export function describe(res: HttpResult): string {
  return `${res.method} ${res.url} → ${res.status}: ${snippet(res.text)}`;
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CaseFailure(message);
}

export type StatusExpectation = number | readonly number[] | { range: [number, number] };

function matches(status: number, expected: StatusExpectation): boolean {
  if (typeof expected === 'number') return status === expected;
  if (Array.isArray(expected)) return expected.includes(status);
  const { range } = expected as { range: [number, number] };
  return status >= range[0] && status <= range[1];
}

function show(expected: StatusExpectation): string {
  if (typeof expected === 'number') return String(expected);
  if (Array.isArray(expected)) return expected.join(' or ');
  const { range } = expected as { range: [number, number] };
  return `${range[0]}–${range[1]}`;
}

export function expectStatus(res: HttpResult, expected: StatusExpectation, what: string): void {
  if (!matches(res.status, expected)) throw new CaseFailure(`${what}: expected ${show(expected)}, got ${describe(res)}`);
}

export const SUCCESS: StatusExpectation = { range: [200, 299] };
export const CLIENT_ERROR: StatusExpectation = { range: [400, 499] };
