/**
 * Consistency: RULES.md D1 (conflicts), D3 (idempotent), and the scheduler (D5 cadence, 503s).
 */
import { utcDateTime as stamp } from '../../icalendar/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { at, connectAlice, createWorld, type TestWorld } from './world.js';

let w: TestWorld;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

const pushedData = (eventId: string) => w.mock.control.listEvents('alice@example.com', 'work').find((e) => e.uid === `${eventId}@platform.icloud-sync`)!;

async function bookedAndSynced() {
  const connection = await connectAlice(w);
  const appointment = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-12-01T11:00:00Z'), contactId: w.contactId, title: 'Massage' });
  await w.core.sync(connection.id);
  return { connection, appointment };
}

function iphoneRetitle(eventId: string, title: string, modifiedAt: number) {
  const e = pushedData(eventId);
  w.mock.control.putEvent('alice@example.com', 'work', {
    name: e.name,
    ics: e.data.replace(/SUMMARY:[^\r\n]*/, `SUMMARY:${title}`).replace(/LAST-MODIFIED:\d{8}T\d{6}Z/, `LAST-MODIFIED:${stamp(modifiedAt)}`),
  });
}

describe('D1: both sides changed', () => {
  it('lets the later iCloud change win and records the platform change that lost', async () => {
    const { connection, appointment } = await bookedAndSynced();
    w.advance(60_000);
    await w.core.platform.updateEvent(appointment.id, { title: 'Platform title' }); // at T+1min
    iphoneRetitle(appointment.id, 'iPhone title', w.clock.now() + 60_000); // at T+2min: later
    const report = await w.core.sync(connection.id);
    expect(report.conflicts).toEqual([{ eventId: appointment.id, href: expect.stringContaining(appointment.id), winner: 'icloud' }]);
    expect((await w.core.platform.getEvent(appointment.id))!.title).toBe('iPhone title');
    expect(pushedData(appointment.id).data).toContain('SUMMARY:iPhone title');
    const [conflict] = await w.core.state.listConflicts(connection.id);
    expect(conflict).toMatchObject({ winner: 'icloud', losingChange: { source: 'platform', title: 'Platform title' } });
  });

  it('lets the later platform change win and records the iCloud change that lost', async () => {
    const { connection, appointment } = await bookedAndSynced();
    iphoneRetitle(appointment.id, 'iPhone title', w.clock.now() + 30_000); // earlier
    w.advance(60_000);
    await w.core.platform.updateEvent(appointment.id, { title: 'Platform title' }); // later
    const report = await w.core.sync(connection.id);
    expect(report.conflicts.map((c) => c.winner)).toEqual(['platform']);
    expect((await w.core.platform.getEvent(appointment.id))!.title).toBe('Platform title');
    expect(pushedData(appointment.id).data).toContain('SUMMARY:Platform title');
    expect((await w.core.state.listConflicts(connection.id))[0].losingChange).toMatchObject({ source: 'icloud', title: 'iPhone title' });
  });

  it('resolves a conflict caught by If-Match on push (412) the same way', async () => {
    const { connection, appointment } = await bookedAndSynced();
    w.advance(60_000);
    await w.core.platform.updateEvent(appointment.id, { title: 'Platform title' });
    // The iPhone edit lands after this run's pull, just before its PUT: only If-Match can see it.
    w.onRequest = (method) => {
      if (method !== 'PUT') return;
      w.onRequest = undefined;
      iphoneRetitle(appointment.id, 'iPhone title', w.clock.now() - 10_000); // earlier than the platform change
    };
    const report = await w.core.sync(connection.id);
    expect(w.mock.control.journal({ method: 'PUT', status: 412 })).toHaveLength(1);
    expect(report.conflicts.map((c) => c.winner)).toEqual(['platform']);
    expect(pushedData(appointment.id).data).toContain('SUMMARY:Platform title');
    // The same decision as the pull's, so the same record: the iPhone's fields, as the losing change.
    expect((await w.core.state.listConflicts(connection.id))[0].losingChange).toMatchObject({ source: 'icloud', title: 'iPhone title' });
  });

  it('applies a later iCloud edit caught by If-Match on push instead of overwriting it', async () => {
    const { connection, appointment } = await bookedAndSynced();
    w.advance(60_000);
    await w.core.platform.updateEvent(appointment.id, { title: 'Platform title' });
    w.onRequest = (method) => {
      if (method !== 'PUT') return;
      w.onRequest = undefined;
      iphoneRetitle(appointment.id, 'iPhone title', w.clock.now() + 60_000); // later than the platform change
    };
    const report = await w.core.sync(connection.id);
    expect(report.conflicts.map((c) => c.winner)).toEqual(['icloud']);
    expect((await w.core.platform.getEvent(appointment.id))!.title).toBe('iPhone title');
    expect(pushedData(appointment.id).data).toContain('SUMMARY:iPhone title');
  });
});

const PICK_JOHN = '5D1E2A44-8C0B-4B7E-A3F1-77E0C2B9D416';

function iphoneRetitleImported(uid: string, title: string, modifiedAt: number) {
  const e = w.mock.control.listEvents('alice@example.com', 'work').find((x) => x.uid === uid)!;
  const data = e.data.replace(/SUMMARY:[^\r\n]*/, `SUMMARY:${title}`).replace(/LAST-MODIFIED:\d{8}T\d{6}Z/, `LAST-MODIFIED:${stamp(modifiedAt)}`);
  w.mock.control.putEvent('alice@example.com', 'work', { name: e.name, ics: data });
}

describe('D1 on a slot write-back refused with 412 (I5)', () => {
  async function slotEditedInPlatform() {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const slot = (await w.core.platform.listEventsForUser(w.alice.id, { start: -8.64e15, end: 8.64e15 })).find((e) => e.title === 'Pick John from school')!;
    w.advance(60_000);
    await w.core.platform.updateEvent(slot.id, { title: 'Pick John (grandma)' });
    return { connection, slot };
  }

  it('records the iPhone edit as lost when the platform change is later, then writes the platform version', async () => {
    const { connection, slot } = await slotEditedInPlatform();
    // The iPhone edit lands after this run read iCloud, just before the write-back: only If-Match sees it.
    w.onRequest = (method) => {
      if (method !== 'PUT') return;
      w.onRequest = undefined;
      iphoneRetitleImported(PICK_JOHN, 'Pick John + Lucy', w.clock.now() - 30_000); // earlier than the platform edit
    };
    const report = await w.core.sync(connection.id);
    expect(w.mock.control.journal({ method: 'PUT', status: 412 })).toHaveLength(1);
    expect(report.conflicts).toEqual([{ eventId: slot.id, href: expect.stringContaining('/work/'), winner: 'platform' }]);
    expect((await w.core.state.listConflicts(connection.id))[0]!.losingChange).toMatchObject({ source: 'icloud', title: 'Pick John + Lucy' });
    expect(w.mock.control.listEvents('alice@example.com', 'work').find((e) => e.uid === PICK_JOHN)!.data).toContain('SUMMARY:Pick John (grandma)');
  });

  it('applies a later iPhone edit caught by the 412 and records the platform change as lost', async () => {
    const { connection, slot } = await slotEditedInPlatform();
    w.onRequest = (method) => {
      if (method !== 'PUT') return;
      w.onRequest = undefined;
      iphoneRetitleImported(PICK_JOHN, 'Pick John + Lucy', w.clock.now() + 30_000); // later
    };
    const report = await w.core.sync(connection.id);
    expect(report.conflicts.map((c) => c.winner)).toEqual(['icloud']);
    expect((await w.core.platform.getEvent(slot.id))!.title).toBe('Pick John + Lucy');
    expect(w.mock.control.journal({ method: 'PUT', status: 204 }).concat(w.mock.control.journal({ method: 'PUT', status: 201 }))).toHaveLength(0);
  });
});

describe('D8: a write that finds the copy gone looks for it by UID', () => {
  it('writes a reschedule to the calendar the iPhone moved the booking to between the read and the write', async () => {
    const { connection, appointment } = await bookedAndSynced();
    w.advance(60_000);
    await w.core.reschedule(appointment.id, at('2026-12-01T13:00:00Z'));
    w.onRequest = (method) => {
      if (method !== 'PUT') return;
      w.onRequest = undefined;
      const e = pushedData(appointment.id);
      w.mock.control.deleteEvent('alice@example.com', 'work', e.name);
      w.mock.control.putEvent('alice@example.com', 'home', { name: e.name, ics: e.data });
    };
    const report = await w.core.sync(connection.id);
    expect(report.skipped).toEqual([]);
    const moved = w.mock.control.listEvents('alice@example.com', 'home').find((e) => e.uid === `${appointment.id}@platform.icloud-sync`)!;
    expect(moved.data).toContain('DTSTART:20261201T130000Z');
    expect(w.mock.control.listEvents('alice@example.com', 'work').some((e) => e.uid.startsWith(appointment.id))).toBe(false);
  });
});

describe('D3: idempotent', () => {
  it('creates nothing new and writes nothing when run again', async () => {
    const { connection } = await bookedAndSynced();
    const platformBefore = await w.core.platform.listEventsForUser(w.alice.id, { start: -8.64e15, end: 8.64e15 });
    const icloudBefore = w.mock.control.exportWorld();
    for (let i = 0; i < 3; i++) {
      const report = await w.core.sync(connection.id);
      expect(report.pulled.created + report.pulled.updated).toBe(0);
      expect(report.pushed).toEqual({ created: 0, updated: 0, deleted: 0, adopted: 0 });
    }
    expect(await w.core.platform.listEventsForUser(w.alice.id, { start: -8.64e15, end: 8.64e15 })).toEqual(platformBefore);
    expect(w.mock.control.exportWorld()).toEqual(icloudBefore);
  });

  it('adopts an event a killed run already created instead of duplicating it', async () => {
    const connection = await connectAlice(w);
    const appointment = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-12-01T11:00:00Z'), contactId: w.contactId });
    // Simulate "PUT succeeded, then the process died": write it the way the engine would, without bookkeeping.
    await w.core.sync(connection.id);
    await w.core.store.transaction(async () => {
      await w.core.state.deleteObject(connection.id, `${w.mock.partitionUrl}10000001001/calendars/work/${appointment.id}.ics`);
      await w.core.state.updateConnection(connection.id, { changeCursor: 0 });
    });
    const report = await w.core.sync(connection.id);
    expect(report.pushed.created).toBe(0);
    expect(w.mock.control.listEvents('alice@example.com', 'work').filter((e) => e.uid.startsWith(appointment.id))).toHaveLength(1);
  });
});

describe('scheduler', () => {
  it('polls every 5 minutes with jitter, and only connections that are due', async () => {
    const connection = await connectAlice(w);
    expect((await w.core.poll()).map((r) => r.connectionId)).toEqual([connection.id]);
    const next = (await w.core.connections.get(connection.id)).nextPollAt;
    expect(next - w.clock.now()).toBeGreaterThanOrEqual(5 * 60_000);
    expect(next - w.clock.now()).toBeLessThan(6 * 60_000);
    expect(await w.core.poll()).toEqual([]);
    w.advance(next - w.clock.now());
    expect(await w.core.poll()).toHaveLength(1);
  });

  it('waits at least what Retry-After says after a 503, and recovers', async () => {
    const connection = await connectAlice(w);
    w.mock.control.addFault({ kind: 'unavailable', retryAfter: 900, count: 1 });
    const [failed] = await w.core.poll();
    expect(failed.outcome).toBe('failed');
    expect(failed.retryAfterMs).toBe(900_000);
    expect(failed.errors[0].message).toContain('after 900 s');
    expect((await w.core.connections.get(connection.id)).nextPollAt - w.clock.now()).toBe(900_000);
    w.advance(900_000);
    const [ok] = await w.core.poll();
    expect(ok.outcome).toBe('ok');
  });

  it('keeps polling other connections while one keeps failing', async () => {
    const alice = await connectAlice(w);
    const bob = await w.core.connections.connect({ subAccountId: w.subAccountId, userId: w.bob.id, appleId: 'bob@example.com', appPassword: 'bbbb-cccc-dddd-eeee', serverUrl: w.mock.gatewayUrl });
    await w.core.connections.chooseCalendars(bob.id, { linked: 'home' });
    w.mock.control.addFault({ kind: 'unavailable', match: { account: 'alice@example.com' } });
    const reports = await w.core.poll();
    expect(reports.find((r) => r.connectionId === alice.id)!.outcome).toBe('failed');
    expect(reports.find((r) => r.connectionId === bob.id)!.outcome).toBe('ok');
  });

  it('reads the ETag back when iCloud leaves it out of the PUT answer', async () => {
    const connection = await connectAlice(w);
    w.mock.control.addFault({ kind: 'omit-etag' });
    const appointment = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-12-01T11:00:00Z'), contactId: w.contactId });
    await w.core.sync(connection.id);
    const row = (await w.core.state.objectForEvent(connection.id, appointment.id))!;
    expect(row.etag).toBe(pushedData(appointment.id).etag);
    await w.core.platform.updateEvent(appointment.id, { title: 'Changed' });
    const report = await w.core.sync(connection.id);
    expect(report.pushed.updated).toBe(1);
    expect(report.conflicts).toEqual([]);
  });
});

describe('507 truncation', () => {
  it('follows every page of a truncated sync-collection and loses nothing', async () => {
    const connection = await connectAlice(w);
    w.mock.control.addFault({ kind: 'truncate-sync', pageSize: 1 });
    const report = await w.core.sync(connection.id);
    expect(report.outcome).toBe('ok');
    const pages = w.mock.control.journal({ method: 'REPORT' }).filter((e) => e.fault);
    expect(pages.length).toBeGreaterThan(3);
    const titles = (await w.core.platform.listEventsForUser(w.alice.id, { start: -8.64e15, end: 8.64e15 })).map((e) => e.title);
    expect(titles).toEqual(expect.arrayContaining(['Pick John from school', 'Team stand-up', "Mum's birthday"]));
  });
});
