/**
 * Connecting and choosing calendars: RULES.md C1–C7, T1–T2.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyncError } from '../errors.js';
import { PlatformError } from '../platform/store.js';
import { ALICE_ICLOUD, BOB_ICLOUD, connectAlice, createWorld, type TestWorld } from './world.js';

let w: TestWorld;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

const connect = (userId: string, appleId: string, appPassword: string, subAccountId = w.subAccountId) =>
  w.core.connections.connect({ subAccountId, userId, appleId, appPassword, serverUrl: w.mock.gatewayUrl });

async function refusal(promise: Promise<unknown> | (() => unknown)): Promise<SyncError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (error instanceof SyncError || error instanceof PlatformError) return error as SyncError;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('C1: app-specific passwords only', () => {
  it('connects with an app-specific password through gateway discovery', async () => {
    const connection = await connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword);
    expect(connection.status).toBe('active');
    expect(connection.homeUrl).toBe(`${w.mock.partitionUrl}10000001001/calendars/`);
  });

  it('refuses the regular password with advice to use an app-specific one', async () => {
    const error = await refusal(connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.regularPassword));
    expect(error.code).toBe('auth-refused');
    expect(error.message).toContain('use an app-specific password from appleid.apple.com');
    expect(w.mock.control.journal({ status: 401 }).at(-1)!.reason).toMatch(/^regular-password/);
    expect(await w.core.state.listConnections()).toEqual([]);
  });

  it('iCloud not answering a connect: refused as icloud-unavailable, saying nothing was saved and when to try again', async () => {
    const asking = w.mock.control.addFault({ kind: 'unavailable', retryAfter: 30 });
    const asked = await refusal(connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword));
    expect(asked).toMatchObject({ code: 'icloud-unavailable', message: 'iCloud is not answering (HTTP 503): nothing was saved; try again in 30 s, as iCloud asked' });
    w.mock.control.removeFault(asking.id);
    const silent = w.mock.control.addFault({ kind: 'unavailable' });
    const unasked = await refusal(connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword));
    expect(unasked).toMatchObject({ code: 'icloud-unavailable', message: 'iCloud is not answering (HTTP 503): nothing was saved; try again later' });
    w.mock.control.removeFault(silent.id);
    expect(await w.core.state.listConnections()).toEqual([]);
    expect((await connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword)).status).toBe('active');
  });

  it('refuses any password on an account without two-factor authentication', async () => {
    const error = await refusal(connect(w.alice.id, 'carol@example.com', 'carol-password'));
    expect(error.code).toBe('auth-refused');
    expect(w.mock.control.journal({ status: 401 }).at(-1)!.reason).toMatch(/^two-factor-off/);
  });

  it('marks a connection whose password is revoked as needing reconnect, stops polling it, deletes nothing', async () => {
    const connection = await connectAlice(w);
    await w.core.sync(connection.id);
    const slotsBefore = (await w.core.platform.listEventsForUser(w.alice.id, { start: 0, end: 8.64e15 })).length;
    const icloudBefore = w.mock.control.listEvents('alice@example.com', 'home').length;
    w.mock.control.revokeAppPassword('alice@example.com', ALICE_ICLOUD.appPassword);
    const report = await w.core.sync(connection.id);
    expect(report.outcome).toBe('failed');
    expect(report.errors[0]).toMatchObject({ code: 'auth-refused' });
    expect((await w.core.connections.get(connection.id)).status).toBe('reconnect_required');
    w.advance(10 * 60_000);
    expect(await w.core.poll()).toEqual([]); // not polled any more
    expect(await w.core.platform.listEventsForUser(w.alice.id, { start: 0, end: 8.64e15 })).toHaveLength(slotsBefore);
    expect(w.mock.control.listEvents('alice@example.com', 'home')).toHaveLength(icloudBefore);

    const fresh = w.mock.control.issueAppPassword('alice@example.com', { label: 'new' });
    await w.core.connections.reconnect(connection.id, fresh.password);
    expect((await w.core.connections.get(connection.id)).status).toBe('active');
    expect((await w.core.sync(connection.id)).outcome).toBe('ok');
  });
});

describe('C2, C3: one connection per user per sub-account, one sub-account per Apple ID', () => {
  it('refuses a second connection for the same user in the same sub-account', async () => {
    await connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword);
    const error = await refusal(connect(w.alice.id, BOB_ICLOUD.appleId, BOB_ICLOUD.appPassword));
    expect(error.code).toBe('already-connected');
    expect(error.message).toContain('each user can have one');
  });

  it('refuses the same Apple ID in another sub-account', async () => {
    await connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword);
    const other = await w.core.platform.createSubAccount({ name: 'Other clinic' });
    const dave = await w.core.platform.createUser({ subAccountId: other.id, name: 'Dave', email: 'd@o.test', timeZone: 'Europe/Paris' });
    const error = await refusal(connect(dave.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword, other.id));
    expect(error.code).toBe('apple-id-in-other-sub-account');
  });

  it('lets another user connect another Apple ID in the same sub-account', async () => {
    await connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword);
    const bob = await connect(w.bob.id, BOB_ICLOUD.appleId, BOB_ICLOUD.appPassword);
    expect(bob.status).toBe('active');
  });
});

describe('C4–C6: linked and conflict calendars', () => {
  it('offers event calendars only: no subscriptions, reminders or scheduling collections (C4)', async () => {
    const connection = await connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword);
    const offered = (await w.core.connections.offered(connection.id)).map((c) => c.displayName);
    expect(offered).toEqual(expect.arrayContaining(['Home', 'Work', "Bob's family"]));
    expect(offered).not.toContain('UK Holidays');
    expect(offered).not.toContain('Reminders');
    expect(offered.some((n) => /inbox|outbox|notification/i.test(n))).toBe(false);
  });

  it('refuses a subscribed calendar as linked or conflict calendar (C4)', async () => {
    const connection = await connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword);
    for (const choice of [{ linked: 'UK Holidays' }, { conflict: ['UK Holidays'] }]) {
      const error = await refusal(() => w.core.connections.chooseCalendars(connection.id, choice));
      expect(error.code).toBe('subscribed-calendar');
    }
  });

  it('refuses a read-only calendar as linked calendar but accepts it as conflict calendar (C5)', async () => {
    const connection = await connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword);
    const error = await refusal(() => w.core.connections.chooseCalendars(connection.id, { linked: "Bob's family" }));
    expect(error.code).toBe('read-only-linked-calendar');
    const chosen = await w.core.connections.chooseCalendars(connection.id, { linked: 'Work', conflict: ["Bob's family"] });
    expect(chosen.find((c) => c.displayName === "Bob's family")).toMatchObject({ isConflict: true, isLinked: false, canBeLinked: false });
  });

  it('makes the linked calendar a conflict calendar by default, next to several others (C6)', async () => {
    const connection = await connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword);
    const chosen = await w.core.connections.chooseCalendars(connection.id, { linked: 'Work', conflict: ['Home', "Bob's family"] });
    expect(
      chosen
        .filter((c) => c.isConflict)
        .map((c) => c.displayName)
        .sort(),
    ).toEqual(["Bob's family", 'Home', 'Work']);
    const onlyLinked = await w.core.connections.chooseCalendars(connection.id, { linked: 'Home', conflict: [] });
    expect(onlyLinked.filter((c) => c.isConflict).map((c) => c.displayName)).toEqual(['Home']);
  });

  it('refuses a task list and an unknown calendar with the list of calendars', async () => {
    const connection = await connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword);
    expect((await refusal(() => w.core.connections.chooseCalendars(connection.id, { linked: 'Reminders' }))).code).toBe('not-an-event-calendar');
    const unknown = await refusal(() => w.core.connections.chooseCalendars(connection.id, { linked: 'Nope' }));
    expect(unknown.code).toBe('unknown-calendar');
    expect(unknown.message).toContain('"Work"');
  });
});

describe('C7: no sync preferences', () => {
  it('refuses to set advanced sync settings for an iCloud connection', async () => {
    const connection = await connect(w.alice.id, ALICE_ICLOUD.appleId, ALICE_ICLOUD.appPassword);
    const error = await refusal(() => w.core.connections.setSyncPreferences(connection.id, { twoWay: false }));
    expect(error.code).toBe('sync-preferences-not-supported');
    expect(error.message).toContain('only the default sync');
  });
});

describe('T1, T2: which calendar types sync', () => {
  it('refuses to switch on iCloud sync for Simple and Event calendars', async () => {
    for (const calendar of [w.calendars.simple, w.calendars.event]) {
      const error = await refusal(() => w.core.platform.setICloudSync(calendar.id, true));
      expect(error.code).toBe('calendar-type-not-supported');
      expect(error.message).toMatch(/Round Robin, Collective, Class Booking and Service/);
    }
  });

  it('has sync on for Round Robin, Collective, Class Booking and Service calendars', () => {
    for (const key of ['roundRobin', 'collective', 'classBooking', 'service'] as const) expect(w.calendars[key].icloudSync).toBe(true);
    expect(w.calendars.simple.icloudSync).toBe(false);
    expect(w.calendars.event.icloudSync).toBe(false);
  });
});
