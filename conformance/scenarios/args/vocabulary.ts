/**
 * The argument types scenario steps and matchers share, as zod schemas. Each carries a
 * description (it goes into the JSON Schema editors show) and a message QA can act on.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

/** A short name the scenario gave a user, contact, calendar, event or snapshot. */
export const key = (what: string) => z.string().min(1, `name a ${what} by its key`).describe(`${what} key`);

/** Text that YAML may have read as a number (`name: 2026`, `password: 1234`). */
export const text = (description: string) => z.union([z.string(), z.number()]).transform(String).describe(description);

export const isoTime = z
  .string({ error: 'not an ISO time (such as 2026-11-24T15:00:00Z)' })
  .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), 'not an ISO time (such as 2026-11-24T15:00:00Z)')
  .describe('ISO 8601 time, e.g. 2026-11-24T15:00:00Z');

export const durationText = z
  .string({ error: 'not a duration like 90m, 2h or 40d' })
  .refine((s) => parseDuration(s) !== undefined, 'not a duration like 90m, 2h, 40d or 1d12h')
  .describe('a duration: 90m, 2h, 40d, 1d12h');

export const appleId = z.string().min(1).describe('Apple ID of a mock account, e.g. alice@example.com');

/** A whole number of at least `min`. */
export const whole = (min: number, description: string) => z.number().int(`must be a whole number`).min(min, `must be at least ${min}`).describe(description);

/**
 * One item or a list of them (`at: 2026-…` or `at: [2026-…, …]`): the list is what the code gets.
 * The JSON Schema shows the list; the single item is a convenience of the YAML.
 */
export const oneOrMany = <T extends z.ZodType>(item: T) => z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(item));

/** Properties to set in a VEVENT: `SUMMARY: …`, `"DTSTART;TZID=Europe/London": 20261124T143000`. */
export const icalProperties = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9-]*(;.+)?$/, 'not an iCalendar property name'), z.union([z.string(), z.number()]).transform(String));
