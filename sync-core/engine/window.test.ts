import { describe, expect, it } from 'vitest';
import { iCloudWins } from './conflicts.js';
import { syncWindow } from './window.js';

describe('syncWindow (D5)', () => {
  it('runs from 30 days back to 365 days ahead, in whole days, and is configurable', () => {
    const now = Date.parse('2026-11-21T09:30:00Z');
    const w = syncWindow(now);
    expect(new Date(w.start).toISOString()).toBe('2026-10-22T00:00:00.000Z');
    expect(new Date(w.end).toISOString()).toBe('2027-11-22T00:00:00.000Z');
    expect(syncWindow(now + 3_600_000)).toEqual(w); // moves once a day, not on every poll
    const narrow = syncWindow(now, { pastDays: 1, futureDays: 7 });
    expect(new Date(narrow.start).toISOString()).toBe('2026-11-20T00:00:00.000Z');
    expect(new Date(narrow.end).toISOString()).toBe('2026-11-29T00:00:00.000Z');
  });
});

describe('iCloudWins (D1)', () => {
  it('picks the later change, iCloud on a tie, and uses the observation time without LAST-MODIFIED', () => {
    expect(iCloudWins(1000, 2000, 0)).toBe(true);
    expect(iCloudWins(2000, 1000, 0)).toBe(false);
    expect(iCloudWins(1000, 1000, 0)).toBe(true);
    expect(iCloudWins(1000, undefined, 5000)).toBe(true);
  });
});
