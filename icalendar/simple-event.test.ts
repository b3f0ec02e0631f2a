/**
 * readSimpleEvent against the full path (parseICalendar, then expandInstances): on every object
 * where the fast reading answers, the full path accepts the object and gives the same instance,
 * text values and stamps. Objects are generated from the shapes iCloud and other clients write,
 * with the quirks that tell readers apart (escapes, folding, parameters, zones, bad dates,
 * recurrence, several components). The seed is printed; SIMPLE_EVENT_SEED=<seed> replays it.
 */
import fc from 'fast-check';
import type ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { expandInstances, MAX_TIME, MIN_TIME, parseICalendar } from './index.js';
import { readSimpleEvent } from './simple-event.js';
import { APPLE_LONDON, buildObject, calendarObjects } from './test/simple-objects.js';

/** What the engine reads through the full path, in readSimpleEvent's terms. */
function fullReading(ics: string, zone: string) {
  const parsed = parseICalendar(ics);
  const master = parsed.master!;
  const stamp = (name: string) => {
    const v = master.getFirstPropertyValue(name) as ICAL.Time | null;
    return v ? v.toJSDate().getTime() : undefined;
  };
  const value = (name: string) => {
    const v = master.getFirstPropertyValue(name);
    return v === null ? undefined : v;
  };
  return {
    componentType: parsed.componentType,
    components: parsed.components.length,
    recurring: parsed.components.some((c) => c.hasProperty('rrule') || c.hasProperty('rdate') || c.hasProperty('recurrence-id')),
    uid: parsed.uid,
    instance: expandInstances(parsed, { start: MIN_TIME, end: MAX_TIME }, { defaultZone: zone, maxInstances: 1 })[0],
    description: value('description'),
    location: value('location'),
    lastModified: stamp('last-modified'),
    dtstamp: stamp('dtstamp'),
  };
}

const seed = process.env.SIMPLE_EVENT_SEED ? Number(process.env.SIMPLE_EVENT_SEED) : Date.now() % 2_147_483_647;

describe('readSimpleEvent', () => {
  it(`reads what the full path reads, wherever it answers (seed ${seed})`, () => {
    console.log(`simple-event property test seed: ${seed} (replay with SIMPLE_EVENT_SEED=${seed})`);
    let answered = 0;
    let declined = 0;
    fc.assert(
      fc.property(calendarObjects, (shape) => {
        const ics = buildObject(shape);
        const fast = readSimpleEvent(ics, shape.zone);
        if (fast === undefined) {
          declined++;
          return;
        }
        answered++;
        let full: ReturnType<typeof fullReading>;
        try {
          full = fullReading(ics, shape.zone);
        } catch (error) {
          throw new Error(`the fast reading answered where the full path refuses ${JSON.stringify(ics)}: ${(error as Error).message}`);
        }
        expect(full, JSON.stringify(ics)).toMatchObject({ componentType: 'VEVENT', components: 1, recurring: false });
        expect({ uid: fast.uid, instance: fast.instance, description: fast.description, location: fast.location, lastModified: fast.lastModified, dtstamp: fast.dtstamp }).toEqual({
          uid: full.uid,
          instance: full.instance,
          description: full.description,
          location: full.location,
          lastModified: full.lastModified,
          dtstamp: full.dtstamp,
        });
      }),
      { seed, numRuns: 3000 },
    );
    console.log(`simple-event: ${answered} objects read fast, ${declined} left to the full path`);
    // Not vacuous: a good share of the objects are simple, and a good share are not.
    expect(answered).toBeGreaterThan(300);
    expect(declined).toBeGreaterThan(300);
  });

  it("answers for the shapes a first sync meets most: UTC, all-day, and iCloud's own with a VTIMEZONE and alarms", () => {
    const utc = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:x',
      'BEGIN:VEVENT',
      'UID:u1',
      'DTSTAMP:20261101T000000Z',
      'DTSTART:20261121T090000Z',
      'DTEND:20261121T100000Z',
      'SUMMARY:Standup',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const allDay = utc.replace('DTSTART:20261121T090000Z', 'DTSTART;VALUE=DATE:20261121').replace('DTEND:20261121T100000Z', 'DTEND;VALUE=DATE:20261122');
    const iphone = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Apple Inc.//iPhone OS 18.1//EN',
      'CALSCALE:GREGORIAN',
      APPLE_LONDON,
      'BEGIN:VEVENT',
      'CREATED:20261101T101010Z',
      'DTEND;TZID=Europe/London:20270328T030000',
      'DTSTAMP:20261101T101010Z',
      'DTSTART;TZID=Europe/London:20270328T003000',
      'LAST-MODIFIED:20261102T111111Z',
      'LOCATION:Office\\, floor 2',
      'SEQUENCE:1',
      'SUMMARY:Across the clock change',
      'TRANSP:OPAQUE',
      'UID:5F1B9A2C-1234-4C5D-9E8F-0A1B2C3D4E5F',
      'X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'DESCRIPTION:Reminder',
      'TRIGGER:-PT15M',
      'UID:A1',
      'X-WR-ALARMUID:A1',
      'END:VALARM',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    for (const ics of [utc, allDay, iphone]) {
      const fast = readSimpleEvent(ics, 'Europe/London');
      expect(fast).toBeDefined();
      const full = fullReading(ics, 'Europe/London');
      expect(fast!.instance).toEqual(full.instance);
      expect(fast!.location).toEqual(full.location);
    }
    // 00:30 GMT to 03:00 BST on the night the clocks go forward: 1.5 hours.
    expect(readSimpleEvent(iphone, 'UTC')!.instance.end - readSimpleEvent(iphone, 'UTC')!.instance.start).toBe(1.5 * 3_600_000);
  });

  it('declines what is more than a simple event, leaving it to the full path', () => {
    const base = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:x', 'BEGIN:VEVENT', 'UID:u1', 'DTSTART:20261121T090000Z', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    expect(readSimpleEvent(base, 'UTC')).toBeDefined();
    for (const extraLine of ['RRULE:FREQ=DAILY', 'RDATE:20261122T090000Z', 'RECURRENCE-ID:20261121T090000Z', 'DURATION:PT1H']) {
      expect(readSimpleEvent(base.replace('UID:u1', `UID:u1\r\n${extraLine}`), 'UTC'), extraLine).toBeUndefined();
    }
    expect(readSimpleEvent(base.replace('VERSION:2.0', 'VERSION:2.0\r\nMETHOD:REQUEST'), 'UTC')).toBeUndefined();
    expect(readSimpleEvent(base.replace(/VEVENT/g, 'VTODO'), 'UTC')).toBeUndefined();
    expect(readSimpleEvent('not iCalendar at all', 'UTC')).toBeUndefined();
  });
});
