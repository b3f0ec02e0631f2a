/**
 * world-from-capture: a tsdav session against the demo world, recorded through the proxy, becomes a
 * world file the mock's own validation accepts, and a mock serving it shows the same calendars and
 * the events the session found (not the one it created).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDAVClient } from 'tsdav';
import { ALICE, startDemo } from '../test/helpers.js';
import { startMockICloud, type RunningMockICloud } from '../index.js';
import { parseWorldText, worldToYaml } from '../world/files.js';
import type { World, WorldOwnedCalendar } from '../world/schema.js';
import { parseHar, type Har } from './har.js';
import { startRecordingProxy } from './proxy.js';
import { SESSION_UID, tsdavSession } from './test/tsdav-session.js';
import { CAPTURE_APP_PASSWORD, worldFromCapture } from './world-from-capture.js';

let demo: RunningMockICloud;
let har: Har;
let world: World;
const warnings: string[] = [];

beforeAll(async () => {
  demo = await startDemo();
  const proxy = await startRecordingProxy({ upstream: demo.gatewayUrl });
  await tsdavSession(proxy.gatewayUrl, ALICE.appleId, ALICE.appPassword, 'work');
  await proxy.close();
  har = parseHar(JSON.stringify(proxy.har()));
  world = worldFromCapture(har, { warn: (l) => warnings.push(l) });
});
afterAll(() => demo?.close());

const owned = (w: World, name: string) => w.accounts[0]!.calendars!.find((c) => 'name' in c && c.name === name) as WorldOwnedCalendar | undefined;

describe('world-from-capture', () => {
  it('is a world file the mock validates, with the anonymised account', () => {
    const again = parseWorldText(worldToYaml(world), 'built world');
    expect(again.accounts.map((a) => a.appleId)).toEqual(['appleid-1@example.invalid', 'owner-1@example.invalid']);
    expect(again.accounts[0]).toMatchObject({ appleId: 'appleid-1@example.invalid', dsid: '99000000001', fullName: 'Person 1', appPasswords: [CAPTURE_APP_PASSWORD] });
    expect(again.now).toBe(new Date(har.log.entries[0]!.startedDateTime).toISOString());
  });

  it('has the calendars the capture listed, with their names, components and colours', () => {
    const names = world.accounts[0]!.calendars!.map((c) => ('name' in c ? c.name : ''));
    const demoNames = demo.control.listCalendars(ALICE.appleId).map((c) => c.name);
    expect(names.sort()).toEqual(demoNames.sort());
    // Bob's calendar, shared read-only: a stand-in owner shares it back under the same name.
    const shared = world.accounts[0]!.calendars!.find((c) => 'sharedFrom' in c);
    expect(shared).toMatchObject({
      sharedFrom: { owner: 'owner-1@example.invalid', calendar: 'shared', access: 'read-only' },
      name: demoNames.find((n) => /^[0-9a-f]{64}$/.test(n)),
      displayName: "Bob's family",
    });
    expect(world.accounts[1]).toMatchObject({ appleId: 'owner-1@example.invalid' });
    // The subscription stays one (tsdav never asks for its source, so it gets a stand-in).
    expect(world.accounts[0]!.calendars!.find((c) => 'subscribed' in c)).toMatchObject({ displayName: 'UK Holidays', subscribed: 'https://example.invalid/unknown-source.ics' });
    expect(owned(world, 'work')).toMatchObject({ displayName: 'Work', component: 'VEVENT', color: '#CC73E1FF' });
    expect(owned(world, 'tasks')).toMatchObject({ component: 'VTODO' });
    expect(warnings).toEqual([]);
  });

  it('has the events the session found at the start, not the one it created', () => {
    const work = owned(world, 'work')!;
    const demoWork = demo.control.listEvents(ALICE.appleId, 'work');
    expect(work.events!.map((e) => e.name).sort()).toHaveLength(demoWork.length);
    expect(work.events!.some((e) => e.ics!.includes('SUMMARY:Pick John from school'))).toBe(true);
    expect(JSON.stringify(world)).not.toContain('Recorded session event');
    // At the end, the session's event was deleted again: still absent, and the others are there.
    const end = worldFromCapture(har, { at: 'end' });
    expect(owned(end, 'work')!.events).toHaveLength(demoWork.length);
    expect(JSON.stringify(end)).not.toContain(SESSION_UID);
  });

  it('is served by the mock: tsdav sees the same calendars and events', async () => {
    const mock = await startMockICloud({ world });
    try {
      const client = await createDAVClient({
        serverUrl: mock.gatewayUrl,
        credentials: { username: 'appleid-1@example.invalid', password: CAPTURE_APP_PASSWORD },
        authMethod: 'Basic',
        defaultAccountType: 'caldav',
      });
      const calendars = await client.fetchCalendars();
      const work = calendars.find((c) => c.url.endsWith('/calendars/work/'))!;
      expect(work).toMatchObject({ displayName: 'Work', calendarColor: '#CC73E1FF' });
      const objects = await client.fetchCalendarObjects({ calendar: work });
      expect(
        objects
          .map((o) =>
            String(o.data)
              .match(/SUMMARY:(.*)/)?.[1]
              ?.trim(),
          )
          .sort(),
      ).toEqual(
        demo.control
          .listEvents(ALICE.appleId, 'work')
          .map((e) => e.data.match(/SUMMARY:(.*)/)?.[1]?.trim())
          .sort(),
      );
    } finally {
      await mock.close();
    }
  });
});
