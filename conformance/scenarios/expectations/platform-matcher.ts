/**
 * The platform event matcher `platform` and `notInPlatform` share: every field given must equal the
 * event's; the rest are free.
 */
import { z } from 'zod';
import { isoTime, key, whole } from '../args/vocabulary.js';
import type { DriverEvent } from '../../driver/driver.js';
import { need, userOf } from '../lookups.js';
import type { ScenarioRun } from '../run-state.js';
import { nearest, timeCloseness } from './nearest.js';

export const platformMatcher = z.strictObject({
  user: key('user'),
  event: key('event').optional().describe('the event by its key (book/blockTime `as`, nameSlot)'),
  kind: z.enum(['appointment', 'blocked']).optional(),
  title: z.string().optional(),
  start: isoTime.optional(),
  end: isoTime.optional(),
  allDay: z.boolean().optional(),
  busy: z.boolean().optional(),
  status: z.enum(['confirmed', 'cancelled']).optional(),
  origin: z.enum(['platform', 'icloud']).optional(),
  description: z.string().optional(),
  location: z.string().optional(),
  contacts: whole(0, 'number of contacts on the event').optional(),
  count: whole(0, 'how many events must match (default 1)').optional(),
});

export type PlatformMatcher = z.output<typeof platformMatcher>;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function describeEvent(e: DriverEvent) {
  return {
    kind: e.kind,
    title: e.title,
    start: iso(e.start),
    end: iso(e.end),
    allDay: e.allDay,
    busy: e.busy,
    status: e.status,
    origin: e.origin,
    contacts: e.contacts,
    ...(e.location ? { location: e.location } : {}),
    ...(e.description ? { description: e.description } : {}),
  };
}

/** Per field: does the event have what the matcher asks? */
function fieldChecks(m: PlatformMatcher, e: DriverEvent, eventId: string | undefined): boolean[] {
  return [
    eventId === undefined || e.id === eventId,
    m.kind === undefined || e.kind === m.kind,
    m.title === undefined || e.title === m.title,
    m.start === undefined || e.start === Date.parse(m.start),
    m.end === undefined || e.end === Date.parse(m.end),
    m.allDay === undefined || e.allDay === m.allDay,
    m.busy === undefined || e.busy === m.busy,
    m.status === undefined || e.status === m.status,
    m.origin === undefined || e.origin === m.origin,
    m.description === undefined || (e.description ?? '') === m.description,
    m.location === undefined || (e.location ?? '') === m.location,
    m.contacts === undefined || e.contacts === m.contacts,
  ];
}

export async function platformMatches(run: ScenarioRun, m: PlatformMatcher): Promise<{ matches: DriverEvent[]; nearest: ReturnType<typeof describeEvent>[] }> {
  const pool = await run.driver.events(userOf(run, m.user).id);
  const eventId = m.event === undefined ? undefined : need(run.events, m.event, 'event');
  const matches = pool.filter((e) => fieldChecks(m, e, eventId).every(Boolean));
  // Closest first: most fields right, then the nearest start.
  const wanted = m.start !== undefined ? Date.parse(m.start) : undefined;
  const score = (e: DriverEvent) => fieldChecks(m, e, eventId).filter(Boolean).length + (wanted === undefined ? 0 : timeCloseness(e.start, wanted));
  return { matches, nearest: nearest(pool, score).map(describeEvent) };
}
