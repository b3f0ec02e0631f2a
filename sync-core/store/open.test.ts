/** What `--db` looks like where it is shown: never a password, and a file path untouched. */
import { expect, it } from 'vitest';
import { shownLocation } from './open.js';

it('leaves out a URL’s user and password, and shows a file path as it is', () => {
  expect(shownLocation('postgres://sync:s3cret@db.internal:5432/icloud_sync')).toBe('postgres://…@db.internal:5432/icloud_sync');
  expect(shownLocation('postgresql://sync@db.internal/icloud_sync')).toBe('postgresql://…@db.internal/icloud_sync');
  expect(shownLocation('postgres://db.internal/icloud_sync')).toBe('postgres://db.internal/icloud_sync');
  expect(shownLocation('/var/lib//state@2026/sync.sqlite')).toBe('/var/lib//state@2026/sync.sqlite');
});
