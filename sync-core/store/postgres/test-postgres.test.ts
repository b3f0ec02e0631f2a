/**
 * The test PostgreSQL itself: started in a temporary directory, reachable on loopback with `pg`,
 * one database per suite, gone after stop.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresPeer, startTestPostgres, type TestPostgres } from './test-postgres.js';

const peer = await postgresPeer();

describe.skipIf(peer.skip)('a PostgreSQL started by the tests', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    peer.assert();
    server = await startTestPostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  it('answers on loopback and gives each suite its own database', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    const url = await server.createDatabase('suite_one');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (n integer)');
      await client.query('INSERT INTO t VALUES (41), (1)');
      expect((await client.query('SELECT sum(n)::int AS s, current_database() AS db FROM t')).rows[0]).toEqual({ s: 42, db: 'suite_one' });
    } finally {
      await client.end();
    }
  });

  it('leaves nothing behind when stopped', async () => {
    const other = await startTestPostgres();
    expect(existsSync(other.directory)).toBe(true);
    await other.stop();
    expect(existsSync(other.directory)).toBe(false);
    const client = new pg.Client({ connectionString: other.url, connectionTimeoutMillis: 2000 });
    await expect(client.connect()).rejects.toThrow();
  }, 60_000);
});
