/**
 * The response headers iCloud's CalDAV front end sends (dossier §2: the captured 401), so clients
 * that log or key on them see what they would see in production.
 */
import type { Response } from 'express';

export const SERVER_NAME = 'AppleHttpServer/d2dcc6a0a5e3';

/** DAV compliance classes, from the 2014 capture minus features this mock does not implement. */
export const DAV_HEADER =
  '1, 3, access-control, calendar-access, calendar-schedule, calendar-auto-schedule, calendarserver-sharing, calendarserver-subscribed, calendarserver-home-sync, extended-mkcol';

export function setAppleHeaders(res: Response, requestId: string, partition?: number): void {
  res.setHeader('Server', SERVER_NAME);
  res.setHeader('X-Apple-Request-UUID', requestId);
  res.setHeader('X-Responding-Instance', `caldavj:3:p${partition ?? 44}-caldavj-mock:8080:MOCK:${requestId.slice(0, 12)}`);
  res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains;');
  if (partition !== undefined) res.setHeader('x-apple-user-partition', String(partition));
}
