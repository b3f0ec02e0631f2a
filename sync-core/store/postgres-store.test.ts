/** The PostgreSQL store refuses a server too old for its schema, before it migrates anything. */
import { expect, it } from 'vitest';
import { checkServerVersion, OLDEST_POSTGRES } from './postgres-store.js';

it(`refuses a PostgreSQL older than ${OLDEST_POSTGRES}, naming the version, and takes ${OLDEST_POSTGRES} and later`, () => {
  expect(() => checkServerVersion(120020, '12.20 (Debian 12.20-1)')).toThrow('PostgreSQL 13 or later is needed; this server runs PostgreSQL 12.20 (Debian 12.20-1)');
  expect(() => checkServerVersion(130000, '13.0')).not.toThrow();
  expect(() => checkServerVersion(150014, '15.14')).not.toThrow();
});
