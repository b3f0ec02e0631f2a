/**
 * iCloud → platform (RULES.md I1–I5, A1–A4, D1, D2, D5, D6).
 *
 * Per conflict calendar: the changes since the stored sync token (RFC 6578, following 507 pages);
 * if iCloud refuses the token, a fresh full listing compared by etag. Changed objects are fetched
 * with multiget and applied one by one, each in its own transaction. The token is stored only after
 * every change was applied, so a run killed half-way repeats work instead of losing it (D3).
 *
 * - An iCloud event becomes blocked slots (one per occurrence in the window), never an appointment,
 *   and never a contact (I1, I2). FREE (TRANSPARENT) events are fetched but do not block (A2).
 * - An object the platform wrote is recognised by its UID and not imported again (D2); iCloud's
 *   changes to it are applied to the appointment (I3), with D1 when both sides changed.
 * - A deletion in iCloud changes nothing in the platform (I4); neither does an absent, truncated or
 *   failed listing (D6). An event moving out of the window is updated, not deleted (D5).
 */
import { expandInstances, MAX_TIME, MIN_TIME, parseICalendar, type ParsedCalendar } from '../../icalendar/index.js';
import { InvalidSyncTokenError } from '../caldav/errors.js';
import type { RemoteObject, RemoteRef } from '../caldav/client.js';
import type { PlatformEvent } from '../platform/model.js';
import type { RemoteCalendar, RemoteObjectRow } from '../state/sync-state.js';
import { iCloudWins, recordConflict } from './conflicts.js';
import { contentHash } from './content-hash.js';
import type { RunContext } from './context.js';
import { eventIdFromUid } from './ics-writer.js';
import { fieldsOf, isRecurring, remoteModified, sameFields, singleInstance, type RemoteFields } from './remote-event.js';

export async function pullCalendar(ctx: RunContext, calendar: RemoteCalendar): Promise<void> {
  const { changed, deleted, token } = await fetchChanges(ctx, calendar);
  const known = (href: string) => ctx.state.getObject(ctx.connection.id, href);
  const toFetch = changed.filter((ref) => {
    const row = known(ref.href);
    // iCloud may drop a token and list everything again: unchanged etags need no download.
    if (row && !row.gone && ref.etag !== undefined && row.etag === ref.etag) {
      ctx.report.pulled.unchanged++;
      return false;
    }
    return true;
  });
  let complete = true;
  if (toFetch.length > 0) {
    const objects = await ctx.client.multiget(calendar.url, toFetch.map((r) => r.href));
    for (const ref of toFetch) {
      const object = objects.get(ref.href);
      if (!object) {
        // Listed but not readable yet (iCloud's eventual consistency): keep the old token and retry.
        complete = false;
        ctx.report.skipped.push({ href: ref.href, reason: 'listed by iCloud but not readable yet; it will be fetched on the next run' });
        continue;
      }
      applyRemoteObject(ctx, calendar, object);
    }
  }
  ctx.platform.transaction(() => {
    for (const href of deleted) {
      const row = known(href);
      if (row && !row.gone) {
        ctx.state.saveObject({ ...row, gone: true }); // I4: remembered, never propagated
        ctx.report.pulled.remoteDeletionsKept++;
      }
    }
    if (complete) ctx.state.setSyncToken(ctx.connection.id, calendar.url, token);
  });
  refreshWindow(ctx, calendar);
}

async function fetchChanges(ctx: RunContext, calendar: RemoteCalendar): Promise<{ changed: RemoteRef[]; deleted: string[]; token: string }> {
  let token: string | null = calendar.syncToken ?? null;
  const changed = new Map<string, RemoteRef>();
  const deleted = new Set<string>();
  for (let pages = 0; ; pages++) {
    let page;
    try {
      page = await ctx.client.syncChanges(calendar.url, token);
    } catch (error) {
      if (!(error instanceof InvalidSyncTokenError) || token === null) throw error;
      // D6: a refused token means "list everything again", never "everything was deleted".
      ctx.report.fullResyncs.push(calendar.url);
      token = null;
      changed.clear();
      deleted.clear();
      continue;
    }
    for (const ref of page.changed) {
      deleted.delete(ref.href);
      changed.set(ref.href, ref);
    }
    for (const href of page.deleted) {
      changed.delete(href);
      deleted.add(href);
    }
    token = page.token;
    if (!page.truncated) return { changed: [...changed.values()], deleted: [...deleted], token };
    if (pages > 10_000) throw new Error(`iCloud kept truncating the changes of ${calendar.url}; giving up for this run`);
  }
}

/** Applies one fetched object in one transaction. */
export function applyRemoteObject(ctx: RunContext, calendar: RemoteCalendar, object: RemoteObject): void {
  let parsed: ParsedCalendar;
  try {
    parsed = parseICalendar(object.data);
  } catch (error) {
    ctx.report.skipped.push({ href: object.href, reason: `iCloud holds an event this sync cannot read: ${(error as Error).message}` });
    return;
  }
  if (parsed.componentType !== 'VEVENT') return;
  const hash = contentHash(object.data);
  ctx.platform.transaction(() => {
    const row = ctx.state.getObject(ctx.connection.id, object.href);
    if (row && row.contentHash === hash && !row.gone) {
      ctx.state.saveObject({ ...row, etag: object.etag, data: object.data });
      if (row.origin === 'platform') ctx.report.pulled.echoesIgnored++;
      else ctx.report.pulled.unchanged++;
      return;
    }
    const platformEventId = row?.origin === 'platform' ? row.eventId : ownEvent(ctx, parsed.uid);
    if (platformEventId) reconcilePlatformEvent(ctx, calendar, object, parsed, hash, row, platformEventId);
    else materialise(ctx, calendar, object.href, object.etag, object.data, parsed, hash);
  });
}

/** D2: an event this platform wrote (deterministic UID) for this user. */
function ownEvent(ctx: RunContext, uid: string): string | undefined {
  const id = eventIdFromUid(uid);
  const event = id ? ctx.platform.getEvent(id) : undefined;
  return event && event.userIds.includes(ctx.user.id) ? event.id : undefined;
}

export function eventFields(e: PlatformEvent): RemoteFields {
  return { title: e.title, description: e.description, location: e.location, start: e.start, end: e.end, allDay: e.allDay, busy: e.busy, status: e.status };
}

/** I3 + D1 for an appointment the platform pushed: apply iCloud's edit unless the platform's is later. */
function reconcilePlatformEvent(ctx: RunContext, calendar: RemoteCalendar, object: RemoteObject, parsed: ParsedCalendar, hash: string, row: RemoteObjectRow | undefined, eventId: string): void {
  const event = ctx.platform.getEvent(eventId)!;
  const instance = singleInstance(parsed, ctx.user.timeZone);
  const modified = remoteModified(parsed);
  const base: RemoteObjectRow = {
    connectionId: ctx.connection.id,
    href: object.href,
    calendarUrl: calendar.url,
    uid: parsed.uid,
    etag: object.etag,
    data: object.data,
    contentHash: hash,
    origin: 'platform',
    eventId,
    pushedVersion: row?.pushedVersion ?? 0, // adopted without a record (a run killed after its PUT): push it again
    remoteModified: modified,
    gone: false,
  };
  if (!row) {
    ctx.state.saveObject(base);
    ctx.report.pulled.echoesIgnored++;
    return;
  }
  if (!instance) {
    ctx.state.saveObject(base);
    return;
  }
  const remote = fieldsOf(instance, parsed);
  const platformChanged = event.version !== row.pushedVersion;
  if (sameFields(remote, eventFields(event))) {
    // iCloud already shows the platform's current version (e.g. written by a run killed before it
    // could record that): nothing is left to push.
    ctx.state.saveObject({ ...base, pushedVersion: event.deleted ? row.pushedVersion : event.version });
    return;
  }
  if (event.deleted) {
    // The platform removed it; the push step deletes it in iCloud with this fresh etag.
    recordConflict(ctx, event, object.href, 'platform', modified, { source: 'icloud', ...remote });
    ctx.state.saveObject(base);
    return;
  }
  if (platformChanged && !iCloudWins(event.updatedAt, modified, ctx.clock.now())) {
    recordConflict(ctx, event, object.href, 'platform', modified, { source: 'icloud', ...remote });
    ctx.state.saveObject(base); // keep the platform's version; push writes it over iCloud's with this etag
    return;
  }
  if (platformChanged) recordConflict(ctx, event, object.href, 'icloud', modified, { source: 'platform', ...eventFields(event) });
  const updated = ctx.platform.updateEvent(eventId, { ...remote, updatedAt: ctx.clock.now() });
  ctx.state.saveObject({ ...base, pushedVersion: updated.version });
  ctx.report.pulled.updated++;
}

/**
 * An iCloud event as blocked slots: one per occurrence in the window (a single event: its one
 * instance, wherever it moved). Occurrences removed by EXDATE, cancellation or a shorter rule stop
 * blocking (A4): their slots are deleted. Past occurrences leaving the window are kept (D5).
 */
export function materialise(ctx: RunContext, calendar: RemoteCalendar, href: string, etag: string | undefined, data: string, parsed: ParsedCalendar, hash: string, counted = true): void {
  const { connection, platform, state, user, window } = ctx;
  const modified = remoteModified(parsed);
  const recurring = isRecurring(parsed);
  const links = new Map(state.linksOf(connection.id, href).map((l) => [l.recurrenceKey, l]));
  const instances = recurring ? expandInstances(parsed, window, { defaultZone: user.timeZone }) : [singleInstance(parsed, user.timeZone)].filter((i) => i !== undefined);
  const seen = new Set<string>();
  let created = 0;
  let updated = 0;
  for (const instance of instances) {
    const key = instance.recurrenceId ?? '';
    seen.add(key);
    const fields = fieldsOf(instance, parsed);
    const link = links.get(key);
    if (!link) {
      if (fields.status === 'cancelled') continue;
      if (!recurring && !(instance.start < window.end && instance.end > window.start)) continue; // D5: not fetched
      const slot = platform.createEvent({
        subAccountId: connection.subAccountId,
        kind: 'blocked', // I1: never an appointment
        origin: 'icloud',
        userIds: [user.id],
        contactIds: [], // I2: organizer and attendees never become contacts
        title: fields.title,
        description: fields.description,
        location: fields.location,
        start: fields.start,
        end: fields.end,
        allDay: fields.allDay,
        busy: fields.busy,
        updatedAt: ctx.clock.now(),
      });
      state.saveLink({ connectionId: connection.id, href, recurrenceKey: key, eventId: slot.id, syncedVersion: slot.version, suppressed: false });
      created++;
      continue;
    }
    if (link.suppressed) continue;
    const slot = platform.getEvent(link.eventId);
    if (!slot || slot.deleted) continue; // deleted in the platform: the push step reflects that (I5)
    if (sameFields(fields, eventFields(slot))) {
      // iCloud already shows the slot as the platform has it (perhaps written by a killed run).
      if (slot.version !== link.syncedVersion) state.saveLink({ ...link, syncedVersion: slot.version });
      continue;
    }
    if (slot.version !== link.syncedVersion && !iCloudWins(slot.updatedAt, modified, ctx.clock.now())) {
      recordConflict(ctx, slot, href, 'platform', modified, { source: 'icloud', recurrenceKey: key, ...fields });
      continue;
    }
    if (slot.version !== link.syncedVersion) recordConflict(ctx, slot, href, 'icloud', modified, { source: 'platform', recurrenceKey: key, ...eventFields(slot) });
    const next = platform.updateEvent(slot.id, { ...fields, updatedAt: ctx.clock.now() });
    state.saveLink({ ...link, syncedVersion: next.version });
    updated++;
  }
  for (const [key, link] of links) {
    if (seen.has(key)) continue;
    const slot = platform.getEvent(link.eventId);
    if (!slot || slot.deleted) {
      state.deleteLink(connection.id, href, key);
      continue;
    }
    const moved = recurring ? findOccurrence(parsed, key, user.timeZone) : undefined;
    if (moved) {
      // An override moved this occurrence out of the window: a change, not a deletion (D5).
      const fields = fieldsOf(moved, parsed);
      if (!sameFields(fields, eventFields(slot))) {
        const next = platform.updateEvent(slot.id, { ...fields, updatedAt: ctx.clock.now() });
        state.saveLink({ ...link, syncedVersion: next.version });
        updated++;
      }
    } else if (slot.start >= window.start) {
      // No longer an occurrence (EXDATE, cancelled, shorter rule): it stops blocking (A4).
      platform.deleteEvent(slot.id, ctx.clock.now());
      state.deleteLink(connection.id, href, key);
      updated++;
    }
  }
  const row = state.getObject(connection.id, href);
  state.saveObject({
    connectionId: connection.id,
    href,
    calendarUrl: calendar.url,
    uid: parsed.uid,
    etag,
    data,
    contentHash: hash,
    origin: 'icloud',
    remoteModified: modified,
    gone: false,
    // Only recurring events depend on the window; single ones are never re-expanded.
    windowStart: recurring ? window.start : undefined,
    windowEnd: recurring ? window.end : undefined,
  });
  if (!counted) return;
  if (!row) ctx.report.pulled.created += created > 0 || instances.length === 0 ? 1 : 0;
  else if (created + updated > 0) ctx.report.pulled.updated++;
  else ctx.report.pulled.unchanged++;
}

function findOccurrence(parsed: ParsedCalendar, key: string, zone: string) {
  if (!parsed.overrides.length) return undefined;
  return expandInstances(parsed, { start: MIN_TIME, end: MAX_TIME }, { defaultZone: zone }).find((i) => i.recurrenceId === key && !i.cancelled);
}

/** D5: the window moved (daily): re-expand recurring iCloud events from what is stored, no network. */
function refreshWindow(ctx: RunContext, calendar: RemoteCalendar): void {
  for (const row of ctx.state.objectsOutsideWindow(ctx.connection.id, calendar.url, ctx.window)) {
    let parsed: ParsedCalendar;
    try {
      parsed = parseICalendar(row.data);
    } catch {
      continue;
    }
    ctx.platform.transaction(() => materialise(ctx, calendar, row.href, row.etag, row.data, parsed, row.contentHash, false));
  }
}
