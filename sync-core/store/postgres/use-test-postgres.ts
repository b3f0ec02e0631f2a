/**
 * For a describe block that needs PostgreSQL: starts a test server (test-postgres.ts) before its
 * tests, stops it after, and hands it to them. Pair with `describe.skipIf(peer.skip)`.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Peer } from '../../../conformance/peers.js';
import { startTestPostgres, type TestPostgres } from './test-postgres.js';

export function useTestPostgres(peer: Peer): () => TestPostgres {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    peer.assert();
    server = await startTestPostgres();
  }, 60_000);
  afterAll(() => server?.stop());
  return () => {
    if (!server) throw new Error('the test PostgreSQL is not running');
    return server;
  };
}
