import { afterEach, beforeEach, expect, it } from 'vitest';
import { at, connectAlice, createWorld, type TestWorld } from './world.js';

let w: TestWorld;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

it('pulls iCloud events as blocked slots and pushes a booking to the linked calendar', async () => {
  const connection = await connectAlice(w);
  const first = await w.core.sync(connection.id);
  expect(first.errors).toEqual([]);
  expect(first.pulled.created).toBeGreaterThan(0);
  const slots = await w.core.platform.listEventsForUser(w.alice.id, { start: at('2026-11-24T00:00:00Z'), end: at('2026-11-25T00:00:00Z') });
  expect(slots.map((s) => [s.kind, s.title])).toContainEqual(['blocked', 'Pick John from school']);

  const appointment = await w.core.book({ calendarId: w.calendars.service.id, start: at('2026-11-26T10:00:00Z'), contactId: w.contactId });
  const second = await w.core.sync(connection.id);
  expect(second.errors).toEqual([]);
  expect(second.pushed.created).toBe(1);
  const work = w.mock.control.listEvents('alice@example.com', 'work');
  expect(work.map((e) => e.uid)).toContain(`${appointment.id}@platform.icloud-sync`);
  const third = await w.core.sync(connection.id);
  expect(third.pushed).toEqual({ created: 0, updated: 0, deleted: 0, adopted: 0 });
  expect(third.pulled.created).toBe(0);
});
