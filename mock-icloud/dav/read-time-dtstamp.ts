/**
 * iCloud's duplicated DTSTAMP: an object read back carries an extra `DTSTAMP` equal to the time of
 * *that read*, before the stored one, so its bytes change at every poll while its etag does not
 * (home-assistant/core#140087: logged at 22:57:54 CET, served `DTSTAMP:20250307T215754Z`; #153046
 * the same on a recurrence-split object; review row 26). A client that hashes raw bytes sees a
 * change at every read; one that compares etags, or content without DTSTAMP, does not.
 *
 * Applied at read time only (GET and calendar-data in REPORTs), never stored: the `duplicate-dtstamp`
 * fault does it for the requests it matches, the `dtstampAtRead: always` quirk for every read.
 */
import { utcDateTime } from '../../icalendar/index.js';
import type { DavContext } from './context.js';

/** Whether this request's reads get the read-time DTSTAMP. */
export function stampsReads(ctx: Pick<DavContext, 'effects' | 'quirks'>): boolean {
  return ctx.effects.duplicateDtstamp === true || ctx.quirks.dtstampAtRead === 'always';
}

/** The object as this read serves it: a `DTSTAMP:<now>` line first in every VEVENT. */
export function withReadTimeDtstamp(data: string, now: number): string {
  return data.replace(/BEGIN:VEVENT\r\n/g, `BEGIN:VEVENT\r\nDTSTAMP:${utcDateTime(now)}\r\n`);
}

/** What a read of `data` returns under this request's effects and quirks. */
export function servedData(data: string, ctx: Pick<DavContext, 'effects' | 'quirks' | 'now'>): string {
  return stampsReads(ctx) ? withReadTimeDtstamp(data, ctx.now()) : data;
}
