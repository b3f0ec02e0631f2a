/**
 * The `given:` block as a zod schema: the clock, the iCloud world, and the platform side (sub-
 * accounts with users, contacts and booking calendars under short keys). Strict everywhere, so
 * `timezone` for `timeZone` fails the load instead of leaving a user in UTC.
 */
import { z } from 'zod';
import { CALENDAR_TYPES } from '../driver/driver.js';
import { isoTime, key, whole } from './args/vocabulary.js';

export const DEFAULT_NOW = '2026-11-21T09:00:00Z';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time such as 09:00');

const user = z.strictObject({
  name: z.string(),
  email: z.string(),
  timeZone: z.string().describe('IANA zone, e.g. Europe/London'),
  workingHours: z.strictObject({ days: z.array(z.number().int().min(1).max(7)).describe('ISO weekdays, 1 = Monday'), start: hhmm, end: hhmm }).optional(),
});

const contact = z.strictObject({ name: z.string(), email: z.string().optional() });

const calendar = z.strictObject({
  name: z.string(),
  type: z.enum(CALENDAR_TYPES),
  members: z.array(key('user')).default([]),
  slotMinutes: whole(1, 'slot length in minutes').optional(),
  capacity: whole(1, 'places in a class').optional(),
});

const subAccount = z.strictObject({
  name: z.string(),
  users: z.record(z.string(), user).default({}),
  contacts: z.record(z.string(), contact).default({}),
  calendars: z.record(z.string(), calendar).default({}),
});

export const givenSchema = z.strictObject({
  now: isoTime.default(DEFAULT_NOW),
  icloud: z
    .union([z.string(), z.record(z.string(), z.unknown())], { error: 'a world file (relative to the scenario) or an inline world' })
    .describe('the iCloud side: a world file relative to the scenario, or a world inline (see World files)'),
  platform: z.strictObject({ subAccounts: z.array(subAccount).default([]) }).default({ subAccounts: [] }),
  window: z.strictObject({ pastDays: whole(0, 'days before now the engine reads'), futureDays: whole(0, 'days after now') }).optional(),
});
