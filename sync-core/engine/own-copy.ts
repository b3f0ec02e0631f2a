/**
 * The platform's own iCloud copy of a booking, read back (RULES.md I3, D1, D2, D7).
 *
 * - An iPhone edit of the copy's title, notes, place or time changes the appointment (I3), unless
 *   the platform changed it later (D1); the losing change is recorded either way.
 * - Bookings belong to the platform (D7): TRANSP and STATUS on the copy never change the
 *   appointment (it keeps blocking), a cancelled or deleted booking is final (the iPhone's later
 *   edit is recorded as the losing change and the copy is removed by the push step), and
 *   occurrences the iPhone adds by making the copy recurring become blocked slots.
 */
import type { ParsedCalendar } from '../../icalendar/index.js';
import type { RemoteObject } from '../caldav/client.js';
import type { PlatformEvent } from '../platform/model.js';
import type { RemoteCalendar, RemoteObjectRow } from '../state/sync-state.js';
import { iCloudWins, recordConflict } from './conflicts.js';
import type { RunContext } from './context.js';
import { materialiseOccurrences } from './occurrences.js';
import { parseStored, storedRow } from './stored-object.js';
import { appointmentFields, fieldsOf, isRecurring, remoteModified, sameAppointment, singleInstance, type AppointmentFields } from './remote-event.js';

export async function reconcileOwnCopy(
  ctx: RunContext,
  calendar: RemoteCalendar,
  object: RemoteObject,
  parsed: ParsedCalendar,
  hash: string,
  previous: RemoteObjectRow | undefined,
  event: PlatformEvent,
): Promise<'updated' | 'unchanged' | 'echo'> {
  const modified = remoteModified(parsed);
  const base = storedRow(ctx, calendar, object, { uid: parsed.uid, remoteModified: modified }, hash, {
    origin: 'platform',
    followed: true,
    eventId: event.id,
    // adopted without a record (a run killed after its PUT): the push compares and writes if needed
    pushedVersion: previous?.pushedVersion ?? 0,
  });
  // What iCloud showed before, parsed once for the appointment's fields and its occurrences.
  const before = parseStored(previous?.data);
  const instance = singleInstance(parsed, ctx.user.timeZone);
  const ended = event.deleted || event.status === 'cancelled';
  const save = async (row: RemoteObjectRow) => {
    // A booking that ended is removed from iCloud by the push step: its occurrences add nothing.
    await ctx.state.saveObject({ ...row, windowDue: ended ? undefined : await extraOccurrences(ctx, row, parsed, before, instance?.recurrenceId) });
  };
  if (!previous || !instance) {
    await save(base);
    return 'echo';
  }
  const remote = appointmentFields(fieldsOf(instance, parsed));
  const shownBefore = before && appointmentOf(before, ctx.user.timeZone);
  const icloudChanged = shownBefore === undefined || !sameAppointment(shownBefore, remote);
  if (!ended && sameAppointment(remote, appointmentFields(event))) {
    // iCloud already shows the platform's current version (e.g. written by a run killed before it
    // could record that): nothing is left to push.
    await save({ ...base, pushedVersion: event.version });
    return 'unchanged';
  }
  if (ended) {
    // D7: the cancellation or deletion is final; the push step removes the copy with this etag.
    if (icloudChanged) await recordConflict(ctx, event, object.href, 'platform', modified, { source: 'icloud', ...remote });
    await save(base);
    return 'unchanged';
  }
  if (!icloudChanged) {
    await save(base); // only the platform changed (or only TRANSP/STATUS/alarms on the iPhone): the push writes
    return 'unchanged';
  }
  const platformChanged = event.version !== previous.pushedVersion;
  if (platformChanged && !iCloudWins(event.updatedAt, modified, ctx.clock.now())) {
    await recordConflict(ctx, event, object.href, 'platform', modified, { source: 'icloud', ...remote });
    await save(base); // the push writes the platform's version over iCloud's, with this etag
    return 'unchanged';
  }
  if (platformChanged) await recordConflict(ctx, event, object.href, 'icloud', modified, { source: 'platform', ...appointmentFields(event) });
  const updated = await ctx.platform.updateEvent(event.id, { ...remote, updatedAt: ctx.clock.now() });
  ctx.ownWrites.set(updated.id, updated.version);
  await save({ ...base, pushedVersion: updated.version });
  return 'updated';
}

function appointmentOf(parsed: ParsedCalendar, zone: string): AppointmentFields | undefined {
  const instance = singleInstance(parsed, zone);
  return instance && appointmentFields(fieldsOf(instance, parsed));
}

/**
 * D7: the other occurrences of a booking the iPhone made recurring block time as slots (A4); the
 * booking itself shows the first. Returns the window end at which more of them appear.
 */
export async function extraOccurrences(
  ctx: RunContext,
  row: Pick<RemoteObjectRow, 'uid' | 'href'>,
  parsed: ParsedCalendar,
  before: ParsedCalendar | undefined,
  ownKey: string | undefined,
): Promise<number | undefined> {
  const hadLinks = (await ctx.state.linksOf(ctx.connection.id, row.uid)).length > 0;
  if (!isRecurring(parsed) && !hadLinks) return undefined;
  return (await materialiseOccurrences(ctx, { uid: row.uid, href: row.href, parsed, previous: before, skipKey: ownKey ?? '' })).windowDue;
}
