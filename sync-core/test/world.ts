/**
 * A platform world and the demo iCloud world, both on the same pinned clock, for the sync-core
 * integration tests. Alice (Europe/London) and Bob are members of team calendars of every type.
 */
import { startMockICloud, type Quirks, type RunningMockICloud } from '../../mock-icloud/index.js';
import { DEMO_WORLD } from '../../mock-icloud/test/helpers.js';
import { FixedClock } from '../../common/clock.js';
import type { PlatformCalendar, User } from '../platform/model.js';
import { SyncCore } from '../sync-core.js';

export const NOW = Date.parse('2026-11-21T09:00:00Z');
export const ALICE_ICLOUD = { appleId: 'alice@example.com', appPassword: 'abcd-efgh-ijkl-mnop', regularPassword: 'not-an-app-password' };
export const BOB_ICLOUD = { appleId: 'bob@example.com', appPassword: 'bbbb-cccc-dddd-eeee' };

export interface TestWorld {
  mock: RunningMockICloud;
  core: SyncCore;
  clock: FixedClock;
  subAccountId: string;
  alice: User;
  bob: User;
  calendars: Record<'roundRobin' | 'collective' | 'classBooking' | 'service' | 'simple' | 'event', PlatformCalendar>;
  contactId: string;
  /** Called before each request the sync core sends (tests use it to change iCloud mid-run). */
  onRequest?: (method: string, url: string) => void;
  /** Moves both clocks (the mock's and the sync core's). */
  advance(ms: number): void;
  close(): Promise<void>;
}

export async function createWorld(
  options: { database?: string; secretKey?: string; aliceTimeZone?: string; port?: number; partitionPort?: number; quirks?: Partial<Quirks> } = {},
): Promise<TestWorld> {
  const clock = new FixedClock(NOW);
  const mock = await startMockICloud({ world: DEMO_WORLD, clock: NOW, port: options.port, partitionPort: options.partitionPort, quirks: options.quirks });
  let world: TestWorld | undefined;
  const hookedFetch: typeof fetch = (input, init) => {
    world?.onRequest?.(init?.method ?? 'GET', String(input));
    return fetch(input, init);
  };
  const core = await SyncCore.open({ clock, database: options.database, secretKey: options.secretKey, fetch: hookedFetch });
  const p = core.platform;
  const sub = await p.createSubAccount({ name: 'Acme Clinic' });
  const alice = await p.createUser({ subAccountId: sub.id, name: 'Alice Appleseed', email: 'alice@acme.test', timeZone: options.aliceTimeZone ?? 'Europe/London' });
  const bob = await p.createUser({ subAccountId: sub.id, name: 'Bob Baker', email: 'bob@acme.test', timeZone: 'Europe/London' });
  const contact = await p.createContact({ subAccountId: sub.id, name: 'Carla Client', email: 'carla@client.test' });
  const cal = (name: string, type: PlatformCalendar['type'], memberIds: string[]) => p.createCalendar({ subAccountId: sub.id, name, type, memberIds, slotMinutes: 30 });
  const calendars = {
    roundRobin: await cal('Consultations', 'round_robin', [alice.id, bob.id]),
    collective: await cal('Team review', 'collective', [alice.id, bob.id]),
    classBooking: await cal('Yoga class', 'class_booking', [alice.id]),
    service: await cal('Massage', 'service', [alice.id]),
    simple: await cal('Alice personal', 'simple', [alice.id]),
    event: await cal('Open day', 'event', [alice.id]),
  };
  world = {
    mock,
    core,
    clock,
    subAccountId: sub.id,
    alice,
    bob,
    calendars,
    contactId: contact.id,
    advance(ms) {
      clock.advance(ms);
      mock.control.setClock(clock.now());
    },
    async close() {
      await core.close();
      await mock.close();
    },
  };
  return world!;
}

/** Connects Alice with her demo iCloud account and picks `work` as linked, `home` as conflict calendar. */
export async function connectAlice(w: TestWorld, choice: { linked?: string; conflict?: string[] } = { linked: 'work', conflict: ['home'] }) {
  const connection = await w.core.connections.connect({ subAccountId: w.subAccountId, userId: w.alice.id, ...ALICE_ICLOUD, serverUrl: w.mock.gatewayUrl });
  await w.core.connections.chooseCalendars(connection.id, choice);
  return connection;
}

export const at = (iso: string) => Date.parse(iso);

/** A VEVENT "as if on an iPhone". */
export function iphoneEvent(uid: string, start: string, end: string, extra: string[] = [], summary = 'iPhone event'): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Apple Inc.//iPhone OS 26.1//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261121T090000Z',
    'LAST-MODIFIED:20261121T090000Z',
    `DTSTART:${start}`,
    `DTEND:${end}`,
    `SUMMARY:${summary}`,
    ...extra,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}
