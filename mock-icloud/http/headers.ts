/**
 * The response headers iCloud's CalDAV front end sends (dossier §2: the captured 401), so clients
 * that log or key on them see what they would see in production.
 */
import type { Response } from 'express';

export const SERVER_NAME = 'AppleHttpServer/d2dcc6a0a5e3';

/**
 * The DAV compliance classes of the 2014 capture (dossier §3) that this mock implements, each with
 * what backs it. Clients gate behaviour on these tokens (Thunderbird greys out client-side
 * scheduling from them, Kozea/Radicale#1338), so a token stays out until its feature is in:
 * `access-control` (no ACL method or ACL reports), `calendar-schedule` (no outbox POST: clients
 * cannot schedule, only the server does; `calendar-auto-schedule` is added while it does, davHeader),
 * `calendarserver-sharing` (no sharing POST) and `calendarserver-home-sync` (no sync-collection
 * on the home) are left out; FIDELITY.md lists them.
 */
export const DAV_COMPLIANCE: ReadonlyArray<{ token: string; backedBy: string }> = [
  { token: '1', backedBy: 'RFC 4918 class 1: PROPFIND, PROPPATCH, MKCOL, GET, PUT, DELETE' },
  { token: '3', backedBy: 'RFC 4918 class 3: the revised RFC 4918 semantics (If-Match/If-None-Match etags)' },
  { token: 'calendar-access', backedBy: 'RFC 4791: MKCALENDAR, calendar-query, calendar-multiget' },
  { token: 'calendarserver-subscribed', backedBy: 'CalendarServer subscribed collections (CS:subscribed, CS:source)' },
  { token: 'extended-mkcol', backedBy: 'RFC 5689: MKCOL with a resourcetype and properties' },
];

export const DAV_HEADER = DAV_COMPLIANCE.map((c) => c.token).join(', ');

/** The DAV header with `calendar-auto-schedule` while implicit scheduling is on (scheduling/implicit.ts). */
export function davHeader(implicitScheduling: boolean): string {
  return implicitScheduling ? DAV_HEADER.replace('calendar-access', 'calendar-access, calendar-auto-schedule') : DAV_HEADER;
}

export function setAppleHeaders(res: Response, requestId: string, partition?: number): void {
  res.setHeader('Server', SERVER_NAME);
  res.setHeader('X-Apple-Request-UUID', requestId);
  res.setHeader('X-Responding-Instance', `caldavj:3:p${partition ?? 44}-caldavj-mock:8080:MOCK:${requestId.slice(0, 12)}`);
  res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains;');
  if (partition !== undefined) res.setHeader('x-apple-user-partition', String(partition));
}
