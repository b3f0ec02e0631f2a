/**
 * A fresh world for one scenario: a mock iCloud seeded with the scenario's world, a fresh engine
 * from the driver factory, both on the same pinned clock, and the platform side of `given`.
 */
import { dirname, resolve } from 'node:path';
import { FixedClock } from '../../common/clock.js';
import { startMockICloud, type World } from '../../mock-icloud/index.js';
import type { DriverFactory, SyncEngineDriver } from '../driver/driver.js';
import { need } from './lookups.js';
import type { ScenarioRun } from './run-state.js';
import type { Scenario } from './schema.js';

export async function setUp(scenario: Scenario, createDriver: DriverFactory): Promise<ScenarioRun> {
  const now = Date.parse(scenario.given.now);
  const base = dirname(scenario.file);
  const world = typeof scenario.given.icloud === 'string' ? resolve(base, scenario.given.icloud) : (scenario.given.icloud as unknown as World);
  const mock = await startMockICloud({ world, worldBaseDir: base, clock: now });
  mock.control.setClock(now);
  let driver: SyncEngineDriver | undefined;
  try {
    driver = await createDriver({ now, window: scenario.given.window });
    const run: ScenarioRun = {
      scenario,
      mock,
      driver,
      clock: new FixedClock(now),
      subAccounts: new Map(),
      users: new Map(),
      contacts: new Map(),
      calendars: new Map(),
      events: new Map(),
      connections: new Map(),
      reports: new Map(),
      lastSync: { journalFrom: 0, journalTo: 0 },
      snapshots: new Map(),
    };
    for (const sa of scenario.given.platform.subAccounts) {
      const subAccountId = await driver.createSubAccount({ name: sa.name });
      run.subAccounts.set(sa.name, subAccountId);
      for (const [key, u] of Object.entries(sa.users)) {
        run.users.set(key, { id: await driver.createUser({ subAccountId, name: u.name, email: u.email, timeZone: u.timeZone, workingHours: u.workingHours }), subAccountId, name: u.name });
      }
      for (const [key, c] of Object.entries(sa.contacts)) run.contacts.set(key, await driver.createContact({ subAccountId, name: c.name, email: c.email }));
      for (const [key, c] of Object.entries(sa.calendars)) {
        const memberIds = c.members.map((m) => need(run.users, m, 'user').id);
        run.calendars.set(key, await driver.createCalendar({ subAccountId, name: c.name, type: c.type, memberIds, slotMinutes: c.slotMinutes, capacity: c.capacity }));
      }
    }
    return run;
  } catch (error) {
    await driver?.close();
    await mock.close();
    throw error;
  }
}
