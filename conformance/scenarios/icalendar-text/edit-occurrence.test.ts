import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../common/project-root.js';
import { expandInstances, parseICalendar } from '../../../icalendar/index.js';
import { editMaster } from './edit-master.js';
import { editOccurrence } from './edit-occurrence.js';
import { unfoldedLines, veventBlocks } from './vevents.js';

const STANDUP = readFileSync(join(projectRoot(), 'fixtures/ics/alice/weekly-standup.ics'), 'utf8');
const PICK_JOHN = readFileSync(join(projectRoot(), 'fixtures/ics/alice/pick-john-from-school.ics'), 'utf8');
const vevents = (ics: string) => {
  const lines = unfoldedLines(ics);
  return veventBlocks(lines).map((b) => lines.slice(b.from, b.to));
};

describe('editOccurrence (icloud.change with recurrenceId)', () => {
  it('adds an override copied from the master, at the occurrence, keeping the master and the other override unchanged', () => {
    const out = editOccurrence(STANDUP, { recurrenceId: '20261130T090000', set: { SUMMARY: 'Stand-up at the café', 'LAST-MODIFIED': '20261121T090000Z' }, remove: [] });
    const [master, moved, added] = vevents(out);
    expect(vevents(STANDUP).slice(0, 2)).toEqual([master, moved]);
    expect(added).toContain('RECURRENCE-ID;TZID=Europe/London:20261130T090000'); // local time: the master's zone
    expect(added).toContain('DTSTART;TZID=Europe/London:20261130T090000');
    expect(added).toContain('DTEND;TZID=Europe/London:20261130T093000'); // the master's 30 minutes
    expect(added).toContain('SUMMARY:Stand-up at the café');
    expect(added).toContain('LOCATION:Studio 2');
    expect(added).toContain('LAST-MODIFIED:20261121T090000Z');
    expect(added.filter((l) => /^(RRULE|EXDATE|RDATE)[;:]/.test(l))).toEqual([]);
    expect(added.filter((l) => l.startsWith('DTSTART'))).toHaveLength(1);
    expect(added).toContain('BEGIN:VALARM');
  });

  it('changes the override already there for that occurrence instead of adding a second', () => {
    const out = editOccurrence(STANDUP, { recurrenceId: '20261102T090000', set: { SUMMARY: 'Stand-up (Tuesday, room 3)' }, remove: ['LOCATION'] });
    const all = vevents(out);
    expect(all).toHaveLength(2);
    expect(all[1]).toContain('SUMMARY:Stand-up (Tuesday, room 3)');
    expect(all[1]).toContain('DTSTART;TZID=Europe/London:20261103T103000'); // its own moved time stays
    expect(all[1].some((l) => l.startsWith('LOCATION'))).toBe(false);
    expect(all[0]).toContain('LOCATION:Studio 2'); // remove touched the override only
  });

  it('writes RANGE=THISANDFUTURE, UTC and explicit-zone occurrence ids as given', () => {
    const future = vevents(editOccurrence(STANDUP, { recurrenceId: '20261207T090000Z', thisAndFuture: true, set: {}, remove: [] }))[2];
    expect(future).toContain('RECURRENCE-ID;RANGE=THISANDFUTURE:20261207T090000Z');
    expect(future).toContain('DTSTART:20261207T090000Z');
    expect(future).toContain('DTEND:20261207T093000Z');
    const zoned = vevents(editOccurrence(STANDUP, { recurrenceId: 'TZID=Europe/London:20261214T090000', set: { 'DTSTART;TZID=Europe/London': '20261214T100000' }, remove: [] }))[2];
    expect(zoned).toContain('RECURRENCE-ID;TZID=Europe/London:20261214T090000');
    expect(zoned.filter((l) => l.startsWith('DTSTART'))).toEqual(['DTSTART;TZID=Europe/London:20261214T100000']);
  });

  it("gives a series whose expansion has the changed occurrence in place of the rule's one", () => {
    const out = editOccurrence(STANDUP, {
      recurrenceId: '20261130T090000',
      set: { SUMMARY: 'Moved', 'DTSTART;TZID=Europe/London': '20261130T140000', 'DTEND;TZID=Europe/London': '20261130T150000' },
      remove: [],
    });
    const week = expandInstances(parseICalendar(out), { start: Date.parse('2026-11-30T00:00:00Z'), end: Date.parse('2026-12-01T00:00:00Z') });
    expect(week.map((i) => [new Date(i.start).toISOString(), i.summary])).toEqual([['2026-11-30T14:00:00.000Z', 'Moved']]);
  });

  it('refuses an occurrence of an event that does not recur, and text that is no date', () => {
    expect(() => editOccurrence(PICK_JOHN, { recurrenceId: '20261124T151500', set: {}, remove: [] })).toThrow(/not recurring/);
    expect(() => editOccurrence(STANDUP, { recurrenceId: '2026-11-30T09:00:00Z', set: {}, remove: [] })).toThrow(/not an iCalendar date/);
  });
});

describe('editMaster (icloud.change without recurrenceId)', () => {
  it('changes the master only, replacing a property whatever its parameters', () => {
    const out = editMaster(STANDUP, { 'DTSTART;TZID=Europe/London': '20261005T080000', SUMMARY: 'Early stand-up' }, ['LOCATION']);
    const [master, moved] = vevents(out);
    expect(master.filter((l) => l.startsWith('DTSTART'))).toEqual(['DTSTART;TZID=Europe/London:20261005T080000']);
    expect(master).toContain('SUMMARY:Early stand-up');
    expect(master.some((l) => l.startsWith('LOCATION'))).toBe(false);
    expect(moved).toEqual(vevents(STANDUP)[1]);
    expect(master.filter((l) => l.startsWith('DESCRIPTION'))).toEqual(['DESCRIPTION:Reminder']); // the VALARM's, untouched
  });
});
