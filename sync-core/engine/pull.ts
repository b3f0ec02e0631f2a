/**
 * iCloud → platform (RULES.md I1–I5, A1–A4, D1, D2, D5, D6, D8, D9).
 *
 * One pull reads every calendar that matters to the connection: the conflict calendars (every
 * event there blocks time) and each calendar holding a followed copy (only those copies: a booking
 * written to a former linked calendar or moved on the iPhone is still followed, D8). Per calendar:
 *
 *  1. list the changes since its stored sync token (RFC 6578, following 507 pages); a refused
 *     token means a fresh full listing compared by etag, never deletion (D6);
 *  2. download what changed (multiget, page by page) and apply it: events new to the connection
 *     a page at a time (bulk-import.ts), anything else in its own transaction; a copy of an
 *     event already followed elsewhere is remembered as a copy (D8, D9), and one of an event whose
 *     followed copy vanished takes over from it (a move, not an I4 deletion plus a new event);
 *  3. apply the deletions: a vanished followed copy hands over to a known copy, or is looked for
 *     by UID in the account's other calendars; found nowhere, it was deleted in iCloud and changes
 *     nothing in the platform (I4);
 *  4. store the sync token, only now, so a run killed half-way repeats work instead of losing it (D3).
 *
 * Then the window: events whose next occurrence the window now reaches are materialised from what
 * is stored, without the network (D5).
 */
import { parseICalendar, type ParsedCalendar } from '../../icalendar/index.js';
import { InvalidSyncTokenError, UnexpectedResponseError } from '../caldav/errors.js';
import type { RemoteObject, RemoteRef } from '../caldav/client.js';
import type { CalendarForRun, RemoteCalendar, RemoteObjectRow } from '../state/sync-state.js';
import { BatchImporter, importNewEvents, newEventsAmong } from './bulk-import.js';
import { contentHash } from './content-hash.js';
import type { RunContext } from './context.js';
import { findMovedCopy, ownAppointmentId, roleOfNewCopy } from './identity.js';
import { materialiseOccurrences } from './occurrences.js';
import { extraOccurrences, reconcileOwnCopy } from './own-copy.js';
import { factsOf, parseStored, storedRow } from './stored-object.js';
import { singleInstance } from './remote-event.js';

interface Listing {
  calendar: RemoteCalendar;
  changed: RemoteRef[];
  deleted: string[];
  token: string;
  /** Everything the calendar holds (no token, or one iCloud refused), not changes since a token. */
  full: boolean;
  /** The changed hrefs whose content must be downloaded, in listing order. */
  toFetch: string[];
  /** The stored rows of the changed hrefs, read before anything was applied. */
  rows: Map<string, RemoteObjectRow>;
}

export async function pullAll(ctx: RunContext, calendars: CalendarForRun[]): Promise<void> {
  for (const calendar of calendars.filter((c) => c.isConflict || c.holdsFollowed)) {
    try {
      await pullCalendar(ctx, calendar);
    } catch (error) {
      if (!(error instanceof UnexpectedResponseError)) throw error;
      ctx.report.errors.push({ phase: 'pull', calendarUrl: calendar.url, message: error.message });
    }
  }
  await refreshWindow(ctx);
}

/**
 * One calendar, in an order that keeps moves recognisable and a killed run repeatable: changes
 * first (a copy arriving here of an event followed elsewhere is remembered as a copy), then
 * deletions (a vanished followed copy hands over to a known copy, or is looked for by UID), and
 * the sync token last, only when all of it is done (D3).
 */
async function pullCalendar(ctx: RunContext, calendar: CalendarForRun): Promise<void> {
  const listing = await readCalendar(ctx, calendar);
  let complete = true;
  // Page by page as the downloads arrive (the next already requested): events new to the
  // connection are gathered across pages and written a batch at a time while the next pages are
  // read (BatchImporter), the rest one by one; what is gathered is written before anything else
  // is, so the order of the listing holds.
  const importer = new BatchImporter((batch, before) => importNewEvents(ctx, calendar, batch, before));
  try {
    for await (const page of ctx.client.multigetPages(calendar.url, listing.toFetch)) {
      const objects: RemoteObject[] = [];
      for (const [href, object] of page) {
        if (object) objects.push(object);
        else {
          // Listed but not readable yet (iCloud's eventual consistency): keep the old token and retry.
          complete = false;
          ctx.report.skipped.push({ href, reason: 'listed by iCloud but not readable yet; it will be fetched on the next run' });
        }
      }
      const fresh = await newEventsAmong(ctx, calendar, objects, listing.rows, importer.gathered);
      for (const object of objects) {
        const candidate = fresh.get(object.href);
        if (candidate) {
          importer.add(candidate);
          continue;
        }
        await importer.settled();
        await applyRemoteObject(ctx, calendar, object);
      }
    }
  } finally {
    // Written, or failed, before the pull goes on or gives up: never left running behind it.
    await importer.settled();
  }
  // A copy the engine created after the token and the listing does not show was created and
  // deleted in between, which RFC 6578 lets a server leave out of the answer.
  const listed = new Set([...listing.changed.map((r) => r.href), ...listing.deleted]);
  // After a full listing (a first read, or a token iCloud refused), a followed copy it does not
  // show has vanished: looked for elsewhere, then kept as deleted in iCloud; nothing is removed (D6).
  // While all the connection holds is what this run imported (a first sync), every copy here came
  // from this listing: there is nothing to look for.
  const suspects = ctx.importedUids
    ? []
    : listing.full
      ? await ctx.state.followedHrefsIn(ctx.connection.id, calendar.url)
      : calendar.holdsUnconfirmed
        ? await ctx.state.unconfirmedIn(ctx.connection.id, calendar.url)
        : [];
  const unseen = suspects.filter((href) => !listed.has(href));
  for (const href of [...listing.deleted, ...unseen]) await applyDeletion(ctx, href);
  if (complete && listing.token !== calendar.syncToken) await ctx.state.setSyncToken(ctx.connection.id, calendar.url, listing.token);
}

/** iCloud lists `href` as deleted: a copy seen elsewhere is forgotten; the followed copy may have moved. */
async function applyDeletion(ctx: RunContext, href: string): Promise<void> {
  ctx.importedUids = undefined; // what the connection knows is no longer only what the bulk import wrote
  const { state, connection } = ctx;
  const row = await state.getObject(connection.id, href);
  if (!row) return;
  if (!row.followed) {
    await state.deleteObject(connection.id, href);
    return;
  }
  const wasGone = row.gone;
  if (!wasGone) await state.saveObject({ ...row, gone: true });
  // A copy of the event already known in another calendar: the event moved there.
  const calendars = await state.listRemoteCalendars(connection.id);
  for (const copy of await state.copiesOf(connection.id, row.uid)) {
    const calendar = calendars.find((c) => c.url === copy.calendarUrl);
    if (calendar && (await roleOfNewCopy(ctx, calendar, row.uid, { ...row, gone: true })) === 'take-over') {
      await applyRemoteObject(ctx, calendar, { href: copy.href, etag: copy.etag, data: copy.data }, { force: true });
      return;
    }
  }
  const moved = await findMovedCopy(ctx, row);
  if (moved) await applyRemoteObject(ctx, moved.calendar, moved.object);
  else if (!wasGone) ctx.report.pulled.remoteDeletionsKept++; // I4: remembered, never propagated
}

/** Step 1 for one calendar: what changed, and which of it must be downloaded. */
async function readCalendar(ctx: RunContext, calendar: RemoteCalendar): Promise<Listing> {
  let answer = await listedWithRows(ctx, calendar, calendar.syncToken ?? null);
  if (!answer.full && (await looksLikeFullListing(ctx, calendar, answer))) {
    // iCloud may drop a token silently and answer with every member, deletions unsaid
    // (python-caldav#122): listed again from scratch, what vanished is seen as after a refused
    // token (D6). A wrong guess costs one listing, never a deletion.
    ctx.report.fullResyncs.push(calendar.url);
    answer = await listedWithRows(ctx, calendar, null);
  }
  const { changed, rows } = answer;
  const confirmed: RemoteObjectRow[] = [];
  const toFetch = changed.filter((ref) => {
    const row = rows.get(ref.href);
    // iCloud may drop a token and list everything again: unchanged etags need no download.
    if (row && isUnchanged(ref, row)) {
      ctx.report.pulled.unchanged++;
      if (row.unconfirmed) confirmed.push(row);
      return false;
    }
    // Outside the conflict calendars only copies the engine already follows are read (D8); a
    // copy moved into such a calendar is found by its UID (identity.ts).
    return calendar.isConflict || row !== undefined;
  });
  await ctx.state.saveObjects(confirmed.map((row) => ({ ...row, unconfirmed: false })));
  return { ...answer, calendar, toFetch: toFetch.map((r) => r.href) };
}

/**
 * fetchChanges' answer, with the stored rows of the hrefs it lists (read in one statement). While
 * all the connection holds is what this run imported (a first sync), it holds nothing of a
 * calendar not pulled yet (an href belongs to one calendar), and the read is left out: on
 * PostgreSQL it was a 10,000-value lookup on the first sync's path, finding nothing.
 */
async function listedWithRows(ctx: RunContext, calendar: RemoteCalendar, from: string | null) {
  const listed = await fetchChanges(ctx, calendar, from);
  const rows = ctx.importedUids
    ? new Map<string, RemoteObjectRow>()
    : await ctx.state.objectsByHref(
        ctx.connection.id,
        listed.changed.map((r) => r.href),
      );
  return { ...listed, rows };
}

/** A listed href whose stored copy is live with the etag listed: nothing to download. */
function isUnchanged(ref: RemoteRef, row: RemoteObjectRow): boolean {
  return !row.gone && ref.etag !== undefined && row.etag === ref.etag;
}

/**
 * Whether an answer to "what changed since the token" looks like every member instead: it lists,
 * with the etags the engine holds, at least half of the copies it follows in the calendar. A real
 * change list repeats an unchanged etag only for the engine's own writes (their etags are stored
 * as written), so this costs a read only when two or more such entries come back.
 */
async function looksLikeFullListing(ctx: RunContext, calendar: RemoteCalendar, { changed, rows }: { changed: RemoteRef[]; rows: ReadonlyMap<string, RemoteObjectRow> }): Promise<boolean> {
  let unchanged = 0;
  for (const ref of changed) {
    const row = rows.get(ref.href);
    if (row?.followed && isUnchanged(ref, row)) unchanged++;
  }
  if (unchanged < 2) return false;
  return unchanged * 2 >= (await ctx.state.followedHrefsIn(ctx.connection.id, calendar.url)).length;
}

/** The changes since `from` (null: every member), following truncated pages; a refused token lists everything (D6). */
async function fetchChanges(ctx: RunContext, calendar: RemoteCalendar, from: string | null): Promise<{ changed: RemoteRef[]; deleted: string[]; token: string; full: boolean }> {
  let token: string | null = from;
  let full = token === null;
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
      full = true;
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
    if (!page.truncated) return { changed: [...changed.values()], deleted: [...deleted], token, full };
    if (pages > 10_000) throw new Error(`iCloud kept truncating the changes of ${calendar.url}; giving up for this run`);
  }
}

/**
 * Applies one fetched object in one transaction: as the followed copy of its UID (a booking's own
 * copy, or an iCloud event's slots), or remembered as a copy seen elsewhere.
 */
export async function applyRemoteObject(ctx: RunContext, calendar: RemoteCalendar, object: RemoteObject, options: { force?: boolean } = {}): Promise<void> {
  ctx.importedUids = undefined; // what the connection knows is no longer only what the bulk import wrote
  let parsed: ParsedCalendar;
  try {
    parsed = parseICalendar(object.data);
  } catch (error) {
    ctx.report.skipped.push({ href: object.href, reason: `iCloud holds an event this sync cannot read: ${(error as Error).message}` });
    return;
  }
  if (parsed.componentType !== 'VEVENT') return;
  const hash = contentHash(object.data);
  await ctx.store.transaction(async () => {
    const { state, connection } = ctx;
    const row = await state.getObject(connection.id, object.href);
    // Unchanged content of the followed copy: nothing to decide. (A copy seen elsewhere still goes
    // through the role decision: the copy it follows may be gone, and then this one takes over.)
    if (row && row.followed && row.contentHash === hash && !row.gone && !options.force) {
      await state.saveObject({ ...row, etag: object.etag, data: object.data, unconfirmed: false });
      if (row.origin === 'platform') ctx.report.pulled.echoesIgnored++;
      else ctx.report.pulled.unchanged++;
      return;
    }
    let previous: RemoteObjectRow | undefined;
    if (row?.followed) previous = row;
    else {
      const followed = await state.followedObject(connection.id, parsed.uid);
      const role = await roleOfNewCopy(ctx, calendar, parsed.uid, followed);
      if (role === 'ignore') return;
      if (role === 'copy') {
        // D8/D9: the same event in another calendar: recognised, never imported twice.
        await state.saveObject(await asCopy(ctx, calendar, object, parsed, hash, row));
        return;
      }
      if (role === 'take-over' && followed) {
        // A move: the copy that vanished lives on here, with its appointment or its slots.
        await state.deleteObject(connection.id, followed.href);
        previous = followed;
      }
    }
    const eventId = previous?.origin === 'platform' ? previous.eventId : await ownAppointmentId(ctx, parsed.uid);
    const event = eventId ? await ctx.platform.getEvent(eventId) : undefined;
    if (event) {
      const outcome = await reconcileOwnCopy(ctx, calendar, object, parsed, hash, previous, event);
      if (outcome === 'updated') ctx.report.pulled.updated++;
      else if (outcome === 'echo') ctx.report.pulled.echoesIgnored++;
      return;
    }
    await importEvent(ctx, calendar, object, parsed, hash, previous);
  });
}

/** An iCloud event as blocked slots (occurrences.ts), and its row as the followed copy. */
async function importEvent(ctx: RunContext, calendar: RemoteCalendar, object: RemoteObject, parsed: ParsedCalendar, hash: string, previous: RemoteObjectRow | undefined): Promise<void> {
  const result = await materialiseOccurrences(ctx, { uid: parsed.uid, href: object.href, parsed, previous: parseStored(previous?.data) });
  await ctx.state.saveObject(storedRow(ctx, calendar, object, factsOf(parsed), hash, { origin: 'icloud', followed: true, windowDue: result.windowDue }));
  if (!previous) ctx.report.pulled.created++;
  else if (result.created + result.updated > 0) ctx.report.pulled.updated++;
  else ctx.report.pulled.unchanged++;
}

async function asCopy(ctx: RunContext, calendar: RemoteCalendar, object: RemoteObject, parsed: ParsedCalendar, hash: string, row: RemoteObjectRow | undefined): Promise<RemoteObjectRow> {
  const eventId = await ownAppointmentId(ctx, parsed.uid);
  return storedRow(ctx, calendar, object, factsOf(parsed), hash, { origin: eventId ? 'platform' : 'icloud', eventId, pushedVersion: row?.pushedVersion, followed: false });
}

/** D5: events whose next occurrence the window has reached, materialised from what is stored. */
async function refreshWindow(ctx: RunContext): Promise<void> {
  // What this run's pull stored was materialised up to this window's end: never due in it.
  if (!ctx.plan.objectsDue) return;
  for (const row of await ctx.state.objectsDue(ctx.connection.id, ctx.window.end)) {
    const parsed = parseStored(row.data);
    if (!parsed) continue;
    await ctx.store.transaction(async () => {
      // Stored data, unchanged: only occurrences the window newly reaches are added.
      const windowDue =
        row.origin === 'platform'
          ? await extraOccurrences(ctx, row, parsed, parsed, singleInstance(parsed, ctx.user.timeZone)?.recurrenceId)
          : (await materialiseOccurrences(ctx, { uid: row.uid, href: row.href, parsed, previous: parsed })).windowDue;
      await ctx.state.saveObject({ ...row, windowDue });
    });
  }
}
