/**
 * The whole scenario suite again, with sync-core on PostgreSQL instead of SQLite: a fresh
 * database per scenario on a server the test starts in a temporary directory. The same rules
 * hold whatever the store (issue 13). Skipped with one line without PostgreSQL, unless
 * REQUIRE_PEERS=1 or REQUIRE_POSTGRES=1.
 */
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../sync-core/store/postgres-store.js';
import { postgresPeer } from '../../sync-core/store/postgres/test-postgres.js';
import { useTestPostgres } from '../../sync-core/store/postgres/use-test-postgres.js';
import { DEFAULT_SCENARIOS } from '../cli.js';
import { syncCoreDriverOn } from '../driver/sync-core-driver.js';
import { formatSuite, runSuite } from './suite.js';

const postgres = await postgresPeer();

describe.skipIf(postgres.skip)('rule scenarios on PostgreSQL', () => {
  const server = useTestPostgres(postgres);

  it('all pass with sync-core on PostgreSQL', async () => {
    let n = 0;
    const driver = syncCoreDriverOn(async (clock) => PostgresStore.open(await server().createDatabase(`scenario_${++n}`), clock, { poolSize: 2 }));
    const result = await runSuite([DEFAULT_SCENARIOS], { concurrency: 4, driver });
    const failing = result.scenarios.filter((s) => !s.passed || s.skipped);
    expect(
      failing.map((s) => `${s.file}: ${s.skipped ?? s.failure?.message}`),
      formatSuite(result, { requireAllRules: true }),
    ).toEqual([]);
    expect(result.rules.filter((r) => !r.passed).map((r) => r.id)).toEqual([]);
  }, 600_000);
});
