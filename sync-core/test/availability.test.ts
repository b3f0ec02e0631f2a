/**
 * Availability after sync: RULES.md A1–A4.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../platform/store.js';
import { at, connectAlice, createWorld, iphoneEvent, type TestWorld } from './world.js';

let w: TestWorld;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

const free = async (startIso: string, endIso: string) => (await w.core.freeSlots(w.alice.id, { start: at(startIso), end: at(endIso) }, 30)).map((s) => new Date(s.start).toISOString());

describe('A1, A2: busy events block, free events do not', () => {
  it('removes the slots a busy iCloud event covers', async () => {
    const connection = await connectAlice(w);
    w.mock.control.putEvent('alice@example.com', 'home', { ics: iphoneEvent('BUSY-1', '20261202T100000Z', '20261202T110000Z') });
    expect(await free('2026-12-02T09:00:00Z', '2026-12-02T12:00:00Z')).toContain('2026-12-02T10:00:00.000Z');
    await w.core.sync(connection.id);
    const slots = await free('2026-12-02T09:00:00Z', '2026-12-02T12:00:00Z');
    expect(slots).not.toContain('2026-12-02T10:00:00.000Z');
    expect(slots).not.toContain('2026-12-02T10:30:00.000Z');
    expect(slots).toContain('2026-12-02T11:00:00.000Z');
  });

  it('fetches a FREE (TRANSPARENT) event but leaves the time open', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const focus = (await w.core.platform.listEventsForUser(w.alice.id, { start: at('2026-11-26T00:00:00Z'), end: at('2026-11-27T00:00:00Z') })).find((e) => e.title.startsWith('Focus time'))!;
    expect(focus).toMatchObject({ kind: 'blocked', busy: false });
    expect(await free('2026-11-26T14:00:00Z', '2026-11-26T16:00:00Z')).toEqual(['2026-11-26T14:00:00.000Z', '2026-11-26T14:30:00.000Z', '2026-11-26T15:00:00.000Z', '2026-11-26T15:30:00.000Z']);
  });
});

describe('A3: no double booking', () => {
  it('refuses a booking that overlaps a busy iCloud event', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    await expect(w.core.book({ calendarId: w.calendars.service.id, start: at('2026-11-24T15:30:00Z'), contactId: w.contactId })).rejects.toThrow(PlatformError);
    try {
      await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-11-24T15:30:00Z'), contactId: w.contactId });
    } catch (error) {
      expect((error as PlatformError).code).toBe('slot-unavailable');
    }
  });

  it('gives a Round Robin slot to another free member', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const booked = await w.core.book({ calendarId: w.calendars.roundRobin.id, start: at('2026-11-24T15:30:00Z'), contactId: w.contactId });
    expect(booked.userIds).toEqual([w.bob.id]);
  });

  it('refuses a Collective slot when one member is busy in iCloud', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    await expect(w.core.book({ calendarId: w.calendars.collective.id, start: at('2026-11-24T15:30:00Z'), contactId: w.contactId })).rejects.toThrow(/busy|not free|unavailable/i);
    const ok = await w.core.book({ calendarId: w.calendars.collective.id, start: at('2026-11-24T11:00:00Z'), contactId: w.contactId });
    expect(ok.userIds.sort()).toEqual([w.alice.id, w.bob.id].sort());
  });

  it('does not offer a slot a busy iCloud event covers on the calendar either', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const offered = (await w.core.calendarFreeSlots(w.calendars.service.id, { start: at('2026-11-24T15:00:00Z'), end: at('2026-11-24T16:30:00Z') })).map((s) => new Date(s.start).toISOString());
    expect(offered).toEqual(['2026-11-24T16:00:00.000Z']); // 15:15–16:00 is taken by "Pick John from school"
  });
});

describe('A4: recurrence, time zones and all-day events', () => {
  it('blocks every weekly occurrence at 09:00 London time across the daylight-saving change', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    // 09:00 London is 09:00Z in GMT (until 28 March 2027) and 08:00Z in BST (from then on).
    expect(await free('2026-12-07T08:00:00Z', '2026-12-07T10:00:00Z')).not.toContain('2026-12-07T09:00:00.000Z');
    expect(await free('2026-12-07T08:00:00Z', '2026-12-07T10:00:00Z')).toContain('2026-12-07T09:30:00.000Z');
    expect(await free('2027-03-22T08:00:00Z', '2027-03-22T10:00:00Z')).not.toContain('2027-03-22T09:00:00.000Z'); // last GMT Monday
    expect(await free('2027-03-29T07:00:00Z', '2027-03-29T10:00:00Z')).not.toContain('2027-03-29T08:00:00.000Z'); // first BST Monday…
    expect(await free('2027-03-29T07:00:00Z', '2027-03-29T10:00:00Z')).toContain('2027-03-29T09:00:00.000Z'); // …no longer at 09:00Z
  });

  it('leaves the excluded occurrence free and blocks the moved one at its new time', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    expect(await free('2026-12-21T09:00:00Z', '2026-12-21T10:00:00Z')).toContain('2026-12-21T09:00:00.000Z'); // EXDATE
    expect(await free('2026-11-02T09:00:00Z', '2026-11-02T10:00:00Z')).toContain('2026-11-02T09:00:00.000Z'); // moved away…
    expect(await free('2026-11-03T10:30:00Z', '2026-11-03T11:00:00Z')).toEqual([]); // …to Tuesday 10:30
  });

  it('stops blocking an occurrence cancelled later on the iPhone', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const standup = w.mock.control.listEvents('alice@example.com', 'home').find((e) => e.uid === '6B2F0C1E-4D3A-4E8B-9C71-2A5D8E0F3B41')!;
    w.mock.control.putEvent('alice@example.com', 'home', {
      name: standup.name,
      ics: standup.data.replace('EXDATE;TZID=Europe/London:20261221T090000', 'EXDATE;TZID=Europe/London:20261221T090000,20261214T090000'),
    });
    await w.core.sync(connection.id);
    expect(await free('2026-12-14T09:00:00Z', '2026-12-14T10:00:00Z')).toContain('2026-12-14T09:00:00.000Z');
  });

  it("does not block for Apple's TRANSPARENT all-day default, but an opaque all-day event blocks the user's whole local date", async () => {
    // A user far from UTC: the all-day date must be theirs, not UTC's.
    await w.close();
    w = await createWorld({ aliceTimeZone: 'Pacific/Auckland' });
    const connection = await connectAlice(w);
    w.mock.control.putEvent('alice@example.com', 'home', {
      ics: iphoneEvent('OFFSITE', '20261203', '20261204', []).replace('DTSTART:20261203', 'DTSTART;VALUE=DATE:20261203').replace('DTEND:20261204', 'DTEND;VALUE=DATE:20261204'),
    });
    await w.core.sync(connection.id);
    const birthday = (await w.core.platform.listEventsForUser(w.alice.id, { start: at('2026-11-27T00:00:00Z'), end: at('2026-11-29T00:00:00Z') })).find((e) => e.title === "Mum's birthday")!;
    expect(birthday).toMatchObject({ allDay: true, busy: false });
    const offsite = (await w.core.platform.listEventsForUser(w.alice.id, { start: at('2026-12-02T00:00:00Z'), end: at('2026-12-04T00:00:00Z') })).find((e) => e.allDay && e.busy)!;
    // 3 December in Auckland (UTC+13 in summer) runs from 2 December 11:00Z to 3 December 11:00Z.
    expect(offsite.start).toBe(at('2026-12-02T11:00:00Z'));
    expect(offsite.end).toBe(at('2026-12-03T11:00:00Z'));
    expect(await w.core.freeSlots(w.alice.id, { start: at('2026-12-02T11:00:00Z'), end: at('2026-12-03T11:00:00Z') }, 30)).toEqual([]);
  });
});
