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
 */
import { parseICalendar } from '../../icalendar/index.js';
import { UnexpectedResponseError } from '../caldav/errors.js';
import type { PlatformEvent } from '../platform/model.js';
import type { RemoteCalendar, RemoteObjectRow } from '../state/sync-state.js';
import { iCloudWins, recordConflict } from './conflicts.js';
import { contentHash } from './content-hash.js';
import type { RunContext } from './context.js';
import { applySlotChange, buildPlatformEvent, platformResourceName, platformUid, removeOccurrence } from './ics-writer.js';
import { applyRemoteObject, eventFields, materialise } from './pull.js';
import { fieldsOf, remoteModified, sameFields, singleInstance } from './remote-event.js';

export async function pushChanges(ctx: RunContext, calendars: RemoteCalendar[]): Promise<void> {
  const { platform, state, connection } = ctx;
  const linked = calendars.find((c) => c.isLinked);
  const pending = state.listPending(connection.id).map((p) => platform.getEvent(p.eventId)).filter((e): e is PlatformEvent => !!e);
  const changed = platform.listChangedEvents(ctx.user.id, connection.changeCursor);
  const queue = new Map<string, PlatformEvent>();
  for (const e of [...pending, ...changed]) queue.set(e.id, platform.getEvent(e.id) ?? e); // latest state, once
  let cursor = connection.changeCursor;
  for (const event of queue.values()) {
    let failure: string | undefined;
    try {
      const outcome = await pushEvent(ctx, event, linked, calendars);
      if (outcome !== undefined) failure = outcome.retry;
    } catch (error) {
      if (!(error instanceof UnexpectedResponseError)) throw error; // auth and availability stop the run
      failure = error.message;
      ctx.report.errors.push({ phase: 'push', eventId: event.id, message: error.message });
    }
    cursor = Math.max(cursor, event.changeSeq);
    platform.transaction(() => {
      if (failure) state.addPending(connection.id, event.id, failure);
      else state.removePending(connection.id, event.id);
      state.updateConnection(connection.id, { changeCursor: cursor });
    });
  }
  connection.changeCursor = cursor;
}

/** Pushes one event; `{ retry }` keeps it on the pending list for the next run. */
async function pushEvent(ctx: RunContext, event: PlatformEvent, linked: RemoteCalendar | undefined, calendars: RemoteCalendar[]): Promise<{ retry: string } | void> {
  const link = ctx.state.linkForEvent(ctx.connection.id, event.id);
  if (link) return pushSlotChange(ctx, event, link, calendars);
  if (event.kind === 'blocked') {
    if (event.origin === 'platform') ctx.report.skipped.push({ eventId: event.id, reason: 'blocked slots created in the platform are not written to iCloud (P3)' });
    return;
  }
  const bookingCalendar = event.calendarId ? ctx.platform.getCalendar(event.calendarId) : undefined;
  if (!bookingCalendar?.icloudSync) {
    ctx.report.skipped.push({ eventId: event.id, reason: `bookings of ${bookingCalendar ? `the ${bookingCalendar.type.replace('_', ' ')} calendar "${bookingCalendar.name}"` : 'this calendar'} are not written to iCloud (T2)` });
    return;
  }
  const row = ctx.state.objectForEvent(ctx.connection.id, event.id);
  const remove = event.deleted || event.status === 'cancelled' || !event.userIds.includes(ctx.user.id);
  if (remove) return removeAppointment(ctx, event, row);
  if (row?.gone) {
    ctx.report.skipped.push({ eventId: event.id, reason: 'the event was deleted in iCloud; the platform keeps the appointment and does not write it back (I4)' });
    return;
  }
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
  return updateAppointment(ctx, event, row);
}

function saveWritten(ctx: RunContext, event: PlatformEvent, href: string, calendarUrl: string, data: string, etag: string | undefined): void {
  ctx.state.saveObject({
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
  });
}

async function createAppointment(ctx: RunContext, event: PlatformEvent, linked: RemoteCalendar): Promise<void> {
  const href = new URL(platformResourceName(event.id), linked.url).href;
  const data = buildPlatformEvent(event, ctx.user.timeZone);
  const outcome = await ctx.client.put(href, data, { create: true });
  if (outcome.kind === 'written') {
    ctx.platform.transaction(() => saveWritten(ctx, event, href, linked.url, data, outcome.etag));
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
    ctx.platform.transaction(() => saveWritten(ctx, event, href, linked.url, existing.data, existing.etag));
    return;
  }
  const merged = buildPlatformEvent(event, ctx.user.timeZone, existing.data);
  const retry = await ctx.client.put(href, merged, { etag: existing.etag ?? '*' });
  if (retry.kind !== 'written') throw new UnexpectedResponseError('PUT', href, 412, 'the event changed again while it was being adopted; retrying next run');
  ctx.platform.transaction(() => saveWritten(ctx, event, href, linked.url, merged, retry.etag));
}

async function updateAppointment(ctx: RunContext, event: PlatformEvent, row: RemoteObjectRow): Promise<void> {
  let current = row;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (showsEvent(current.data, event, ctx.user.timeZone)) {
      // Already there (a run killed after its PUT, or the same edit made on both sides).
      ctx.platform.transaction(() => ctx.state.saveObject({ ...current, pushedVersion: event.version }));
      return;
    }
    const data = buildPlatformEvent(event, ctx.user.timeZone, current.data);
    const outcome = await ctx.client.put(current.href, data, { etag: current.etag ?? '*' });
    if (outcome.kind === 'written') {
      ctx.platform.transaction(() => saveWritten(ctx, event, current.href, current.calendarUrl, data, outcome.etag));
      ctx.report.pushed.updated++;
      return;
    }
    // 412: iCloud's copy changed since we last saw it. Re-read and decide by D1.
    const fresh = await ctx.client.get(current.href);
    if (!fresh) {
      ctx.platform.transaction(() => ctx.state.saveObject({ ...current, gone: true }));
      ctx.report.skipped.push({ eventId: event.id, reason: 'the event was deleted in iCloud; the platform keeps the appointment (I4)' });
      return;
    }
    const parsed = parseICalendar(fresh.data);
    const modified = remoteModified(parsed);
    if (contentHash(fresh.data) !== current.contentHash && iCloudWins(event.updatedAt, modified, ctx.clock.now())) {
      // iCloud's edit is later: the pull logic applies it to the appointment and records the conflict.
      const calendar = ctx.state.listRemoteCalendars(ctx.connection.id).find((c) => c.url === current.calendarUrl)!;
      applyRemoteObject(ctx, calendar, fresh);
      return;
    }
    if (contentHash(fresh.data) !== current.contentHash) {
      recordConflict(ctx, event, current.href, 'platform', modified, { source: 'icloud', data: fresh.data });
    }
    current = { ...current, etag: fresh.etag, data: fresh.data, contentHash: contentHash(fresh.data) };
  }
  throw new UnexpectedResponseError('PUT', row.href, 412, 'the event kept changing in iCloud; retrying next run');
}

/** Whether iCloud's copy already shows every field the platform owns, as the event has them now. */
function showsEvent(data: string, event: PlatformEvent, zone: string): boolean {
  try {
    const parsed = parseICalendar(data);
    const instance = singleInstance(parsed, zone);
    return instance !== undefined && sameFields(fieldsOf(instance, parsed), eventFields(event));
  } catch {
    return false;
  }
}

async function removeAppointment(ctx: RunContext, event: PlatformEvent, row: RemoteObjectRow | undefined): Promise<void> {
  if (!row || row.gone) return;
  let etag = row.etag;
  for (let attempt = 0; attempt < 3; attempt++) {
    const outcome = await ctx.client.delete(row.href, etag);
    if (outcome !== 'precondition-failed') {
      ctx.platform.transaction(() => ctx.state.saveObject({ ...row, gone: true, pushedVersion: event.version }));
      if (outcome === 'deleted') ctx.report.pushed.deleted++;
      return;
    }
    const fresh = await ctx.client.get(row.href);
    if (!fresh) {
      ctx.platform.transaction(() => ctx.state.saveObject({ ...row, gone: true, pushedVersion: event.version }));
      return;
    }
    if (contentHash(fresh.data) !== row.contentHash) {
      // iCloud edited it after our last sync; the cancellation still removes it, and the edit is kept on record.
      recordConflict(ctx, event, row.href, 'platform', remoteModified(parseICalendar(fresh.data)), { source: 'icloud', data: fresh.data });
    }
    etag = fresh.etag;
  }
  throw new UnexpectedResponseError('DELETE', row.href, 412, 'the event kept changing in iCloud; retrying next run');
}

/** I5: a blocked slot that came from iCloud, changed or deleted in the platform. */
async function pushSlotChange(ctx: RunContext, slot: PlatformEvent, link: { href: string; recurrenceKey: string; syncedVersion: number; eventId: string; suppressed: boolean }, calendars: RemoteCalendar[]): Promise<void> {
  if (slot.version === link.syncedVersion || link.suppressed) return; // written by the pull itself (D2)
  const { state, connection } = ctx;
  const done = (suppressed = false) => ctx.platform.transaction(() => state.saveLink({ connectionId: connection.id, href: link.href, recurrenceKey: link.recurrenceKey, eventId: slot.id, syncedVersion: slot.version, suppressed }));
  const row = state.getObject(connection.id, link.href);
  const calendar = calendars.find((c) => c.url === row?.calendarUrl);
  if (!row || row.gone) {
    ctx.report.skipped.push({ eventId: slot.id, href: link.href, reason: 'the iCloud event was deleted; the change stays in the platform' });
    return done(slot.deleted);
  }
  if (calendar?.access !== 'writable') {
    ctx.report.skipped.push({ eventId: slot.id, href: link.href, reason: `"${calendar?.displayName ?? row.calendarUrl}" is read-only in iCloud: the change stays in the platform (I5)` });
    return done(slot.deleted);
  }
  let current = row;
  for (let attempt = 0; attempt < 3; attempt++) {
    const next = slot.deleted ? removeOccurrence(current.data, link.recurrenceKey, slot.updatedAt) : applySlotChange(current.data, link.recurrenceKey, slot, ctx.user.timeZone);
    if (next === null) {
      const outcome = await ctx.client.delete(current.href, current.etag);
      if (outcome !== 'precondition-failed') {
        ctx.platform.transaction(() => {
          state.saveObject({ ...current, gone: true });
          state.deleteLink(connection.id, link.href, link.recurrenceKey);
        });
        ctx.report.pushed.deleted++;
        return;
      }
    } else {
      const outcome = await ctx.client.put(current.href, next, { etag: current.etag ?? '*' });
      if (outcome.kind === 'written') {
        ctx.platform.transaction(() => {
          state.saveObject({ ...current, etag: outcome.etag, data: next, contentHash: contentHash(next), remoteModified: slot.updatedAt });
          if (slot.deleted) state.deleteLink(connection.id, link.href, link.recurrenceKey);
          else state.saveLink({ connectionId: connection.id, href: link.href, recurrenceKey: link.recurrenceKey, eventId: slot.id, syncedVersion: slot.version, suppressed: false });
        });
        ctx.report.pushed.updated++;
        return;
      }
    }
    // 412: iCloud changed the event meanwhile. D1 decides; a later iCloud edit is applied instead.
    const fresh = await ctx.client.get(current.href);
    if (!fresh) {
      ctx.platform.transaction(() => state.saveObject({ ...current, gone: true }));
      return done(slot.deleted);
    }
    const parsed = parseICalendar(fresh.data);
    if (iCloudWins(slot.updatedAt, remoteModified(parsed), ctx.clock.now())) {
      ctx.platform.transaction(() => {
        recordConflict(ctx, slot, current.href, 'icloud', remoteModified(parsed), { source: 'platform', deleted: slot.deleted, start: slot.start, end: slot.end, title: slot.title });
        // A deleted slot cannot come back: unlinking it lets the occurrence be materialised anew.
        if (slot.deleted) state.deleteLink(connection.id, link.href, link.recurrenceKey);
        else state.saveLink({ connectionId: connection.id, href: link.href, recurrenceKey: link.recurrenceKey, eventId: slot.id, syncedVersion: slot.version, suppressed: false });
        materialise(ctx, calendar, current.href, fresh.etag, fresh.data, parsed, contentHash(fresh.data));
      });
      return;
    }
    current = { ...current, etag: fresh.etag, data: fresh.data, contentHash: contentHash(fresh.data) };
  }
  throw new UnexpectedResponseError('PUT', row.href, 412, 'the event kept changing in iCloud; retrying next run');
}
