/**
 * Which iCloud copy is which event (RULES.md D2, D8, D9; the rules are written out in
 * sync-core/README.md, "How the engine identifies an event").
 *
 * An event is its UID within one connection. Of all the copies of a UID the engine has seen, one
 * is *followed* (its changes are applied; it is where the platform writes) and the others are
 * *copies seen elsewhere* (remembered so they are recognised, never applied, never written).
 * When the followed copy disappears, the engine looks for the UID elsewhere in the account before
 * it concludes the event was deleted: that is how a move between calendars (delete + create with
 * the same UID, as CalDAV clients do it) stays the same event.
 */
import { parseICalendar } from '../../icalendar/index.js';
import type { RemoteObject } from '../caldav/client.js';
import type { RemoteCalendar, RemoteObjectRow } from '../state/sync-state.js';
import type { RunContext } from './context.js';
import { eventIdFromUid } from './ics-writer.js';

/** An appointment of this user that the platform wrote, by its deterministic UID (D2). */
export async function ownAppointmentId(ctx: RunContext, uid: string): Promise<string | undefined> {
  const id = eventIdFromUid(uid);
  const event = id ? await ctx.platform.getEvent(id) : undefined;
  return event && event.kind === 'appointment' && event.userIds.includes(ctx.user.id) ? event.id : undefined;
}

/**
 * Whether a booking's copy may be followed in this calendar (D8): the user's own calendars, and
 * the linked one whatever it is. A calendar another account shares with the user (a colleague's
 * linked calendar showing the same collective booking) holds *their* copy, never the user's.
 */
export function mayHoldOwnCopy(calendar: Pick<RemoteCalendar, 'shared' | 'isLinked'>): boolean {
  return !calendar.shared || calendar.isLinked;
}

export function isEventCalendar(c: Pick<RemoteCalendar, 'kind' | 'components' | 'access'>): boolean {
  return c.kind === 'calendar' && c.access !== 'subscribed' && (c.components.length === 0 || c.components.includes('VEVENT'));
}

/**
 * The role a newly seen copy of `uid` takes. `followed` is the current followed copy, if any:
 * a copy takes over from it only when it is gone (deleted in iCloud, or vanished this run).
 */
export async function roleOfNewCopy(ctx: RunContext, calendar: RemoteCalendar, uid: string, followed: RemoteObjectRow | undefined): Promise<'follow' | 'take-over' | 'copy' | 'ignore'> {
  const own = (await ownAppointmentId(ctx, uid)) !== undefined;
  const eligible = own ? mayHoldOwnCopy(calendar) : true;
  if (!followed) {
    if (own) return eligible ? 'follow' : 'copy';
    return calendar.isConflict ? 'follow' : 'ignore'; // only conflict calendars bring new events in
  }
  if (followed.gone && eligible) return 'take-over';
  return 'copy';
}

/**
 * The calendars of the account, re-read from iCloud at most once per run (a calendar created on
 * the iPhone after connecting may be where an event moved).
 */
export async function accountCalendars(ctx: RunContext): Promise<RemoteCalendar[]> {
  if (!ctx.calendarsReread) {
    const listed = await ctx.client.listCalendars(ctx.connection.homeUrl);
    await ctx.store.transaction(() =>
      ctx.state.saveRemoteCalendars(
        ctx.connection.id,
        listed.map((c) => ({ url: c.url, displayName: c.displayName, components: c.components, access: c.access, kind: c.kind, shared: c.shared })),
      ),
    );
    ctx.calendarsReread = true;
  }
  return ctx.state.listRemoteCalendars(ctx.connection.id);
}

/**
 * Looks for the UID of a vanished followed copy in the account's other event calendars (a UID
 * calendar-query in each). Returns the copy found and its calendar, or undefined: deleted (I4).
 * `skip` lists calendars whose changes this run has already read in full.
 */
export async function findMovedCopy(ctx: RunContext, row: RemoteObjectRow, skip: ReadonlySet<string> = new Set()): Promise<{ calendar: RemoteCalendar; object: RemoteObject } | undefined> {
  const own = row.origin === 'platform';
  const candidates = (await accountCalendars(ctx)).filter((c) => isEventCalendar(c) && c.url !== row.calendarUrl && !skip.has(c.url) && (!own || mayHoldOwnCopy(c)));
  for (const calendar of candidates) {
    const found = await ctx.client.findByUid(calendar.url, row.uid);
    // text-match is a substring match: keep the exact UID only.
    const object = found.find((o) => {
      try {
        return parseICalendar(o.data).uid === row.uid;
      } catch {
        return false;
      }
    });
    if (object) return { calendar, object };
  }
  return undefined;
}
