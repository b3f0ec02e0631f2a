/**
 * The reference adapter: sync-core served over the HTTP driver protocol, as `icloud-sync driver
 * --port P`. It is the worked example of an adapter (README "Testing your own engine"): the generic
 * server with the SyncCoreDriver behind it, each session a fresh in-memory engine whose fetch
 * applies the crash points, so interrupted and lost-answer syncs work over HTTP as in-process.
 */
import { parseArgs } from 'node:util';
import { startDriverServer, type RunningDriverServer } from './http-server.js';
import { PREFIX } from './http-protocol.js';
import { syncCoreDriver } from './sync-core-driver.js';

export function startReferenceAdapter(port = 0): Promise<RunningDriverServer> {
  return startDriverServer(syncCoreDriver, { port, host: '127.0.0.1' });
}

export const DRIVER_USAGE = `usage: icloud-sync driver --port P

Serves sync-core over the conformance driver protocol (conformance/driver/PROTOCOL.md) on
127.0.0.1:P (0: any free port), prints its URL, and runs until interrupted. Then:
  icloud-conformance scenarios --driver <URL>`;

/** Reads `--port P` (and nothing else), or says exactly what is wrong. */
export function parseDriverPort(argv: string[]): number | string {
  let port: string | undefined;
  try {
    ({ port } = parseArgs({ args: argv, options: { port: { type: 'string' } }, allowPositionals: false, strict: true }).values);
  } catch (error) {
    return (error as Error).message;
  }
  if (port === undefined) return '--port is required (0 for any free port)';
  if (!/^\d+$/.test(port) || Number(port) > 65535) return `--port must be a whole number from 0 to 65535, not "${port}"`;
  return Number(port);
}

/**
 * `icloud-sync driver --port P`: prints the URL on its own line (a script can read it), then
 * serves until SIGINT or SIGTERM. Exit status 2 on a usage error, 1 when the port cannot be had.
 */
export async function driverCommand(argv: string[], out: (line: string) => void, err: (line: string) => void = console.error): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out(DRIVER_USAGE);
    return 0;
  }
  const port = parseDriverPort(argv);
  if (typeof port === 'string') {
    err(`icloud-sync driver: ${port}\n${DRIVER_USAGE}`);
    return 2;
  }
  let server: RunningDriverServer;
  try {
    server = await startReferenceAdapter(port);
  } catch (error) {
    err(`icloud-sync driver: cannot listen on 127.0.0.1:${port}: ${(error as Error).message}`);
    return 1;
  }
  out(server.url);
  err(`icloud-sync driver: serving sync-core (protocol ${PREFIX}); Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
