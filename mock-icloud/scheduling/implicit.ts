/**
 * iCloud's implicit scheduling (RFC 6638 §3.2): a calendar object whose ORGANIZER is the calendar's
 * owner and which has ATTENDEEs is a scheduling object, and writing it makes the server send iTIP
 * (RFC 5546) itself. Nylas documents that iCloud "always sends email notifications about changes
 * to events" and adds the event to iCloud users' calendars; booking products are hit by it
 * (calcom/cal.diy#9893; review row 31). What is sent, per attendee:
 *
 * - create: REQUEST; change: REQUEST to every attendee still listed, CANCEL to those removed;
 *   a change to CANCELLED, or a DELETE: CANCEL. A write that changes nothing but the stamps
 *   (DTSTAMP, LAST-MODIFIED) sends nothing (CalendarServer sends only on a significant change).
 * - none to an attendee with `SCHEDULE-AGENT=CLIENT` (or NONE), none at all when the ORGANIZER
 *   carries it (RFC 6638 §7.1; the cal.com fix, calcom/cal.diy PR #24931), none to the organizer.
 * - none when the ORGANIZER is not the owner (an attendee's copy: iCloud would send a REPLY; the
 *   mock does not model replies).
 *
 * Attendees who are accounts of the world get the event in their first VEVENT calendar (CANCEL
 * removes it), the rest an e-mail; both are recorded in the sink.
 */
import ICAL from 'ical.js';
import { computeIndexSpans, parseICalendar } from '../../icalendar/index.js';
import type { Account, Calendar } from '../store/model.js';
import type { CalendarStore } from '../store/store.js';
import type { DavContext } from '../dav/context.js';
import type { InvitationSink, ItipMethod } from './sink.js';

export interface SchedulingWrite {
  store: CalendarStore;
  sink: InvitationSink;
  now: number;
  /** The calendar written to and its owner. */
  calendar: Calendar;
  owner: Account;
  href: string;
  /** The object before (undefined: created) and after (undefined: deleted) the write. */
  before?: string;
  after?: string;
}

interface SchedulingView {
  uid: string;
  organizer: string;
  summary?: string;
  cancelled: boolean;
  /** Attendees that get messages, by address. */
  attendees: Set<string>;
  /** The text without stamps, to tell a real change from a re-stamp. */
  significant: string;
}

const address = (value: unknown) =>
  String(value ?? '')
    .trim()
    .toLowerCase()
    .replace(/^mailto:/, '');
const agentIsServer = (prop: ICAL.Property) => {
  const agent = prop.getParameter('schedule-agent');
  return agent === undefined || agent === null || String(agent).toUpperCase() === 'SERVER';
};

/** What scheduling sees in an object, or undefined when it is not a scheduling object of `owner`. */
function view(data: string | undefined, owner: Account): SchedulingView | undefined {
  if (data === undefined) return undefined;
  let parsed;
  try {
    parsed = parseICalendar(data);
  } catch {
    return undefined;
  }
  const comps = parsed.components.filter((c) => c.name === 'vevent' || c.name === 'vtodo');
  const organizerProp = comps.map((c) => c.getFirstProperty('organizer')).find(Boolean);
  if (!organizerProp) return undefined;
  const organizer = address(organizerProp.getFirstValue());
  if (organizer !== owner.appleId.toLowerCase()) return undefined;
  if (!agentIsServer(organizerProp)) return undefined;
  const attendees = new Set<string>();
  for (const c of comps) {
    for (const a of c.getAllProperties('attendee')) {
      const who = address(a.getFirstValue());
      if (who && who !== organizer && agentIsServer(a)) attendees.add(who);
    }
  }
  const master = parsed.master ?? comps[0];
  const summary = master?.getFirstPropertyValue('summary');
  const status = String(master?.getFirstPropertyValue('status') ?? '').toUpperCase();
  const significant = data
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((l) => !/^(DTSTAMP|LAST-MODIFIED)[;:]/i.test(l))
    .join('\r\n');
  return { uid: parsed.uid, organizer, summary: summary === null || summary === undefined ? undefined : String(summary), cancelled: status === 'CANCELLED', attendees, significant };
}

/** Sends (records and delivers) what iCloud would send for this write; returns how many. */
export function scheduleWrite(write: SchedulingWrite): number {
  const before = view(write.before, write.owner);
  const after = view(write.after, write.owner);
  if (!before && !after) return 0;
  const messages: Array<{ to: string; method: ItipMethod }> = [];
  if (after && !after.cancelled) {
    if (before && !before.cancelled && before.significant === after.significant) return 0;
    for (const to of after.attendees) messages.push({ to, method: 'REQUEST' });
    for (const to of before?.attendees ?? []) if (!after.attendees.has(to)) messages.push({ to, method: 'CANCEL' });
  } else {
    // Deleted, or changed to CANCELLED: everyone who was (or still is) invited hears it.
    const told = new Set([...(before && !before.cancelled ? before.attendees : []), ...(after?.attendees ?? [])]);
    if (before?.cancelled && after?.cancelled) return 0;
    for (const to of told) messages.push({ to, method: 'CANCEL' });
  }
  const source = (after ? write.after : write.before)!;
  const info = after ?? before!;
  for (const { to, method } of messages) {
    const attendee = write.store.getAccountByAppleId(to);
    const ics = itipText(source, method);
    write.sink.add({
      at: new Date(write.now).toISOString(),
      method,
      from: info.organizer,
      to,
      uid: info.uid,
      ...(info.summary !== undefined ? { summary: info.summary } : {}),
      delivery: attendee ? 'calendar' : 'email',
      href: write.href,
      ics,
    });
    if (attendee) deliver(write.store, attendee, info.uid, method, source);
  }
  return messages.length;
}

/** The iTIP object: the organizer's object with METHOD (a CANCEL also marks it CANCELLED). */
function itipText(data: string, method: ItipMethod): string {
  let text = data.replace(/^METHOD:.*\r\n/im, '').replace(/BEGIN:VCALENDAR\r\n/, `BEGIN:VCALENDAR\r\nMETHOD:${method}\r\n`);
  if (method === 'CANCEL') text = text.replace(/^STATUS:.*\r\n/gim, '').replace(/END:VEVENT\r\n/g, 'STATUS:CANCELLED\r\nEND:VEVENT\r\n');
  return text;
}

/** An iCloud attendee's copy: added to (REQUEST) or removed from (CANCEL) their first event calendar. */
function deliver(store: CalendarStore, attendee: Account, uid: string, method: ItipMethod, data: string): void {
  const existing = store.findUid(attendee.dsid, uid);
  if (method === 'CANCEL') {
    if (existing) store.deleteObject(existing.calendar, existing.name);
    return;
  }
  const target = existing?.calendar ?? store.listHome(attendee.dsid).flatMap((e) => (e.kind === 'owned' && e.calendar.component === 'VEVENT' ? [e.calendar] : []))[0];
  if (!target) return;
  const copy = data.replace(/^METHOD:.*\r\n/im, '');
  let spans;
  try {
    spans = computeIndexSpans(parseICalendar(copy), { defaultZone: target.timezone ?? 'UTC' });
  } catch {
    return;
  }
  store.putObject(target, { name: existing?.name ?? `${uid}.ics`, uid, data: copy, component: 'VEVENT', spans });
}

/** After a CalDAV PUT or DELETE: what iCloud sends for it, unless the implicitScheduling quirk is off. */
export function scheduleAfterWrite(ctx: Pick<DavContext, 'store' | 'invitations' | 'quirks' | 'now'>, calendar: Calendar, href: string, before: string | undefined, after: string | undefined): void {
  if (ctx.quirks.implicitScheduling === 'off') return;
  const owner = ctx.store.getAccountByDsid(calendar.ownerDsid);
  if (!owner) return;
  scheduleWrite({ store: ctx.store, sink: ctx.invitations, now: ctx.now(), calendar, owner, href, before, after });
}
