/**
 * The platform's field rules that need no stored record: names, instants, time zones and working
 * hours, with the defaults a new user or calendar takes. PlatformService (platform-service.ts)
 * applies them; they are exported for callers that check input before it reaches the platform.
 */
import type { WorkingHours } from './model.js';
import { PlatformError } from './store.js';

export const DEFAULT_WORKING_HOURS: WorkingHours = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };
export const DEFAULT_SLOT_MINUTES = 30;

/** True if Intl knows the IANA zone. */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Minutes since local midnight of `HH:MM` (`24:00` allowed when `allowMidnightEnd`), or undefined. */
export function parseHourMinute(value: string, allowMidnightEnd = false): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (allowMidnightEnd && value === '24:00') return 24 * 60;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Throws PlatformError 'invalid' unless the working hours are well formed. */
export function validateWorkingHours(wh: WorkingHours): void {
  const example = `for example { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }`;
  if (!wh || !Array.isArray(wh.days) || wh.days.length === 0) {
    throw new PlatformError('invalid', `Working hours need at least one day: give ISO weekdays 1 (Monday) to 7 (Sunday), ${example}.`);
  }
  for (const d of wh.days) {
    if (!Number.isInteger(d) || d < 1 || d > 7) {
      throw new PlatformError('invalid', `Working day ${String(d)} is not an ISO weekday: use 1 (Monday) to 7 (Sunday).`);
    }
  }
  if (new Set(wh.days).size !== wh.days.length) throw new PlatformError('invalid', `Working days ${JSON.stringify(wh.days)} repeat a day: list each weekday once.`);
  const start = parseHourMinute(wh.start);
  const end = parseHourMinute(wh.end, true);
  if (start === undefined) throw new PlatformError('invalid', `Working hours start '${String(wh.start)}' is not a local time: use HH:MM (00:00–23:59), ${example}.`);
  if (end === undefined) throw new PlatformError('invalid', `Working hours end '${String(wh.end)}' is not a local time: use HH:MM (00:01–24:00), ${example}.`);
  if (end <= start) throw new PlatformError('invalid', `Working hours end ${wh.end} must be after start ${wh.start} (same day, local time).`);
}

/** The name, unless it is missing or blank ('invalid'). */
export function requireName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new PlatformError('invalid', `${what} needs a non-empty name.`);
  return value;
}

/** The instant, unless it is not whole epoch milliseconds ('invalid'). */
export function requireInstant(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new PlatformError('invalid', `${what} must be an instant in epoch milliseconds (an integer), got ${String(value)}.`);
  }
  return value;
}
