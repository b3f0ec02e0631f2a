/**
 * Platform → iCloud: RULES.md P1–P4, T1–T2, D2.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { at, connectAlice, createWorld, iphoneEvent, type TestWorld } from './world.js';

let w: TestWorld;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

const work = () => w.mock.control.listEvents('alice@example.com', 'work');
const pushedFor = (eventId: string) => work().filter((e) => e.uid === `${eventId}@platform.icloud-sync`);

describe('P1: new bookings go to the linked calendar', () => {
  it.each(['roundRobin', 'collective', 'classBooking', 'service'] as const)('writes a %s booking (T1)', async (type) => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    // Tuesday 2026-12-01 11:00 London; bob is free too, so round robin may pick either: make alice the only free one.
    if (type === 'roundRobin') await w.core.blockTime({ subAccountId: w.subAccountId, userId: w.bob.id, start: at('2026-12-01T11:00:00Z'), end: at('2026-12-01T12:00:00Z'), title: 'Bob busy' });
    const appointment = await w.core.book({ calendarId: w.calendars[type].id, start: at('2026-12-01T11:00:00Z'), contactId: w.contactId, title: `${type} booking` });
    expect(appointment.userIds).toContain(w.alice.id);
    const report = await w.core.sync(connection.id);
    expect(report.pushed.created).toBe(1);
    const [event] = pushedFor(appointment.id);
    expect(event.name).toBe(`${appointment.id}.ics`);
    expect(event.data).toContain('DTSTART:20261201T110000Z');
    expect(event.data).toContain(`SUMMARY:${type} booking`);
    expect(event.data).not.toMatch(/ATTENDEE|ORGANIZER/);
  });

  it.each(['simple', 'event'] as const)('never writes a %s calendar booking (T2)', async (type) => {
    const connection = await connectAlice(w);
    const appointment = await w.core.book({ calendarId: w.calendars[type].id, start: at('2026-12-01T11:00:00Z'), contactId: w.contactId });
    const report = await w.core.sync(connection.id);
    expect(pushedFor(appointment.id)).toEqual([]);
    expect(report.skipped).toContainEqual(expect.objectContaining({ eventId: appointment.id, reason: expect.stringContaining('(T2)') }));
  });

  it('writes nothing while no linked calendar is chosen, then writes it once one is', async () => {
    const connection = await connectAlice(w, { conflict: ['home'] });
    const appointment = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-12-01T11:00:00Z'), contactId: w.contactId });
    const report = await w.core.sync(connection.id);
    expect(report.skipped.some((s) => s.eventId === appointment.id && s.reason.includes('no linked calendar'))).toBe(true);
    await w.core.connections.chooseCalendars(connection.id, { linked: 'work' });
    expect((await w.core.sync(connection.id)).pushed.created).toBe(1);
    expect(pushedFor(appointment.id)).toHaveLength(1);
  });
});

describe('P2: platform changes are reflected in iCloud', () => {
  it('moves and retitles the iCloud event, keeping what the iPhone added, and bumps SEQUENCE', async () => {
    const connection = await connectAlice(w);
    const appointment = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-12-01T11:00:00Z'), contactId: w.contactId, title: 'Massage' });
    await w.core.sync(connection.id);
    // The user adds an alarm on the iPhone.
    const [pushed] = pushedFor(appointment.id);
    const withAlarm = pushed.data.replace(
      'END:VEVENT',
      'X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT',
    );
    w.mock.control.putEvent('alice@example.com', 'work', { ics: withAlarm, name: pushed.name });
    await w.core.sync(connection.id);

    w.advance(60_000);
    await w.core.reschedule(appointment.id, at('2026-12-02T14:00:00Z'));
    await w.core.platform.updateEvent(appointment.id, { title: 'Deep tissue massage', location: 'Room 4', description: 'Bring a towel' });
    const report = await w.core.sync(connection.id);
    expect(report.pushed.updated).toBe(1);
    const [event] = pushedFor(appointment.id);
    expect(event.data).toContain('DTSTART:20261202T140000Z');
    expect(event.data).toContain('SUMMARY:Deep tissue massage');
    expect(event.data).toContain('LOCATION:Room 4');
    expect(event.data).toContain('DESCRIPTION:Bring a towel');
    expect(event.data).toContain('TRIGGER:-PT15M');
    expect(event.data).toContain('X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC');
    expect(Number(/SEQUENCE:(\d+)/.exec(event.data)![1])).toBeGreaterThan(Number(/SEQUENCE:(\d+)/.exec(pushed.data)![1]));
    expect(pushedFor(appointment.id)).toHaveLength(1);
  });
});

describe('P3: blocked slots created in the platform are never written', () => {
  it('writes nothing on creation or on change', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const before = w.mock.control.exportWorld();
    const slot = await w.core.blockTime({ subAccountId: w.subAccountId, userId: w.alice.id, start: at('2026-12-03T10:00:00Z'), end: at('2026-12-03T12:00:00Z'), title: 'Lunch' });
    const created = await w.core.sync(connection.id);
    await w.core.platform.updateEvent(slot.id, { title: 'Long lunch', end: at('2026-12-03T13:00:00Z') });
    const changed = await w.core.sync(connection.id);
    for (const report of [created, changed]) {
      expect(report.pushed).toEqual({ created: 0, updated: 0, deleted: 0, adopted: 0 });
      expect(report.skipped).toContainEqual(expect.objectContaining({ eventId: slot.id, reason: expect.stringContaining('(P3)') }));
    }
    expect(w.mock.control.exportWorld()).toEqual(before);
    expect(w.mock.control.journal({ method: 'PUT' })).toEqual([]);
  });
});

describe('P4: cancelled or deleted bookings are removed from iCloud', () => {
  it.each(['cancel', 'delete'] as const)('removes the event on %s', async (how) => {
    const connection = await connectAlice(w);
    const appointment = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-12-01T11:00:00Z'), contactId: w.contactId });
    await w.core.sync(connection.id);
    expect(pushedFor(appointment.id)).toHaveLength(1);
    if (how === 'cancel') await w.core.cancel(appointment.id);
    else await w.core.platform.deleteEvent(appointment.id);
    const report = await w.core.sync(connection.id);
    expect(report.pushed.deleted).toBe(1);
    expect(pushedFor(appointment.id)).toEqual([]);
    const del = w.mock.control.journal({ method: 'DELETE' }).at(-1)!;
    expect(del.status).toBe(204);
  });
});

describe('D2: no echo', () => {
  it('does not import its own events back as blocked slots, and does not push what it pulled', async () => {
    const connection = await connectAlice(w);
    const appointment = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-12-01T11:00:00Z'), contactId: w.contactId });
    await w.core.sync(connection.id);
    const again = await w.core.sync(connection.id);
    const slotsAtThatTime = await w.core.platform.listEventsForUser(w.alice.id, { start: at('2026-12-01T11:00:00Z'), end: at('2026-12-01T11:30:00Z') });
    expect(slotsAtThatTime.map((e) => e.id)).toEqual([appointment.id]);
    expect(again.pushed).toEqual({ created: 0, updated: 0, deleted: 0, adopted: 0 });

    // An iPhone event pulled into the platform is not written back.
    w.mock.control.putEvent('alice@example.com', 'home', { ics: iphoneEvent('ECHO-1', '20261204T100000Z', '20261204T110000Z') });
    const pulled = await w.core.sync(connection.id);
    expect(pulled.pulled.created).toBe(1);
    const puts = w.mock.control.journal({ method: 'PUT' }).length;
    await w.core.sync(connection.id);
    expect(w.mock.control.journal({ method: 'PUT' })).toHaveLength(puts);
  });

  it("moves the change cursor past the pull's own writes in the same run, so the next run finds nothing to read", async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const before = (await w.core.connections.get(connection.id)).changeCursor;
    // Nothing on the platform changed since: the run starts with nothing in the feed, then its pull
    // writes a slot. The push step must still read the feed, past that slot (it passes over it).
    w.mock.control.putEvent('alice@example.com', 'home', { ics: iphoneEvent('CURSOR-1', '20261204T100000Z', '20261204T110000Z') });
    expect((await w.core.store.startRuns([await w.core.connections.get(connection.id)], at('2027-01-01T00:00:00Z')))[0]!.platformChanges).toBe(false);
    expect((await w.core.sync(connection.id)).pulled.created).toBe(1);
    const [slot] = await w.core.platform.listEventsForUser(w.alice.id, { start: at('2026-12-04T10:00:00Z'), end: at('2026-12-04T11:00:00Z') });
    const after = await w.core.connections.get(connection.id);
    expect(slot!.changeSeq).toBeGreaterThan(before);
    expect(after.changeCursor).toBe(slot!.changeSeq);
    expect((await w.core.store.startRuns([after], at('2027-01-01T00:00:00Z')))[0]!.platformChanges).toBe(false);
  });
});
