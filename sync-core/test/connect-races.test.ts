/**
 * Two connects at once (a double click, two admins, two processes): each must be refused as it
 * would be after the other (C2, C3), on either store. A connect checks, then asks iCloud (seconds
 * on the real service), then writes: both checks came before either write.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SyncError } from '../errors.js';
import { postgresPeer } from '../store/postgres/test-postgres.js';
import { useTestPostgres } from '../store/postgres/use-test-postgres.js';
import { ALICE_ICLOUD, BOB_ICLOUD, createWorld, type TestWorld } from './world.js';

/** Each result, or the SyncError code it failed with. */
async function outcomes(attempts: Promise<{ id: string }>[]): Promise<string[]> {
  const settled = await Promise.allSettled(attempts);
  return settled.map((s) => {
    if (s.status === 'fulfilled') return 'connected';
    if (s.reason instanceof SyncError) return s.reason.code;
    throw s.reason;
  });
}

function connectRaces(open: () => Promise<TestWorld>): void {
  let w: TestWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });
  const connect = (world: TestWorld, userId: string, account: { appleId: string; appPassword: string }, subAccountId = world.subAccountId) =>
    world.core.connections.connect({ subAccountId, userId, appleId: account.appleId, appPassword: account.appPassword, serverUrl: world.mock.gatewayUrl });

  it('one user connected twice at once: one connection, the other refused as already connected (C2)', async () => {
    w = await open();
    const results = await outcomes([connect(w, w.alice.id, ALICE_ICLOUD), connect(w, w.alice.id, BOB_ICLOUD)]);
    expect(results.sort()).toEqual(['already-connected', 'connected']);
    expect(await w.core.state.connectionsForUser(w.alice.id)).toHaveLength(1);
  });

  it('one Apple ID connected in two sub-accounts at once: one connection, the other refused (C3)', async () => {
    w = await open();
    const other = await w.core.platform.createSubAccount({ name: 'Other clinic' });
    const dave = await w.core.platform.createUser({ subAccountId: other.id, name: 'Dave', email: 'd@o.test', timeZone: 'Europe/Paris' });
    const results = await outcomes([connect(w, w.alice.id, ALICE_ICLOUD), connect(w, dave.id, ALICE_ICLOUD, other.id)]);
    expect(results.sort()).toEqual(['apple-id-in-other-sub-account', 'connected']);
    expect(await w.core.state.connectionsForAppleId(ALICE_ICLOUD.appleId)).toHaveLength(1);
  });
}

describe('two connects at once, on SQLite', () => {
  connectRaces(() => createWorld());
});

const postgres = await postgresPeer();

describe.skipIf(postgres.skip)('two connects at once, on PostgreSQL', () => {
  const server = useTestPostgres(postgres);
  let n = 0;
  connectRaces(async () => createWorld({ database: await server().createDatabase(`connect_races_${++n}`) }));
});
