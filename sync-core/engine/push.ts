/**
 * Platform → iCloud (RULES.md P1–P4, I5, D1, D2, D3, T2).
 *
 * Reads the platform's change feed after the connection's cursor (plus pushes that failed before)
 * and, per event, writes iCloud first and then records the result and moves the cursor in one
 * transaction. A run killed between the two repeats the write next time, and the write is
 * idempotent: a create uses a deterministic resource name with If-None-Match: * (412 → adopt the
 * resource already there), an update uses If-Match with the stored etag (412 → re-read, then D1).
 *
 * - Appointments of Round Robin, Collective, Class Booking and Service calendars go to the linked
 *   calendar (P1, P2); cancelled or deleted ones are removed (P4); Simple and Event calendars never
 *   reach iCloud (T2). Blocked slots created in the platform are never written (P3).
 * - A platform change to a blocked slot that came from iCloud is written back where that calendar
 *   is writable, otherwise it stays local and is reported (I5).
 * - The platform's own pull-side updates carry the version they produced, so they are not pushed
 *   back (D2).
 * - Writes go to the followed copy (identity.ts), wherever it lives now: a former linked
 *   calendar, or the calendar the iPhone moved it to (D8). A write that finds the copy gone looks
 *   for it by UID before concluding it was deleted in iCloud (I4).
 * - A 412 means iCloud changed the copy since it was last read: it is read and decided exactly as
 *   the pull decides (D1, D7), conflicts recorded either way, then written again if the platform won.
 */
import { parseICalendar } from '../../icalendar/index.js';
import { UnexpectedResponseError } from '../caldav/errors.js';
import type { PlatformEvent } from '../platform/model.js';
import type { ChangedEventRef } from '../platform/store.js';
import type { RemoteCalendar, RemoteObjectRow } from '../state/sync-state.js';
import { contentHash } from './content-hash.js';
import type { RunContext } from './context.js';
import { findMovedCopy } from './identity.js';
import { applySlotChange, buildPlatformEvent, platformResourceName, platformUid, removeOccurrence } from './ics-writer.js';
import { extraOccurrences } from './own-copy.js';
import { parseStored } from './stored-object.js';
import { applyRemoteObject } from './pull.js';
import { appointmentFields, fieldsOf, sameAppointment, singleInstance } from './remote-event.js';

export async function pushChanges(ctx: RunContext, calendars: RemoteCalendar[]): Promise<void> {
  const { platform, state, connection } = ctx;
  const linked = calendars.find((c) => c.isLinked);
  const pending: ChangedEventRef[] = [];
  for (const p of ctx.plan.pendingPushes ? await state.listPending(connection.id) : []) {
    const event = await platform.getEvent(p.eventId);
    if (event) pending.push(event);
  }
  // The feed is read when it held something as the run started, or when the pull wrote to the
  // platform (every such write is in ownWrites): the cursor must pass the pull's own changes (D2).
  // A change another writer makes after the run started is read by the next run. Only references
  // are read (after a first sync, ten thousand of the pull's own); pushEvent reads what it pushes.
  const changed = ctx.plan.platformChanges || ctx.ownWrites.size > 0 ? await platform.listChangedEventRefs(ctx.user.id, connection.changeCursor) : [];
  const queue = new Map<string, ChangedEventRef>();
  for (const e of [...pending, ...changed]) queue.set(e.id, e); // each once; pushEvent reads its latest state
  const retrying = new Set(pending.map((e) => e.id));
  let cursor = connection.changeCursor;
  let saved = cursor;
  for (const event of queue.values()) {
    cursor = Math.max(cursor, event.changeSeq);
    // The pull's own writes (a slot it made or moved, an appointment it updated) need no push (D2):
    // passing over them costs nothing, and the cursor moves past them with the next write.
    if (!retrying.has(event.id) && ctx.ownWrites.get(event.id) === event.version) continue;
    let failure: string | undefined;
    try {
      const outcome = await pushEvent(ctx, event, linked, calendars);
      if (outcome !== undefined) failure = outcome.retry;
    } catch (error) {
      if (!(error instanceof UnexpectedResponseError)) throw error; // auth and availability stop the run
      failure = error.message;
      ctx.report.errors.push({ phase: 'push', eventId: event.id, message: error.message });
    }
    const at = cursor;
    await ctx.store.transaction(async () => {
      if (failure) await state.addPending(connection.id, event.id, failure);
      else if (retrying.has(event.id)) await state.removePending(connection.id, event.id);
      await state.updateConnection(connection.id, { changeCursor: at });
    });
    saved = at;
  }
  if (cursor !== saved) await state.updateConnection(connection.id, { changeCursor: cursor });
  connection.changeCursor = cursor;
}

/** Pushes one event; `{ retry }` keeps it on the pending list for the next run. */
async function pushEvent(ctx: RunContext, queued: ChangedEventRef, linked: RemoteCalendar | undefined, calendars: RemoteCalendar[]): Promise<{ retry: string } | void> {
  const event = await ctx.platform.getEvent(queued.id);
  if (!event) return; // events are never removed, only marked deleted: nothing to push
  const link = await ctx.state.linkForEvent(ctx.connection.id, event.id);
  if (link) return pushSlotChange(ctx, event, calendars);
  if (event.kind === 'blocked') {
    if (event.origin === 'platform') ctx.report.skipped.push({ eventId: event.id, reason: 'blocked slots created in the platform are not written to iCloud (P3)' });
    return;
  }
  const bookingCalendar = event.calendarId ? await ctx.platform.getCalendar(event.calendarId) : undefined;
  if (!bookingCalendar?.icloudSync) {
    ctx.report.skipped.push({
      eventId: event.id,
      reason: `bookings of ${bookingCalendar ? `the ${bookingCalendar.type.replace('_', ' ')} calendar "${bookingCalendar.name}"` : 'this calendar'} are not written to iCloud (T2)`,
    });
    return;
  }
  const row = await ctx.state.objectForEvent(ctx.connection.id, event.id);
  const remove = event.deleted || event.status === 'cancelled' || !event.userIds.includes(ctx.user.id);
  if (remove) return removeAppointment(ctx, event);
  if (row?.gone) return skipDeletedInICloud(ctx, event);
  if (!row) {
    if (event.end <= ctx.window.start) return; // long past: outside the sync window (D5)
    if (!linked) {
      const reason = 'no linked calendar is chosen for this iCloud connection: choose one to have bookings written to iCloud';
      ctx.report.skipped.push({ eventId: event.id, reason });
      return { retry: reason };
    }
    return createAppointment(ctx, event, linked);
  }
  if (row.pushedVersion === event.version) return; // already in iCloud, or the change came from iCloud (D2)
  return updateAppointment(ctx, event);
}

function skipDeletedInICloud(ctx: RunContext, event: PlatformEvent): void {
  ctx.report.skipped.push({ eventId: event.id, reason: 'the event was deleted in iCloud; the platform keeps the appointment and does not write it back (I4)' });
}

async function calendarOf(ctx: RunContext, row: RemoteObjectRow): Promise<RemoteCalendar | undefined> {
  return (await ctx.state.listRemoteCalendars(ctx.connection.id)).find((c) => c.url === row.calendarUrl);
}

/**
 * The followed copy is not where it was: look for its UID elsewhere (a move, D8). Found: it is
 * applied as the followed copy there and returned. Not found: deleted in iCloud (I4).
 */
async function relocate(ctx: RunContext, row: RemoteObjectRow): Promise<RemoteObjectRow | undefined> {
  await ctx.state.saveObject({ ...row, gone: true });
  const moved = await findMovedCopy(ctx, row);
  if (!moved) return undefined;
  await applyRemoteObject(ctx, moved.calendar, moved.object);
  const now = await ctx.state.followedObject(ctx.connection.id, row.uid);
  return now && !now.gone ? now : undefined;
}

/**
 * Reads iCloud's current copy after a 412 and decides as the pull does (D1, D7). False when the
 * copy is gone and was found nowhere else.
 */
async function reread(ctx: RunContext, row: RemoteObjectRow): Promise<boolean> {
  const fresh = await ctx.client.get(row.href);
  if (!fresh) return (await relocate(ctx, row)) !== undefined;
  const calendar = await calendarOf(ctx, row);
  if (calendar) await applyRemoteObject(ctx, calendar, fresh);
  return true;
}

async function saveWritten(ctx: RunContext, event: PlatformEvent, href: string, calendarUrl: string, data: string, etag: string | undefined, previous?: RemoteObjectRow): Promise<void> {
  const row: RemoteObjectRow = {
    connectionId: ctx.connection.id,
    href,
    calendarUrl,
    uid: platformUid(event.id),
    etag,
    data,
    contentHash: contentHash(data),
    origin: 'platform',
    eventId: event.id,
    pushedVersion: event.version,
    remoteModified: event.updatedAt,
    gone: false,
    followed: true,
    // A copy created now is newer than the calendar's token: the next listing must show it (sync-003).
    unconfirmed: previous ? previous.unconfirmed : true,
  };
  // A copy the iPhone made recurring keeps its other occurrences as slots (D7), moved with it.
  const parsed = parseICalendar(data);
  await ctx.store.transaction(async () => {
    const windowDue = previous ? await extraOccurrences(ctx, row, parsed, parseStored(previous.data), singleInstance(parsed, ctx.user.timeZone)?.recurrenceId) : undefined;
    await ctx.state.saveObject({ ...row, windowDue });
  });
}

async function createAppointment(ctx: RunContext, event: PlatformEvent, linked: RemoteCalendar): Promise<void> {
  const href = new URL(platformResourceName(event.id), linked.url).href;
  const data = buildPlatformEvent(event, ctx.user.timeZone);
  const outcome = await ctx.client.put(href, data, { create: true });
  if (outcome.kind === 'written') {
    await saveWritten(ctx, event, href, linked.url, data, outcome.etag);
    ctx.report.pushed.created++;
    return;
  }
  // 412: it is already there (an earlier run was killed after its PUT). Adopt it, never duplicate.
  const existing = await ctx.client.get(href);
  if (!existing) throw new UnexpectedResponseError('PUT', href, 412, 'If-None-Match failed but the resource cannot be read');
  if (parseICalendar(existing.data).uid !== platformUid(event.id)) {
    throw new UnexpectedResponseError('PUT', href, 412, `another event already uses ${href}`);
  }
  ctx.report.pushed.adopted++;
  if (contentHash(existing.data) === contentHash(data)) {
    await saveWritten(ctx, event, href, linked.url, existing.data, existing.etag);
    return;
  }
  const merged = buildPlatformEvent(event, ctx.user.timeZone, existing.data);
  const retry = await ctx.client.put(href, merged, { etag: existing.etag ?? '*' });
  if (retry.kind !== 'written') throw new UnexpectedResponseError('PUT', href, 412, 'the event changed again while it was being adopted; retrying next run');
  await saveWritten(ctx, event, href, linked.url, merged, retry.etag);
}

async function updateAppointment(ctx: RunContext, original: PlatformEvent): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await ctx.state.objectForEvent(ctx.connection.id, original.id);
    const event = (await ctx.platform.getEvent(original.id)) ?? original;
    if (!current || current.gone) return skipDeletedInICloud(ctx, event);
    if (current.pushedVersion === event.version) return; // iCloud's later edit won (D1), or nothing to do
    if (showsEvent(current.data, event, ctx.user.timeZone)) {
      // Already there (a run killed after its PUT, or the same edit made on both sides).
      await ctx.state.saveObject({ ...current, pushedVersion: event.version });
      return;
    }
    const data = buildPlatformEvent(event, ctx.user.timeZone, current.data);
    const outcome = await ctx.client.put(current.href, data, { etag: current.etag ?? '*' });
    if (outcome.kind === 'written') {
      await saveWritten(ctx, event, current.href, current.calendarUrl, data, outcome.etag, current);
      ctx.report.pushed.updated++;
      return;
    }
    // 412: iCloud's copy changed (or went) since it was read. Decide by D1, then write again if the platform won.
    if (!(await reread(ctx, current))) return skipDeletedInICloud(ctx, event);
  }
  throw new UnexpectedResponseError('PUT', original.id, 412, 'the event kept changing in iCloud; retrying next run');
}

/** Whether iCloud's copy already shows every field the platform owns, as the event has them now. */
function showsEvent(data: string, event: PlatformEvent, zone: string): boolean {
  try {
    const parsed = parseICalendar(data);
    const instance = singleInstance(parsed, zone);
    return instance !== undefined && sameAppointment(appointmentFields(fieldsOf(instance, parsed)), appointmentFields(event));
  } catch {
    return false;
  }
}

/** P4 and D7: a cancelled or deleted booking is removed from iCloud, wherever its copy now lives. */
async function removeAppointment(ctx: RunContext, event: PlatformEvent): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await ctx.state.objectForEvent(ctx.connection.id, event.id);
    if (!row || row.gone) return;
    const outcome = await ctx.client.delete(row.href, row.etag);
    if (outcome === 'deleted') {
      await ctx.store.transaction(async () => {
        await ctx.state.saveObject({ ...row, gone: true, pushedVersion: event.version, windowDue: undefined });
        await removeOccurrenceSlots(ctx, row.uid);
      });
      ctx.report.pushed.deleted++;
      return;
    }
    if (outcome === 'not-found') {
      if (!(await relocate(ctx, row))) return; // deleted in iCloud already
      continue; // moved on the iPhone: remove it where it is now
    }
    // 412: edited on the iPhone since it was read; the edit is recorded as losing (D7), then removed.
    if (!(await reread(ctx, row))) return;
  }
  throw new UnexpectedResponseError('DELETE', event.id, 412, 'the event kept changing in iCloud; retrying next run');
}

/** The slots a booking's recurring copy added (D7) go with the copy the platform removed. */
async function removeOccurrenceSlots(ctx: RunContext, uid: string): Promise<void> {
  for (const link of await ctx.state.linksOf(ctx.connection.id, uid)) {
    const slot = await ctx.platform.getEvent(link.eventId);
    if (slot && !slot.deleted) await ctx.platform.deleteEvent(slot.id, ctx.clock.now());
    await ctx.state.deleteLink(ctx.connection.id, uid, link.recurrenceKey);
  }
}

/** I5: a blocked slot that came from iCloud, changed or deleted in the platform. */
async function pushSlotChange(ctx: RunContext, original: PlatformEvent, calendars: RemoteCalendar[]): Promise<void> {
  const { state, connection } = ctx;
  for (let attempt = 0; attempt < 3; attempt++) {
    const link = await state.linkForEvent(connection.id, original.id);
    const slot = (await ctx.platform.getEvent(original.id)) ?? original;
    // Written by the pull itself (D2), re-linked after iCloud won (D1), or not to be written again.
    if (!link || slot.version === link.syncedVersion || link.suppressed) return;
    const keep = (suppressed: boolean) => state.saveLink({ ...link, syncedVersion: slot.version, suppressed });
    const row = await state.followedObject(connection.id, link.uid);
    if (!row || row.gone) {
      ctx.report.skipped.push({ eventId: slot.id, href: row?.href, reason: 'the iCloud event was deleted; the change stays in the platform' });
      return keep(slot.deleted);
    }
    const calendar = calendars.find((c) => c.url === row.calendarUrl) ?? (await calendarOf(ctx, row));
    if (calendar?.access !== 'writable') {
      ctx.report.skipped.push({ eventId: slot.id, href: row.href, reason: `"${calendar?.displayName ?? row.calendarUrl}" is read-only in iCloud: the change stays in the platform (I5)` });
      return keep(slot.deleted);
    }
    const next = slot.deleted ? removeOccurrence(row.data, link.recurrenceKey, slot.updatedAt) : applySlotChange(row.data, link.recurrenceKey, slot, ctx.user.timeZone);
    if (next === null) {
      const outcome = await ctx.client.delete(row.href, row.etag);
      if (outcome === 'deleted') {
        await ctx.store.transaction(async () => {
          await state.saveObject({ ...row, gone: true, windowDue: undefined });
          await state.deleteLink(connection.id, link.uid, link.recurrenceKey);
        });
        ctx.report.pushed.deleted++;
        return;
      }
      if (outcome === 'not-found') {
        if (!(await relocate(ctx, row))) {
          ctx.report.skipped.push({ eventId: slot.id, href: row.href, reason: 'the iCloud event was deleted; the change stays in the platform' });
          return keep(slot.deleted);
        }
        continue;
      }
    } else {
      const outcome = await ctx.client.put(row.href, next, { etag: row.etag ?? '*' });
      if (outcome.kind === 'written') {
        await ctx.store.transaction(async () => {
          await state.saveObject({ ...row, etag: outcome.etag, data: next, contentHash: contentHash(next), remoteModified: slot.updatedAt });
          if (slot.deleted) await state.deleteLink(connection.id, link.uid, link.recurrenceKey);
          else await state.saveLink({ ...link, syncedVersion: slot.version, suppressed: false });
        });
        ctx.report.pushed.updated++;
        return;
      }
    }
    // 412: iCloud changed the event meanwhile. It is read and decided per occurrence (D1): a later
    // iPhone edit wins and is applied; otherwise the conflict is recorded and the write retried.
    if (!(await reread(ctx, row))) {
      ctx.report.skipped.push({ eventId: slot.id, href: row.href, reason: 'the iCloud event was deleted; the change stays in the platform' });
      return keep(slot.deleted);
    }
  }
  throw new UnexpectedResponseError('PUT', original.id, 412, 'the event kept changing in iCloud; retrying next run');
}
