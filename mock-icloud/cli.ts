/**
 * `mock-icloud` command: serve the mock until SIGINT/SIGTERM.
 *
 *   mock-icloud [--port P] [--partition-port Q] [--host H] [--world FILE] [--clock ISO]
 */
import { parseArgs } from 'node:util';
import { startMockICloud } from './server.js';

const USAGE = `usage: mock-icloud [--port P] [--partition-port Q] [--host 127.0.0.1] [--world FILE] [--clock ISO-TIME]

  --port            gateway port (plays caldav.icloud.com), default 8443; 0 picks a free port
  --partition-port  partition port (plays pNN-caldav.icloud.com), default 8444; 0 picks a free port
  --host            address to bind, default 127.0.0.1
  --world           world file (YAML/JSON) to seed accounts, calendars and events
  --clock           pin the clock to this time (deterministic etags and tokens)`;

export async function main(argv: string[]): Promise<void> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8443' },
        'partition-port': { type: 'string', default: '8444' },
        host: { type: 'string', default: '127.0.0.1' },
        world: { type: 'string' },
        clock: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`mock-icloud: ${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(args.port);
  const partitionPort = Number(args['partition-port']);
  if (!Number.isInteger(port) || !Number.isInteger(partitionPort) || port < 0 || partitionPort < 0) {
    console.error(`mock-icloud: ports must be whole numbers\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  let mock;
  try {
    mock = await startMockICloud({ world: args.world, port, partitionPort, host: args.host, clock: args.clock });
  } catch (error) {
    console.error(`mock-icloud: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const accounts = mock.control.listAccounts();
  console.log(`gateway: ${mock.gatewayUrl}`);
  console.log(`partition: ${mock.partitionUrl}`);
  console.log(`control: ${mock.gatewayUrl}__mock/`);
  for (const account of accounts) {
    const active = account.appPasswords.filter((p) => p.revokedAt === undefined).map((p) => p.password);
    const how = !account.twoFactor ? 'two-factor off: every password is refused' : active.length ? `app-specific password ${active.join(', ')}` : 'no app-specific password';
    console.log(`account: ${account.appleId} (DSID ${account.dsid}), ${how}`);
  }
  const shutdown = (signal: string) => {
    console.log(`mock-icloud: ${signal}, stopping`);
    mock.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
