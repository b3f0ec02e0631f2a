/**
 * An iCloud event as blocked slots (RULES.md I1, A1–A4, D1, D5, D6, D9): one slot per occurrence
 * in the window, linked by (UID, recurrence key), so the same event seen in several calendars
 * gives one slot per occurrence, never one per calendar.
 *
 * - A single event has one occurrence (key ''), followed wherever it moves in time.
 * - A recurring event is expanded in the window, in its own time zone, with its overrides.
 * - An occurrence removed by EXDATE, cancellation or a shorter rule stops blocking (A4): its slot is
 *   deleted. One leaving the window at the back keeps its slot (D6).
 * - A series whose anchor (DTSTART) moved was re-timed as a whole: its slots move with it,
 *   occurrence by occurrence, even beyond the window (D6), instead of being deleted and recreated.
 * - D1 is decided per occurrence: an occurrence counts as changed in iCloud only if its own fields
 *   differ from what the previous copy showed for it.
 * - Occurrences beyond the window are materialised when the window reaches them: the caller
 *   stores `windowDue`, the window end at which that happens (D5).
 */
import { expandInstances, MAX_TIME, MIN_TIME, type Instance, type ParsedCalendar } from '../../icalendar/index.js';
import type { PlatformEvent } from '../platform/model.js';
import type { NewEvent } from '../platform/store.js';
import type { InstanceLink } from '../state/sync-state.js';
import { iCloudWins, recordConflict } from './conflicts.js';
import type { RunContext } from './context.js';
import { fieldsOf, isRecurring, occurrenceModified, sameFields, seriesAnchor, singleInstance, type RemoteFields } from './remote-event.js';

export interface OccurrenceSource {
  uid: string;
  href: string;
  parsed: ParsedCalendar;
  /** What the engine knew of this event before (for per-occurrence change detection). */
  previous?: ParsedCalendar;
  /** The occurrence a booking itself shows: never a blocked slot (D7). */
  skipKey?: string;
}

export interface Materialised {
  created: number;
  updated: number;
  /** The window end past which the event has occurrences not materialised yet. */
  windowDue?: number;
}

export function slotFields(e: PlatformEvent): RemoteFields {
  return { title: e.title, description: e.description, location: e.location, start: e.start, end: e.end, allDay: e.allDay, busy: e.busy, status: e.status };
}

export async function materialiseOccurrences(ctx: RunContext, source: OccurrenceSource): Promise<Materialised> {
  const { state, connection } = ctx;
  const { parsed, previous, skipKey } = source;
  const result: Materialised = { created: 0, updated: 0 };
  const links = new Map((await state.linksOf(connection.id, source.uid)).map((l) => [l.recurrenceKey, l]));
  const recurring = isRecurring(parsed);

  const current = instancesOf(ctx, parsed, recurring);
  const before = new Map<string, RemoteFields>();
  if (previous) {
    for (const i of instancesOf(ctx, previous, isRecurring(previous))) before.set(i.recurrenceId ?? '', fieldsOf(i, previous));
  }

  const fresh: Instance[] = [];
  const seen = new Set<string>();
  for (const instance of current) {
    const key = instance.recurrenceId ?? '';
    if (key === skipKey) continue;
    seen.add(key);
    const link = links.get(key);
    if (link) await applyToLink(ctx, source, link, instance, before.get(key), result);
    else if (!instance.cancelled) fresh.push(instance);
  }

  const orphans = [...links.values()].filter((l) => !seen.has(l.recurrenceKey) && l.recurrenceKey !== skipKey);
  const anchorMoved = recurring && previous !== undefined && isRecurring(previous) && seriesAnchor(previous) !== seriesAnchor(parsed);
  if (anchorMoved && orphans.length > 0) await retime(ctx, source, orphans, fresh, result);

  for (const instance of fresh) {
    if (!slotDueNow(ctx, instance, recurring)) continue;
    await createSlot(ctx, source.uid, instance.recurrenceId ?? '', fieldsOf(instance, parsed));
    result.created++;
  }
  for (const link of orphans) await removeOrKeep(ctx, source, link, recurring, result);

  result.windowDue = nextDue(ctx, parsed, recurring, links, skipKey);
  return result;
}

/**
 * What an event never seen before becomes (no slots yet, no previous copy): the occurrences that
 * get a slot now, and windowDue. The bulk import (bulk-import.ts) writes many of these at once;
 * materialiseOccurrences reaches the same answer one event at a time.
 */
export function newEventSlots(ctx: RunContext, parsed: ParsedCalendar): NewEventSlots {
  const recurring = isRecurring(parsed);
  if (!recurring) {
    const only = singleInstance(parsed, ctx.user.timeZone);
    return singleEventSlots(ctx, only, () => fieldsOf(only!, parsed));
  }
  const instances = instancesOf(ctx, parsed, recurring);
  const slots = instances.filter((i) => !i.cancelled && slotDueNow(ctx, i, recurring)).map((i) => ({ recurrenceKey: i.recurrenceId ?? '', fields: fieldsOf(i, parsed) }));
  return { slots, windowDue: nextDue(ctx, parsed, recurring, new Map(), undefined) };
}

export interface NewEventSlots {
  slots: { recurrenceKey: string; fields: RemoteFields }[];
  windowDue?: number;
}

/**
 * newEventSlots for a single event, from its one occurrence: a slot if the window holds it (D5),
 * else windowDue when it lies ahead. The simple-event reading (bulk-import.ts) comes here too.
 */
export function singleEventSlots(ctx: RunContext, only: Instance | undefined, fields: () => RemoteFields): NewEventSlots {
  if (!only || only.cancelled) return { slots: [] };
  const slots = slotDueNow(ctx, only, false) ? [{ recurrenceKey: '', fields: fields() }] : [];
  return only.start >= ctx.window.end ? { slots, windowDue: only.start } : { slots };
}

/** A recurring event's occurrences in the window; a single event's one occurrence wherever it lies. */
function instancesOf(ctx: RunContext, parsed: ParsedCalendar, recurring: boolean): Instance[] {
  const zone = ctx.user.timeZone;
  return recurring ? expandInstances(parsed, ctx.window, { defaultZone: zone }) : [singleInstance(parsed, zone)].filter((i): i is Instance => i !== undefined);
}

/** Whether a new occurrence gets its slot now: a single event only inside the window (D5); windowDue covers the rest. */
function slotDueNow(ctx: RunContext, instance: Instance, recurring: boolean): boolean {
  return recurring || (instance.end > ctx.window.start && instance.start < ctx.window.end);
}

/** One occurrence that already has a slot: D1 per occurrence, then iCloud's fields applied. */
async function applyToLink(ctx: RunContext, source: OccurrenceSource, link: InstanceLink, instance: Instance, before: RemoteFields | undefined, result: Materialised): Promise<void> {
  if (link.suppressed) return;
  const { platform, state } = ctx;
  const fields = fieldsOf(instance, source.parsed);
  const slot = await platform.getEvent(link.eventId);
  const icloudChanged = before === undefined || !sameFields(before, fields);
  const modified = occurrenceModified(instance, source.parsed);
  if (!slot) {
    await state.deleteLink(ctx.connection.id, source.uid, link.recurrenceKey);
    if (!instance.cancelled) {
      await createSlot(ctx, source.uid, link.recurrenceKey, fields);
      result.created++;
    }
    return;
  }
  if (slot.deleted) {
    if (!icloudChanged) return; // the push step removes it from iCloud (I5)
    if (iCloudWins(slot.updatedAt, modified, ctx.clock.now())) {
      // D1: a slot deleted in the platform loses to a later iPhone edit of its occurrence.
      await recordConflict(ctx, slot, source.href, 'icloud', modified, { source: 'platform', deleted: true, recurrenceKey: link.recurrenceKey, ...slotFields(slot) });
      if (!instance.cancelled) {
        await createSlot(ctx, source.uid, link.recurrenceKey, fields);
        result.created++;
      } else await state.deleteLink(ctx.connection.id, source.uid, link.recurrenceKey);
    } else {
      await recordConflict(ctx, slot, source.href, 'platform', modified, { source: 'icloud', recurrenceKey: link.recurrenceKey, ...fields });
    }
    return;
  }
  if (sameFields(fields, slotFields(slot))) {
    // iCloud already shows the slot as the platform has it (perhaps written by a killed run).
    if (slot.version !== link.syncedVersion) await state.saveLink({ ...link, syncedVersion: slot.version });
    return;
  }
  const platformChanged = slot.version !== link.syncedVersion;
  if (platformChanged && !icloudChanged) return; // only the platform changed it: the push writes it back (I5)
  if (platformChanged && !iCloudWins(slot.updatedAt, modified, ctx.clock.now())) {
    await recordConflict(ctx, slot, source.href, 'platform', modified, { source: 'icloud', recurrenceKey: link.recurrenceKey, ...fields });
    return;
  }
  if (platformChanged) await recordConflict(ctx, slot, source.href, 'icloud', modified, { source: 'platform', recurrenceKey: link.recurrenceKey, ...slotFields(slot) });
  const next = await platform.updateEvent(slot.id, { ...fields, updatedAt: ctx.clock.now() });
  ctx.ownWrites.set(next.id, next.version);
  await state.saveLink({ ...link, syncedVersion: next.version });
  result.updated++;
}

/**
 * The whole series moved (its DTSTART changed, so every recurrence key changed): the slots move
 * with it in order, first onto new occurrences in the window, then onto those beyond it (D6).
 */
async function retime(ctx: RunContext, source: OccurrenceSource, orphans: InstanceLink[], fresh: Instance[], result: Materialised): Promise<void> {
  const { platform, state, connection } = ctx;
  const starts = new Map<string, number>();
  for (const l of orphans) starts.set(l.eventId, (await platform.getEvent(l.eventId))?.start ?? Number.MAX_SAFE_INTEGER);
  orphans.sort((a, b) => starts.get(a.eventId)! - starts.get(b.eventId)!);
  const targets = [...fresh];
  fresh.length = 0;
  const missing = orphans.length - targets.length;
  if (missing > 0) {
    const later = expandInstances(source.parsed, { start: ctx.window.end, end: MAX_TIME }, { defaultZone: ctx.user.timeZone, maxInstances: missing + 1 });
    targets.push(...later.filter((i) => i.start >= ctx.window.end && !i.cancelled && i.recurrenceId !== source.skipKey).slice(0, missing));
  }
  const paired = Math.min(orphans.length, targets.length);
  for (let i = 0; i < paired; i++) {
    const link = orphans[i]!;
    const target = targets[i]!;
    const slot = await platform.getEvent(link.eventId);
    await state.deleteLink(connection.id, source.uid, link.recurrenceKey);
    const key = target.recurrenceId ?? '';
    if (!slot || slot.deleted) {
      await createSlot(ctx, source.uid, key, fieldsOf(target, source.parsed));
      result.created++;
      continue;
    }
    const next = await platform.updateEvent(slot.id, { ...fieldsOf(target, source.parsed), updatedAt: ctx.clock.now() });
    ctx.ownWrites.set(next.id, next.version);
    await state.saveLink({ ...link, recurrenceKey: key, syncedVersion: next.version });
    result.updated++;
  }
  fresh.push(...targets.slice(paired).filter((i) => i.start < ctx.window.end));
  orphans.splice(0, paired);
}

/** An occurrence no longer in the window: moved beyond it (kept, D6) or removed (A4). */
async function removeOrKeep(ctx: RunContext, source: OccurrenceSource, link: InstanceLink, recurring: boolean, result: Materialised): Promise<void> {
  const { platform, state, connection } = ctx;
  const slot = await platform.getEvent(link.eventId);
  if (!slot || slot.deleted) {
    await state.deleteLink(connection.id, source.uid, link.recurrenceKey);
    return;
  }
  const moved = recurring ? findOccurrence(source.parsed, link.recurrenceKey, ctx.user.timeZone) : undefined;
  if (moved) {
    // An override moved this occurrence out of the window: a change, not a deletion (D6).
    const fields = fieldsOf(moved, source.parsed);
    if (!sameFields(fields, slotFields(slot))) {
      const next = await platform.updateEvent(slot.id, { ...fields, updatedAt: ctx.clock.now() });
      ctx.ownWrites.set(next.id, next.version);
      await state.saveLink({ ...link, syncedVersion: next.version });
      result.updated++;
    }
  } else if (slot.start >= ctx.window.start) {
    // No longer an occurrence (EXDATE, cancelled, shorter rule): it stops blocking (A4).
    const gone = await platform.deleteEvent(slot.id, ctx.clock.now());
    ctx.ownWrites.set(gone.id, gone.version);
    await state.deleteLink(connection.id, source.uid, link.recurrenceKey);
    result.updated++;
  }
}

function findOccurrence(parsed: ParsedCalendar, key: string, zone: string): Instance | undefined {
  if (!parsed.overrides.length) return undefined;
  return expandInstances(parsed, { start: MIN_TIME, end: MAX_TIME }, { defaultZone: zone }).find((i) => i.recurrenceId === key && !i.cancelled);
}

/** The blocked slot of one iCloud occurrence (I1: never an appointment; I2: no contacts). */
export function slotOf(ctx: RunContext, fields: RemoteFields): NewEvent {
  return { subAccountId: ctx.connection.subAccountId, kind: 'blocked', origin: 'icloud', userIds: [ctx.user.id], contactIds: [], ...fields, updatedAt: ctx.clock.now() };
}

/** The link from (UID, occurrence) to the slot just written, which the push passes over (ownWrites). */
export function linkToSlot(ctx: RunContext, uid: string, recurrenceKey: string, slot: PlatformEvent): InstanceLink {
  ctx.ownWrites.set(slot.id, slot.version);
  return { connectionId: ctx.connection.id, uid, recurrenceKey, eventId: slot.id, syncedVersion: slot.version, suppressed: false };
}

async function createSlot(ctx: RunContext, uid: string, recurrenceKey: string, fields: RemoteFields): Promise<PlatformEvent> {
  const slot = await ctx.platform.createEvent(slotOf(ctx, fields));
  await ctx.state.saveLink(linkToSlot(ctx, uid, recurrenceKey, slot));
  return slot;
}

/** The window end at which this event next has an occurrence without a slot (D5). */
function nextDue(ctx: RunContext, parsed: ParsedCalendar, recurring: boolean, links: Map<string, InstanceLink>, skipKey: string | undefined): number | undefined {
  if (!recurring) {
    const only = singleInstance(parsed, ctx.user.timeZone);
    return only && !only.cancelled && only.start >= ctx.window.end && !links.has('') ? only.start : undefined;
  }
  const next = expandInstances(parsed, { start: ctx.window.end, end: MAX_TIME }, { defaultZone: ctx.user.timeZone, maxInstances: 4 }).find(
    (i) => i.start >= ctx.window.end && !i.cancelled && i.recurrenceId !== skipKey,
  );
  return next?.start;
}
