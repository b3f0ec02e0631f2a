/**
 * iCloud → platform: RULES.md I1–I5, D4, D5, D6.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../mock-icloud/http/body.js';
import { at, connectAlice, createWorld, iphoneEvent, type TestWorld } from './world.js';

let w: TestWorld;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

const DAY = 86_400_000;
const all = async () => w.core.platform.listEventsForUser(w.alice.id, { start: -8.64e15, end: 8.64e15 });
const titled = async (title: string) => (await all()).filter((e) => e.title === title);

describe('I1, I2, D4: iCloud events become blocked slots, never appointments or contacts', () => {
  it('shows "Pick John from school" as a blocked slot', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const [slot] = await titled('Pick John from school');
    expect(slot).toMatchObject({ kind: 'blocked', origin: 'icloud', contactIds: [], busy: true, userIds: [w.alice.id] });
    expect(slot.start).toBe(at('2026-11-24T15:15:00Z'));
    expect(slot.end).toBe(at('2026-11-24T16:00:00Z'));
  });

  it('creates no contact from an organizer and attendees', async () => {
    const connection = await connectAlice(w);
    const contactsBefore = await w.core.platform.listContacts(w.subAccountId);
    w.mock.control.putEvent('alice@example.com', 'home', {
      ics: iphoneEvent('MEETING-1', '20261203T100000Z', '20261203T110000Z', ['ORGANIZER;CN=Zed:mailto:zed@example.com', 'ATTENDEE;CN=Yan;PARTSTAT=ACCEPTED:mailto:yan@example.com']),
    });
    await w.core.sync(connection.id);
    const [slot] = (await all()).filter((e) => e.start === at('2026-12-03T10:00:00Z'));
    expect(slot).toMatchObject({ kind: 'blocked', contactIds: [] });
    expect(await w.core.platform.listContacts(w.subAccountId)).toEqual(contactsBefore);
  });

  it('imports from every conflict calendar, read-only shared ones included, and from no other', async () => {
    const connection = await connectAlice(w, { linked: 'work', conflict: ["Bob's family"] });
    await w.core.sync(connection.id);
    expect(await titled('Dentist (Bob)')).toHaveLength(1);
    expect(await titled('Team stand-up')).toEqual([]); // home is not a conflict calendar here
  });

  it('makes one slot of an event found in two conflict calendars on the first sync', async () => {
    // The first sync imports in bulk and knows nothing yet: what it has imported is what it knows.
    // Bob's dentist appointment is in his Family calendar, shared with Alice; she has a copy in Home.
    const [dentist] = w.mock.control.listEvents('bob@example.com', 'family').filter((e) => e.data.includes('Dentist (Bob)'));
    w.mock.control.putEvent('alice@example.com', 'home', { ics: dentist!.data });
    const connection = await connectAlice(w, { linked: 'work', conflict: ['home', "Bob's family"] });
    expect((await w.core.sync(connection.id)).outcome).toBe('ok');
    expect(await titled('Dentist (Bob)')).toHaveLength(1);
  });
});

describe('a first sync reads only what can be there', () => {
  it('neither reads stored rows for the listing nor looks for vanished copies while the connection holds only what the run imported', async () => {
    const asked: string[] = [];
    const state = w.core.state;
    const objectsByHref = state.objectsByHref.bind(state);
    const followedHrefsIn = state.followedHrefsIn.bind(state);
    state.objectsByHref = (...args) => (asked.push('objectsByHref'), objectsByHref(...args));
    state.followedHrefsIn = (...args) => (asked.push('followedHrefsIn'), followedHrefsIn(...args));
    const connection = await connectAlice(w, { linked: 'work', conflict: ['home', "Bob's family"] });
    expect((await w.core.sync(connection.id)).pulled.created).toBeGreaterThan(3);
    expect(asked).toEqual([]);
    // Once the connection holds something, a full listing (the token forgotten) reads both again,
    // and what it already holds is not imported twice.
    const before = (await all()).length;
    w.mock.control.forgetSyncTokens();
    await w.core.sync(connection.id);
    expect(asked).toContain('objectsByHref');
    expect(asked).toContain('followedHrefsIn');
    expect(await all()).toHaveLength(before);
  });
});

describe('a calendar of events too big to download 500 at a time', () => {
  const DEFAULT_REPORT_BYTES = LIMITS.reportDataBytes;
  afterEach(() => {
    LIMITS.reportDataBytes = DEFAULT_REPORT_BYTES;
  });
  const bigEvent = (i: number) =>
    iphoneEvent(`BIG-${i}`, `202612${String(1 + (i % 28)).padStart(2, '0')}T090000Z`, `202612${String(1 + (i % 28)).padStart(2, '0')}T100000Z`, [`DESCRIPTION:${'minutes '.repeat(150)}`]);
  const multigets = () => w.mock.control.journal({ method: 'REPORT' }).filter((e) => e.status === 403 || e.status === 207);

  it('asks again in halves when iCloud refuses an answer as too large, and asks the rest at the size that passed', async () => {
    for (let i = 0; i < 60; i++) w.mock.control.putEvent('alice@example.com', 'home', { ics: bigEvent(i) });
    // About eight of these events fit in one answer.
    LIMITS.reportDataBytes = 8 * bigEvent(0).length + 100;
    const connection = await connectAlice(w);
    const since = w.mock.control.journal().at(-1)!.seq;
    const report = await w.core.sync(connection.id);
    expect(report.outcome).toBe('ok');
    expect((await all()).filter((e) => e.title === 'iPhone event')).toHaveLength(60);
    const asked = multigets().filter((e) => e.seq > since);
    const refused = asked.filter((e) => e.status === 403);
    // One page of 60-odd hrefs, refused and halved until about eight fit (three refusals here);
    // every piece after that passes at the first try.
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(4);
    expect(refused.every((e) => /calendar-multiget answer would carry more/.test(e.reason ?? ''))).toBe(true);
    const lastRefusal = refused.at(-1)!.seq;
    expect(asked.filter((e) => e.seq > lastRefusal).every((e) => e.status === 207)).toBe(true);
  });

  it('fails only that calendar when one event is too large even alone, and says why', async () => {
    w.mock.control.putEvent('alice@example.com', 'home', { ics: bigEvent(0) });
    LIMITS.reportDataBytes = bigEvent(0).length - 1;
    const connection = await connectAlice(w, { linked: 'work', conflict: ['home', "Bob's family"] });
    const report = await w.core.sync(connection.id);
    expect(report.errors).toEqual([expect.objectContaining({ phase: 'pull', message: expect.stringMatching(/calendar-multiget .*number-of-matches-within-limits/) })]);
    expect(report.errors[0]!.calendarUrl).toMatch(/\/home\/$/);
    expect(await titled('Dentist (Bob)')).toHaveLength(1); // the other calendar is read
  });
});

describe('I3: iCloud changes are reflected in the platform', () => {
  it('moves a blocked slot when the event is moved on the iPhone', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const event = w.mock.control.listEvents('alice@example.com', 'work').find((e) => e.data.includes('Pick John'))!;
    w.advance(60_000);
    w.mock.control.putEvent('alice@example.com', 'work', {
      name: event.name,
      ics: event.data.replace('DTSTART;TZID=Europe/London:20261124T151500', 'DTSTART;TZID=Europe/London:20261124T143000').replace('LAST-MODIFIED:20261118T074502Z', 'LAST-MODIFIED:20261121T090100Z'),
    });
    const report = await w.core.sync(connection.id);
    expect(report.pulled.updated).toBe(1);
    const [slot] = await titled('Pick John from school');
    expect(slot.start).toBe(at('2026-11-24T14:30:00Z'));
    expect(await titled('Pick John from school')).toHaveLength(1);
  });

  it('changes an appointment the platform pushed when it is edited on the iPhone', async () => {
    const connection = await connectAlice(w);
    const appointment = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-12-01T11:00:00Z'), contactId: w.contactId, title: 'Massage' });
    await w.core.sync(connection.id);
    const pushed = w.mock.control.listEvents('alice@example.com', 'work').find((e) => e.uid.startsWith(appointment.id))!;
    w.advance(60_000);
    w.mock.control.putEvent('alice@example.com', 'work', {
      name: pushed.name,
      ics: pushed.data
        .replace('DTSTART:20261201T110000Z', 'DTSTART:20261201T150000Z')
        .replace('DTEND:20261201T113000Z', 'DTEND:20261201T153000Z')
        .replace('SUMMARY:Massage', 'SUMMARY:Massage (moved)')
        .replace(/LAST-MODIFIED:\d{8}T\d{6}Z/, 'LAST-MODIFIED:20261121T090100Z'),
    });
    await w.core.sync(connection.id);
    const updated = (await w.core.platform.getEvent(appointment.id))!;
    expect(updated).toMatchObject({ kind: 'appointment', title: 'Massage (moved)', start: at('2026-12-01T15:00:00Z'), contactIds: [w.contactId] });
    // ...and that change is not pushed back (D2).
    const puts = w.mock.control.journal({ method: 'PUT' }).length;
    await w.core.sync(connection.id);
    expect(w.mock.control.journal({ method: 'PUT' })).toHaveLength(puts);
  });
});

describe('I4: deleting in iCloud does not update the platform', () => {
  it('keeps the blocked slot and the appointment', async () => {
    const connection = await connectAlice(w);
    const appointment = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-12-01T11:00:00Z'), contactId: w.contactId });
    await w.core.sync(connection.id);
    const work = w.mock.control.listEvents('alice@example.com', 'work');
    for (const e of work) w.mock.control.deleteEvent('alice@example.com', 'work', e.name);
    const report = await w.core.sync(connection.id);
    expect(report.pulled.remoteDeletionsKept).toBe(2);
    expect(await titled('Pick John from school')).toHaveLength(1);
    expect(await w.core.platform.getEvent(appointment.id)).toMatchObject({ deleted: false, status: 'confirmed' });
    // A later platform change is not written back over the deletion either.
    await w.core.platform.updateEvent(appointment.id, { title: 'Still here' });
    const after = await w.core.sync(connection.id);
    expect(after.skipped.some((s) => s.eventId === appointment.id && s.reason.includes('(I4)'))).toBe(true);
    expect(w.mock.control.listEvents('alice@example.com', 'work')).toEqual([]);
  });
});

describe('I5: platform changes to iCloud blocked slots', () => {
  it('writes the change back where the calendar is writable, keeping the rest of the event', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const [slot] = await titled('Pick John from school');
    w.advance(60_000);
    await w.core.platform.updateEvent(slot.id, { start: at('2026-11-24T16:00:00Z'), end: at('2026-11-24T17:00:00Z') });
    const report = await w.core.sync(connection.id);
    expect(report.pushed.updated).toBe(1);
    const event = w.mock.control.listEvents('alice@example.com', 'work').find((e) => e.data.includes('Pick John'))!;
    expect(event.data).toContain('DTSTART:20261124T160000Z');
    expect(event.data).toContain('X-APPLE-STRUCTURED-LOCATION');
    expect(event.data).toMatch(/ATTACH[^:\r\n]*:Basso/); // the alarm's sound survives (URI is ATTACH's default type)
  });

  it('moves one occurrence of a recurring event as an override', async () => {
    const connection = await connectAlice(w, { linked: 'home' });
    await w.core.sync(connection.id);
    const occurrence = (await titled('Team stand-up')).find((e) => e.start === at('2026-12-07T09:00:00Z'))!;
    w.advance(60_000);
    await w.core.platform.updateEvent(occurrence.id, { start: at('2026-12-07T11:00:00Z'), end: at('2026-12-07T11:30:00Z') });
    await w.core.sync(connection.id);
    const standup = w.mock.control.listEvents('alice@example.com', 'home').find((e) => e.uid === '6B2F0C1E-4D3A-4E8B-9C71-2A5D8E0F3B41')!;
    expect(standup.data).toMatch(/RECURRENCE-ID;TZID=Europe\/London:20261207T090000/);
    expect(standup.data).toContain('DTSTART:20261207T110000Z');
    // The next pull agrees: the occurrence stays where the platform put it, once.
    await w.core.sync(connection.id);
    expect((await titled('Team stand-up')).filter((e) => e.start === at('2026-12-07T11:00:00Z'))).toHaveLength(1);
    expect((await titled('Team stand-up')).filter((e) => e.start === at('2026-12-07T09:00:00Z'))).toHaveLength(0);
  });

  it('keeps a change local, and says so, where the calendar is read-only', async () => {
    const connection = await connectAlice(w, { linked: 'work', conflict: ["Bob's family"] });
    await w.core.sync(connection.id);
    const [dentist] = await titled('Dentist (Bob)');
    await w.core.platform.updateEvent(dentist.id, { title: 'Dentist (moved by Alice)', start: at('2026-11-25T12:00:00Z'), end: at('2026-11-25T13:00:00Z') });
    const report = await w.core.sync(connection.id);
    expect(report.skipped).toContainEqual(expect.objectContaining({ eventId: dentist.id, reason: expect.stringContaining('read-only') }));
    expect(w.mock.control.listEvents('bob@example.com', 'family')[0].data).toContain('SUMMARY:Dentist (Bob)');
    expect((await w.core.platform.getEvent(dentist.id))!.title).toBe('Dentist (moved by Alice)');
    // Reported once, not on every run.
    expect((await w.core.sync(connection.id)).skipped.filter((s) => s.eventId === dentist.id)).toEqual([]);
  });

  it('deletes a single iCloud event when its slot is deleted, and excludes one occurrence of a recurring one', async () => {
    const connection = await connectAlice(w, { linked: 'home', conflict: ['work'] });
    await w.core.sync(connection.id);
    await w.core.platform.deleteEvent((await titled('Pick John from school'))[0].id);
    const occurrence = (await titled('Team stand-up')).find((e) => e.start === at('2026-12-14T09:00:00Z'))!;
    await w.core.platform.deleteEvent(occurrence.id);
    await w.core.sync(connection.id);
    expect(w.mock.control.listEvents('alice@example.com', 'work').some((e) => e.data.includes('Pick John'))).toBe(false);
    const standup = w.mock.control.listEvents('alice@example.com', 'home').find((e) => e.uid === '6B2F0C1E-4D3A-4E8B-9C71-2A5D8E0F3B41')!;
    expect(standup.data).toMatch(/EXDATE;TZID=Europe\/London:20261214T090000/);
    await w.core.sync(connection.id);
    expect((await titled('Team stand-up')).some((e) => e.start === at('2026-12-14T09:00:00Z'))).toBe(false);
  });
});

describe('D5: the sync window', () => {
  it('fetches events from 30 days back to 365 days ahead only', async () => {
    const connection = await connectAlice(w);
    w.mock.control.putEvent('alice@example.com', 'home', { ics: iphoneEvent('FAR-FUTURE', '20280101T100000Z', '20280101T110000Z') });
    w.mock.control.putEvent('alice@example.com', 'home', { ics: iphoneEvent('LONG-AGO', '20260901T100000Z', '20260901T110000Z') });
    w.mock.control.putEvent('alice@example.com', 'home', { ics: iphoneEvent('NEXT-YEAR', '20271101T100000Z', '20271101T110000Z') });
    await w.core.sync(connection.id);
    const starts = (await all()).map((e) => e.start);
    expect(starts).toContain(at('2027-11-01T10:00:00Z'));
    expect(starts).not.toContain(at('2028-01-01T10:00:00Z'));
    expect(starts).not.toContain(at('2026-09-01T10:00:00Z'));
  });

  it('does not treat an event moving out of the window as deleted', async () => {
    const connection = await connectAlice(w);
    w.mock.control.putEvent('alice@example.com', 'home', { ics: iphoneEvent('MOVER', '20261210T100000Z', '20261210T110000Z') });
    await w.core.sync(connection.id);
    w.mock.control.putEvent('alice@example.com', 'home', {
      ics: iphoneEvent('MOVER', '20290101T100000Z', '20290101T110000Z').replace('LAST-MODIFIED:20261121T090000Z', 'LAST-MODIFIED:20261121T100000Z'),
    });
    await w.core.sync(connection.id);
    const mover = (await all()).filter((e) => e.title === 'iPhone event');
    expect(mover).toHaveLength(1);
    expect(mover[0]).toMatchObject({ deleted: false, start: at('2029-01-01T10:00:00Z') });
  });

  it('materialises occurrences that enter the window as days pass, without new iCloud changes', async () => {
    const connection = await connectAlice(w);
    w.mock.control.putEvent('alice@example.com', 'home', { ics: iphoneEvent('MONTHLY', '20261201T100000Z', '20261201T110000Z', ['RRULE:FREQ=MONTHLY']) });
    await w.core.sync(connection.id);
    const lastBefore = Math.max(...(await titled('iPhone event')).map((e) => e.start));
    expect(lastBefore).toBeLessThan(at('2027-11-23T00:00:00Z'));
    w.advance(40 * DAY);
    await w.core.sync(connection.id);
    const starts = (await titled('iPhone event')).map((e) => e.start);
    expect(starts).toContain(at('2027-12-01T10:00:00Z'));
    // Occurrences that left the window at the back are kept (absence is not deletion).
    expect(starts).toContain(at('2026-12-01T10:00:00Z'));
  });
});

describe('D6: absence is never deletion', () => {
  it('deletes nothing when iCloud forgets the sync token and lists everything again', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const before = (await all()).map((e) => e.id).sort();
    w.mock.control.forgetSyncTokens();
    const report = await w.core.sync(connection.id);
    expect(report.fullResyncs.length).toBeGreaterThan(0);
    expect(report.pulled.created).toBe(0);
    expect((await all()).map((e) => e.id).sort()).toEqual(before);
  });

  it('lists again from scratch when an expired token gets every member back silently, and so notices what was deleted', async () => {
    // python-caldav#122: iCloud may drop a token and answer with every member, deletions unsaid.
    await w.close();
    w = await createWorld({ quirks: { expiredSyncToken: 'full-listing' } });
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const before = (await all()).map((e) => e.id).sort();
    const [gone, ...kept] = w.mock.control.listEvents('alice@example.com', 'home');
    expect(kept.length).toBeGreaterThan(0);
    w.mock.control.deleteEvent('alice@example.com', 'home', gone!.name);
    w.advance(20 * DAY); // the deletion is older than the token's 14-day lifetime: the token has expired
    const report = await w.core.sync(connection.id);
    expect(report.outcome).toBe('ok');
    expect(report.fullResyncs).toEqual([expect.stringMatching(/\/calendars\/home\/$/)]);
    expect(report.pulled.remoteDeletionsKept).toBe(1); // seen, and kept (I4)
    expect((await all()).map((e) => e.id).sort()).toEqual(before);
    // The next run is an ordinary change list again.
    const next = await w.core.sync(connection.id);
    expect([next.fullResyncs, next.pulled.remoteDeletionsKept]).toEqual([[], 0]);
  });

  it('deletes nothing when a run fails half-way (500 on the REPORT), and picks the change up on the next run', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    w.mock.control.putEvent('alice@example.com', 'home', { ics: iphoneEvent('LATE-1', '20261205T100000Z', '20261205T110000Z') });
    w.mock.control.addFault({ kind: 'server-error', match: { method: 'REPORT', calendar: 'home' }, count: 1 });
    const failed = await w.core.sync(connection.id);
    expect(failed.outcome).toBe('failed');
    expect((await all()).some((e) => e.start === at('2026-12-05T10:00:00Z'))).toBe(false);
    const ok = await w.core.sync(connection.id);
    expect(ok.outcome).toBe('ok');
    expect((await all()).filter((e) => e.start === at('2026-12-05T10:00:00Z'))).toHaveLength(1);
  });
});
