/**
 * The calendar types, one policy each (policy.ts). The list of types, which of them sync with
 * iCloud (T1/T2), the database's CHECK constraint and the scenario schema all come from here.
 */
import { classBooking } from './class-booking.js';
import { collective } from './collective.js';
import { event } from './event.js';
import type { CalendarTypePolicy } from './policy.js';
import { roundRobin } from './round-robin.js';
import { service } from './service.js';
import { simple } from './simple.js';

export const CALENDAR_TYPE_POLICIES = [roundRobin, collective, classBooking, service, simple, event] as const;

export type CalendarType = (typeof CALENDAR_TYPE_POLICIES)[number]['type'];

export const CALENDAR_TYPES: readonly CalendarType[] = CALENDAR_TYPE_POLICIES.map((p) => p.type);
/** T1: the types whose bookings sync with iCloud. */
export const ICLOUD_SYNC_TYPES: readonly CalendarType[] = CALENDAR_TYPE_POLICIES.filter((p) => p.syncsWithICloud).map((p) => p.type);

const BY_TYPE = new Map<string, CalendarTypePolicy>(CALENDAR_TYPE_POLICIES.map((p) => [p.type, p]));

export function policyOf(type: string): CalendarTypePolicy {
  const policy = BY_TYPE.get(type);
  if (!policy) throw new Error(`no calendar type '${type}'`);
  return policy;
}
