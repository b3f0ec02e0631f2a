/**
 * A first sync brings in thousands of events nobody has seen: each would cost about ten statements
 * (and as many round trips to PostgreSQL) one at a time. The pull hands runs of such objects from
 * each downloaded page here, where a run is one transaction of a handful of multi-row statements
 * (createEvents, saveLinks, saveObjects). Everything else (an href or UID the connection knows, the
 * platform's own appointments, a UID listed twice) goes through applyRemoteObject one by one, in
 * listing order.
 *
 * What a batch writes is what applyRemoteObject writes for a new event: the role is 'follow' (a
 * conflict calendar, no followed copy, not an own appointment), the slots are newEventSlots', and
 * the row is the followed copy with its windowDue.
 *
 * Most objects a first sync meets are single events, read without ical.js (readSimpleEvent, which
 * answers only when its reading is the full path's); the rest are parsed in full.
 */
import { parseICalendar, readSimpleEvent, type ParsedCalendar } from '../../icalendar/index.js';
import type { RemoteObject } from '../caldav/client.js';
import type { RemoteCalendar, RemoteObjectRow } from '../state/sync-state.js';
import { contentHash } from './content-hash.js';
import type { RunContext } from './context.js';
import { eventIdFromUid } from './ics-writer.js';
import { linkToSlot, newEventSlots, singleEventSlots, slotOf, type NewEventSlots } from './occurrences.js';
import { simpleEventFields, simpleEventModified } from './remote-event.js';
import { factsOf, storedRow, type ObjectFacts } from './stored-object.js';

/**
 * New events written per transaction. Each write has a fixed cost (the ids and change numbers
 * taken, the records the batch names checked, the transaction itself: on PostgreSQL six round
 * trips) that a downloaded page of 100 repeated 100 times in a 10,000-event first sync.
 */
export const IMPORT_BATCH = 500;

export interface NewObject extends ObjectFacts, NewEventSlots {
  object: RemoteObject;
  hash: string;
}

/**
 * Which of `objects` (a listing's downloads) are events new to the connection, by href. `rows` are
 * the stored rows of the listed hrefs, read in bulk by the pull; `gathered` the UIDs of new events
 * from earlier pages not written yet, or being written (their UIDs are known already).
 */
export async function newEventsAmong(
  ctx: RunContext,
  calendar: RemoteCalendar,
  objects: readonly RemoteObject[],
  rows: ReadonlyMap<string, RemoteObjectRow>,
  gathered: ReadonlySet<string> = new Set(),
): Promise<Map<string, NewObject>> {
  const fresh = new Map<string, NewObject>();
  if (!calendar.isConflict) return fresh; // only conflict calendars bring new events in (D8)
  const byUid = new Map<string, NewObject[]>();
  for (const object of objects) {
    if (rows.has(object.href)) continue;
    const read = readNewEvent(ctx, object);
    if (!read || eventIdFromUid(read.uid) !== undefined) continue;
    const same = byUid.get(read.uid) ?? [];
    same.push(read);
    byUid.set(read.uid, same);
  }
  const imported = ctx.importedUids;
  const known = imported ? new Set([...byUid.keys()].filter((uid) => imported.has(uid))) : await ctx.state.knownUids(ctx.connection.id, [...byUid.keys()]);
  for (const [uid, same] of byUid) {
    // A UID listed twice in one calendar is one event in two objects: the per-object path decides.
    if (same.length === 1 && !known.has(uid) && !gathered.has(uid)) fresh.set(same[0]!.object.href, same[0]!);
  }
  return fresh;
}

/** What a new event becomes, or undefined when it is not an event (applyRemoteObject reports it). */
function readNewEvent(ctx: RunContext, object: RemoteObject): NewObject | undefined {
  const hash = contentHash(object.data);
  const simple = readSimpleEvent(object.data, ctx.user.timeZone);
  if (simple) {
    const slots = singleEventSlots(ctx, simple.instance, () => simpleEventFields(simple));
    return { object, hash, uid: simple.uid, remoteModified: simpleEventModified(simple), ...slots };
  }
  let parsed: ParsedCalendar;
  try {
    parsed = parseICalendar(object.data);
  } catch {
    return undefined;
  }
  if (parsed.componentType !== 'VEVENT') return undefined;
  return { object, hash, ...factsOf(parsed), ...newEventSlots(ctx, parsed) };
}

/**
 * Gathers a calendar's new events into batches of IMPORT_BATCH and writes each in its own
 * transaction while the pull goes on reading: the next pages are parsed while the database writes
 * a batch (a first sync's engine otherwise waited for the database for a third of its time).
 *
 * Two batches may be in flight: each write gets the write of the batch before it (`before`) and
 * awaits it before it takes its ids and change numbers (importNewEvents), so ids follow the
 * listing and a failed batch fails every batch after it. What a write does before that (a
 * batch's remote_objects rows, which take no counter) overlaps with the batch before it on
 * PostgreSQL; SQLite runs one transaction at a time anyway. Whatever else the pull writes waits
 * for `settled()` first, so the listing's order holds, and the sync token moves only once every
 * batch is written (D3).
 */
export class BatchImporter {
  private batch: NewObject[] = [];
  private readonly uids = new Set<string>();
  /** The last batch's write, and the one before it. */
  private writing: Promise<void> = Promise.resolve();
  private previous: Promise<void> = Promise.resolve();

  /** `write` is importNewEvents for the pull's calendar. */
  constructor(
    private readonly write: (batch: NewObject[], before: Promise<void>) => Promise<void>,
    private readonly size = IMPORT_BATCH,
  ) {}

  /** UIDs gathered or being written: not new again when another page lists them. */
  get gathered(): ReadonlySet<string> {
    return this.uids;
  }

  add(candidate: NewObject): void {
    this.batch.push(candidate);
    this.uids.add(candidate.uid);
    if (this.batch.length >= this.size) this.startWriting();
  }

  /** Writes what is gathered; answers once every batch is written, or with the first failure. */
  async settled(): Promise<void> {
    this.startWriting();
    await this.writing;
  }

  private startWriting(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    const before = this.writing;
    // Started once the batch two back is done: never more than two transactions open (each holds
    // a pooled connection). Once one failed, none after it is written.
    const write = this.previous.then(() => this.write(batch, before));
    this.previous = before;
    this.writing = write;
    // Read by settled() or the next write, maybe only after more pages: not an unhandled failure meanwhile.
    write.catch(() => undefined);
  }
}

/**
 * Imports a batch of new events in one transaction: their followed rows, slots and links. The rows
 * come first, then the slots' checks: neither takes a counter, so on PostgreSQL they are done
 * while the batch `before` this one still writes. Its ids and change numbers are taken only once
 * `before` is written (it holds the counters until it commits anyway): ids follow the listing,
 * and a failed batch before fails this one too.
 */
export async function importNewEvents(ctx: RunContext, calendar: RemoteCalendar, batch: readonly NewObject[], before: Promise<void> = Promise.resolve()): Promise<void> {
  if (batch.length === 0) return;
  await ctx.store.transaction(async () => {
    await ctx.state.saveObjects(batch.map((p) => storedRow(ctx, calendar, p.object, p, p.hash, { origin: 'icloud', followed: true, windowDue: p.windowDue })));
    const slots = await ctx.platform.createEvents(
      batch.flatMap((p) => p.slots.map((s) => slotOf(ctx, s.fields))),
      { countersAfter: before },
    );
    let next = 0;
    const links = batch.flatMap((p) => p.slots.map((s) => linkToSlot(ctx, p.uid, s.recurrenceKey, slots[next++]!)));
    await ctx.state.saveLinks(links);
  });
  for (const p of batch) ctx.importedUids?.add(p.uid);
  ctx.report.pulled.created += batch.length;
}
