/**
 * Runs one sync in its own process and kills itself with SIGKILL at a chosen point: just before
 * sending, or just after receiving, its k-th HTTP request. Used by crash.test.ts.
 *
 *   crash-child.ts <database: SQLite path or postgres:// URL> <connectionId> <nowEpochMs> <k> <before|after>
 */
import { FixedClock } from '../../common/clock.js';
import { SyncCore } from '../sync-core.js';

const [database, connectionId, now, k, mode] = process.argv.slice(2);
let count = 0;
const crash = () => process.kill(process.pid, 'SIGKILL');
const fetchThenMaybeDie: typeof fetch = async (input, init) => {
  // This request's number, kept: requests overlap (the next download is asked for while a page is
  // applied), so by the time this answer arrives `count` may have moved on.
  const n = ++count;
  if (n === Number(k) && mode === 'before') crash();
  const response = await fetch(input, init);
  if (n === Number(k) && mode === 'after') {
    await response.clone().arrayBuffer(); // the server has answered; the client dies before using it
    crash();
  }
  return response;
};
const core = await SyncCore.open({ database, clock: new FixedClock(Number(now)), fetch: fetchThenMaybeDie });
await core.sync(connectionId);
await core.close();
process.stdout.write(`completed after ${count} requests\n`);
