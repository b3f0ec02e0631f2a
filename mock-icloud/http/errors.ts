/**
 * Typed DAV errors, serialised in one place (the Xandikos/Azurite pattern).
 *
 * iCloud's error answers are terse (dossier §8): empty bodies for 401/403/404/412, nginx-style HTML
 * for malformed requests. Where a CalDAV/WebDAV precondition names the problem precisely we add the
 * RFC `<error>` element so a developer sees *why*; clients key on the status code alone, as with iCloud.
 * Every error also carries a human `reason` that goes to the request journal, never to the wire.
 */
import type { Response } from 'express';
import { NS, qname, type QName } from '../../common/xml/names.js';
import { el, toXml, type XmlNode } from '../xml/write.js';
import { SERVER_NAME } from './headers.js';

export type ErrorBody = { kind: 'empty' } | { kind: 'html'; message?: string } | { kind: 'precondition'; condition: QName; detail?: XmlNode[] };

export class DavError extends Error {
  constructor(
    readonly status: number,
    /** What went wrong, for the journal and for test failure messages. */
    readonly reason: string,
    readonly body: ErrorBody = { kind: 'empty' },
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status}: ${reason}`);
    this.name = 'DavError';
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  424: 'Failed Dependency',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Error';
}

/** `<error xmlns="DAV:"><condition xmlns="…"/></error>` (RFC 4918 §16). */
export function preconditionXml(condition: QName, detail?: XmlNode[]): string {
  return toXml(el(qname(NS.DAV, 'error'), [el(condition, detail)]));
}

/** The nginx-style page iCloud's front end returns for requests it cannot parse (dossier §8). */
export function htmlErrorPage(status: number, message?: string): string {
  const title = `${status} ${statusText(status)}`;
  const detail = message ? `<p>${message.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>\r\n` : '';
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body bgcolor="white">\r\n<center><h1>${title}</h1></center>\r\n${detail}<hr><center>${SERVER_NAME}</center>\r\n</body>\r\n</html>\r\n`;
}

export function sendError(res: Response, error: DavError): void {
  res.status(error.status);
  for (const [k, v] of Object.entries(error.headers)) res.setHeader(k, v);
  switch (error.body.kind) {
    case 'empty':
      res.setHeader('Content-Length', '0');
      res.end();
      return;
    case 'html':
      res.setHeader('Content-Type', 'text/html');
      res.end(htmlErrorPage(error.status, error.body.message));
      return;
    case 'precondition':
      res.setHeader('Content-Type', 'text/xml; charset=UTF-8');
      res.end(preconditionXml(error.body.condition, error.body.detail));
      return;
  }
}

// Constructors for the errors handlers raise most often, so each call site reads as the rule it enforces.
export const badRequest = (reason: string, message?: string) => new DavError(400, reason, { kind: 'html', message });
export const forbidden = (reason: string) => new DavError(403, reason);
export const notFound = (reason: string) => new DavError(404, reason);
export const preconditionFailed = (reason: string) => new DavError(412, reason);
export const precondition = (status: number, reason: string, condition: QName, detail?: XmlNode[]) => new DavError(status, reason, { kind: 'precondition', condition, detail });
export const methodNotAllowed = (reason: string, allow: string) => new DavError(405, reason, { kind: 'empty' }, { Allow: allow });
