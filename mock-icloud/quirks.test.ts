import { describe, expect, it } from 'vitest';
import { DEFAULT_QUIRKS, parseQuirks, QUIRK_CHOICES } from './quirks.js';

describe('parseQuirks (the names --quirk, --quirks and QUIRKS take)', () => {
  it("[F81] takes name=choice, a two-way quirk's name alone, or a choice only one quirk has", () => {
    expect(parseQuirks(['recurrenceExpansion', 'expiredSyncToken=full-listing', 'icloud-500,refused'])).toEqual({
      recurrenceExpansion: 'expand',
      expiredSyncToken: 'full-listing',
      queryWithoutComponentFilter: 'icloud-500',
      fetchAcceptHeaders: 'refused',
    });
    expect(() => parseQuirks(['on'])).toThrow(/write name=choice/);
    expect(() => parseQuirks(['nonsense'])).toThrow(/unknown quirk "nonsense"; quirks: invalidSyncToken=bare-403\|precondition/);
    expect(() => parseQuirks(['dtstampAtRead=sometimes'])).toThrow(/not one of never, always/);
  });

  it('[F81] lists every quirk with its default first', () => {
    for (const [key, choices] of Object.entries(QUIRK_CHOICES)) expect(choices[0]).toBe(DEFAULT_QUIRKS[key as keyof typeof DEFAULT_QUIRKS]);
    expect(Object.keys(QUIRK_CHOICES).sort()).toEqual(Object.keys(DEFAULT_QUIRKS).sort());
  });
});
