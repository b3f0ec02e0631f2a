/**
 * The PostgreSQL store refuses a server too old for its schema, before it migrates anything, and
 * a database it cannot open is refused naming it (openStore), without its password.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../common/clock.js';
import { SyncError } from '../errors.js';
import { openStore } from './open.js';
import { checkServerVersion, OLDEST_POSTGRES } from './postgres-store.js';
import { postgresPeer } from './postgres/test-postgres.js';
import { useTestPostgres } from './postgres/use-test-postgres.js';

it(`refuses a PostgreSQL older than ${OLDEST_POSTGRES}, naming the version, and takes ${OLDEST_POSTGRES} and later`, () => {
  expect(() => checkServerVersion(120020, '12.20 (Debian 12.20-1)')).toThrow('PostgreSQL 13 or later is needed; this server runs PostgreSQL 12.20 (Debian 12.20-1)');
  expect(() => checkServerVersion(130000, '13.0')).not.toThrow();
  expect(() => checkServerVersion(150014, '15.14')).not.toThrow();
});

const postgres = await postgresPeer();

describe.skipIf(postgres.skip)('opening a PostgreSQL database', () => {
  const server = useTestPostgres(postgres);

  it('a database the server does not have: database-unavailable, naming it without the password, with the server’s reason', async () => {
    const url = server()
      .url.replace(/\/postgres$/, '/no_such_database')
      .replace('//test@', '//test:s3cret@');
    expect(url).toMatch(/^postgres:\/\/test:s3cret@127\.0\.0\.1:\d+\/no_such_database$/);
    const refusal = await openStore(url, new FixedClock(0)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(SyncError);
    expect(refusal).toMatchObject({ code: 'database-unavailable', message: `cannot open the database ${url.replace('test:s3cret@', '…@')}: database "no_such_database" does not exist` });
  });
});
