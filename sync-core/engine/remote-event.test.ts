/**
 * The engine reads a new single event two ways: from readSimpleEvent (bulk-import.ts) or from the
 * parsed calendar. Both must give the same fields and modification time, on every object the
 * simple reading answers for. The seed is printed; REMOTE_EVENT_SEED=<seed> replays it.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { parseICalendar, readSimpleEvent } from '../../icalendar/index.js';
import { buildObject, calendarObjects } from '../../icalendar/test/simple-objects.js';
import { fieldsOf, remoteModified, simpleEventFields, simpleEventModified, singleInstance } from './remote-event.js';

const seed = process.env.REMOTE_EVENT_SEED ? Number(process.env.REMOTE_EVENT_SEED) : Date.now() % 2_147_483_647;

it(`reads a simple event's fields as fieldsOf reads the parsed event (seed ${seed})`, () => {
  console.log(`remote-event property test seed: ${seed} (replay with REMOTE_EVENT_SEED=${seed})`);
  let answered = 0;
  fc.assert(
    fc.property(calendarObjects, (shape) => {
      const ics = buildObject(shape);
      const simple = readSimpleEvent(ics, shape.zone);
      if (!simple) return;
      answered++;
      const parsed = parseICalendar(ics);
      const fast = { fields: simpleEventFields(simple), modified: simpleEventModified(simple) };
      expect(fast, JSON.stringify(ics)).toEqual({ fields: fieldsOf(singleInstance(parsed, shape.zone)!, parsed), modified: remoteModified(parsed) });
    }),
    { seed, numRuns: 2000 },
  );
  expect(answered).toBeGreaterThan(200);
});
