/**
 * Every store passes the same contract (contract.ts): SQLite (a file, so a second store can open
 * the same database), and PostgreSQL started by the tests in a temporary directory (skipped with
 * one line where it is not installed, unless REQUIRE_PEERS=1 or REQUIRE_POSTGRES=1).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { FixedClock } from '../../common/clock.js';
import { storeContract, T0 } from './contract.js';
import { PostgresStore } from './postgres-store.js';
import { postgresPeer, someoneWaitsForALock } from './postgres/test-postgres.js';
import { useTestPostgres } from './postgres/use-test-postgres.js';
import { SqliteStore } from './sqlite-store.js';

describe('SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new FixedClock(T0);
  let n = 0;
  let path = '';
  storeContract('sqlite', {
    clock,
    async open() {
      path = join(dir, `db-${++n}.sqlite`);
      return new SqliteStore(path, clock);
    },
    async reopen() {
      return new SqliteStore(path, clock);
    },
  });
});

const postgres = await postgresPeer();

describe.skipIf(postgres.skip)('PostgreSQL store', () => {
  const server = useTestPostgres(postgres);
  const clock = new FixedClock(T0);
  let n = 0;
  let url = '';
  storeContract('postgres', {
    clock,
    async open() {
      url = await server().createDatabase(`contract_${++n}`);
      return PostgresStore.open(url, clock);
    },
    async reopen() {
      return PostgresStore.open(url, clock);
    },
    async waitForLockWait(store) {
      const db = (store as PostgresStore).db;
      await someoneWaitsForALock((sql) => db.get<{ n: number }>(sql));
    },
  });
});
