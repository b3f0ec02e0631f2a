/**
 * The sync window (RULES.md D5): events from 30 days back to 365 days ahead, both configurable.
 * Bounds are whole UTC days, so the window moves once a day and recurring events are re-expanded
 * daily rather than on every poll.
 */
export interface WindowConfig {
  pastDays: number;
  futureDays: number;
}

export const DEFAULT_WINDOW: WindowConfig = { pastDays: 30, futureDays: 365 };
const DAY = 86_400_000;

export function syncWindow(now: number, config: WindowConfig = DEFAULT_WINDOW): { start: number; end: number } {
  const today = Math.floor(now / DAY) * DAY;
  return { start: today - config.pastDays * DAY, end: today + (config.futureDays + 1) * DAY };
}
