/**
 * The calendar-type registry is where types come from: each policy has its own type and name, the
 * iCloud-sync set is T1's, and the scenario vocabulary the conformance protocol speaks (kept free of
 * sync-core on purpose, so other engines can use it) names the same types.
 */
import { describe, expect, it } from 'vitest';
import { CALENDAR_TYPES as PROTOCOL_TYPES } from '../../../conformance/driver/driver.js';
import { CALENDAR_TYPE_POLICIES, CALENDAR_TYPES, ICLOUD_SYNC_TYPES, policyOf } from './index.js';

describe('calendar types', () => {
  it('one policy per type, T1 types sync with iCloud, T2 types do not', () => {
    expect(new Set(CALENDAR_TYPES).size).toBe(CALENDAR_TYPE_POLICIES.length);
    expect([...ICLOUD_SYNC_TYPES].sort()).toEqual(['class_booking', 'collective', 'round_robin', 'service']);
    expect(policyOf('simple').syncsWithICloud).toBe(false);
    expect(() => policyOf('webinar')).toThrow(/no calendar type 'webinar'/);
  });

  it('the conformance vocabulary names the same types', () => {
    expect([...PROTOCOL_TYPES].sort()).toEqual([...CALENDAR_TYPES].sort());
  });
});
