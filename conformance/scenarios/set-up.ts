/**
 * A fresh world for one scenario: a mock iCloud seeded with the scenario's world, a sync core on an
 * in-memory database, both on the same pinned clock, and the platform side of `given`. The core's
 * fetch counts requests so `sync: { interruptAfterRequests | loseAnswerOf }` can kill a run at an
 * exact point, as a crash would.
 */
import { dirname, resolve } from 'node:path';
import { FixedClock } from '../../common/clock.js';
import { startMockICloud, type World } from '../../mock-icloud/index.js';
import { SyncCore } from '../../sync-core/sync-core.js';
import { need } from './lookups.js';
import type { ScenarioRun } from './run-state.js';
import type { Scenario } from './schema.js';

export class Interrupted extends Error {
  constructor() {
    super('sync interrupted by the scenario (interruptAfterRequests / loseAnswerOf)');
  }
}

export async function setUp(scenario: Scenario): Promise<ScenarioRun> {
  const now = Date.parse(scenario.given.now);
  const clock = new FixedClock(now);
  const base = dirname(scenario.file);
  const world = typeof scenario.given.icloud === 'string' ? resolve(base, scenario.given.icloud) : (scenario.given.icloud as unknown as World);
  const mock = await startMockICloud({ world, worldBaseDir: base, clock: now });
  mock.control.setClock(now);
  const run: ScenarioRun = {
    scenario,
    mock,
    clock,
    core: undefined as unknown as SyncCore,
    subAccounts: new Map(),
    users: new Map(),
    contacts: new Map(),
    calendars: new Map(),
    events: new Map(),
    connections: new Map(),
    reports: new Map(),
    lastSync: { journalFrom: 0, journalTo: 0 },
    requests: 0,
    snapshots: new Map(),
  };
  const interruptingFetch: typeof fetch = async (input, init) => {
    run.requests++;
    if (run.interruptAfter !== undefined && run.requests > run.interruptAfter) throw new Interrupted();
    if (run.loseAnswerOf !== undefined && run.requests > run.loseAnswerOf) throw new Interrupted();
    const response = await fetch(input, init);
    if (run.requests === run.loseAnswerOf) throw new Interrupted(); // iCloud did the work; the answer is lost
    return response;
  };
  try {
    run.core = new SyncCore({ clock, fetch: interruptingFetch, window: scenario.given.window });
    const p = run.core.platform;
    for (const sa of scenario.given.platform.subAccounts) {
      const sub = p.createSubAccount({ name: sa.name });
      run.subAccounts.set(sa.name, sub.id);
      for (const [key, u] of Object.entries(sa.users)) run.users.set(key, p.createUser({ subAccountId: sub.id, name: u.name, email: u.email, timeZone: u.timeZone, workingHours: u.workingHours }));
      for (const [key, c] of Object.entries(sa.contacts)) run.contacts.set(key, p.createContact({ subAccountId: sub.id, name: c.name, email: c.email }).id);
      for (const [key, c] of Object.entries(sa.calendars)) {
        const memberIds = c.members.map((m) => need(run.users, m, 'user').id);
        run.calendars.set(key, p.createCalendar({ subAccountId: sub.id, name: c.name, type: c.type as never, memberIds, slotMinutes: c.slotMinutes, capacity: c.capacity }));
      }
    }
  } catch (error) {
    run.core?.close();
    await mock.close();
    throw error;
  }
  return run;
}
