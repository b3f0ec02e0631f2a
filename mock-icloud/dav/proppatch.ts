/**
 * PROPPATCH (RFC 4918 §9.2) of a calendar's display name, colour, order, description and time zone.
 *
 * The update is atomic: if any property cannot be set, none is, and the others report
 * `424 Failed Dependency`. On a share or subscription the name and colour are the viewer's own
 * (as Apple's sharing model has it), so even a read-only sharee may set them.
 */
import { LIMITS } from '../http/body.js';
import { badRequest } from '../http/errors.js';
import { APPLE, CALDAV, DAV, type QName } from '../../common/xml/names.js';
import { child } from '../../common/xml/parse.js';
import { el } from '../xml/write.js';
import type { DavContext } from './context.js';
import { response, sendMultistatus } from './multistatus.js';
import { isKnownZone } from './calendar-object.js';
import { parseXmlBody, requireExisting } from './shared.js';

const COLOR = /^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$/;

interface Change {
  name: QName;
  value: string | undefined; // undefined = remove
}

export async function handleProppatch(ctx: DavContext): Promise<void> {
  const target = requireExisting(ctx.resource);
  const root = parseXmlBody(await ctx.body(LIMITS.xmlBytes), DAV('propertyupdate'));
  const changes: Change[] = [];
  for (const op of root.children) {
    if (op.name !== DAV('set') && op.name !== DAV('remove')) throw badRequest(`unexpected <${op.local}> in propertyupdate`);
    for (const p of child(op, DAV('prop'))?.children ?? []) changes.push({ name: p.name, value: op.name === DAV('set') ? p.text : undefined });
  }
  if (changes.length === 0) throw badRequest('propertyupdate sets or removes no property');

  const refusals = new Map<QName, string>();
  for (const change of changes) {
    const why = refusal(change, target.kind, target.kind === 'calendar' && target.view.entry.kind === 'owned');
    if (why) refusals.set(change.name, why);
  }
  if (refusals.size === 0) apply(changes, ctx);
  const ok = refusals.size === 0;
  await sendMultistatus(ctx.res, [
    response(target.href, [
      { status: 200, props: ok ? changes.map((c) => el(c.name)) : [] },
      { status: 403, props: [...refusals.keys()].map((n) => el(n)) },
      { status: 424, props: ok ? [] : changes.filter((c) => !refusals.has(c.name)).map((c) => el(c.name)) },
    ]),
  ]);
}

function refusal(change: Change, kind: string, owned: boolean): string | undefined {
  if (kind !== 'calendar' && kind !== 'subscribed') return 'only calendar properties can be changed';
  switch (change.name) {
    case DAV('displayname'):
      return change.value !== undefined && change.value.trim() === '' ? 'displayname cannot be empty' : undefined;
    case APPLE('calendar-color'):
      return change.value !== undefined && !COLOR.test(change.value.trim()) ? 'calendar-color must be #RRGGBB or #RRGGBBAA' : undefined;
    case APPLE('calendar-order'):
      return change.value !== undefined && !/^\d+$/.test(change.value.trim()) ? 'calendar-order must be a whole number' : undefined;
    case CALDAV('calendar-description'):
      return owned ? undefined : 'only the owner can change the description';
    case CALDAV('calendar-timezone'):
      if (!owned) return 'only the owner can change the time zone';
      return change.value === undefined || timezoneOf(change.value) ? undefined : 'calendar-timezone must be a VCALENDAR whose VTIMEZONE names a known zone';
    default:
      return 'property is protected or not supported';
  }
}

function apply(changes: Change[], ctx: DavContext): void {
  const patch: { displayName?: string; color?: string; order?: number; description?: string; timezone?: string } = {};
  for (const { name, value } of changes) {
    const v = value?.trim();
    if (name === DAV('displayname')) patch.displayName = v;
    // Stored as written: vdirsyncer's live-iCloud test writes #ff0000 and reads #ff0000 back (issue 11).
    else if (name === APPLE('calendar-color')) patch.color = v;
    else if (name === APPLE('calendar-order')) patch.order = v === undefined ? undefined : Number(v);
    else if (name === CALDAV('calendar-description')) patch.description = value;
    else if (name === CALDAV('calendar-timezone')) patch.timezone = value === undefined ? undefined : timezoneOf(value);
  }
  const target = ctx.resource;
  if (target.kind === 'calendar' && target.view.entry.kind === 'owned') ctx.store.updateCalendar(target.view.calendar, patch);
  else if (target.kind === 'calendar' || target.kind === 'subscribed') {
    const name = target.kind === 'calendar' ? target.view.entry.name : target.entry.name;
    ctx.store.updateHomeEntry(target.account.dsid, name, patch);
  }
}

/** The zone a calendar-timezone value names (its VTIMEZONE's TZID), when the mock knows it. */
function timezoneOf(value: string): string | undefined {
  const tzid = /^TZID:(.+)$/m.exec(value.replace(/\r/g, ''))?.[1].trim();
  return tzid && isKnownZone(tzid) ? tzid : undefined;
}
