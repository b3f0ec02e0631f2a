/**
 * `mock-icloud` command: serve the mock until SIGINT/SIGTERM.
 *
 *   mock-icloud [--port P] [--partition-port Q] [--host H] [--world FILE] [--clock ISO]
 *               [--public-gateway-url URL] [--public-partition-url URL] [--fault SPEC]… [--faults FILE]
 *
 * Every flag can also come from the environment (PORT, PARTITION_PORT, HOST, …; see USAGE), as
 * in a container; a flag wins over its variable.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { FAULT_KINDS, type FaultSpec } from './control/faults.js';
import { startMockICloud } from './server.js';
import { recordMain, worldFromCaptureMain } from './record/cli.js';

const USAGE = `usage: mock-icloud [--port P] [--partition-port Q] [--host 127.0.0.1] [--world FILE] [--clock ISO-TIME]
                   [--public-gateway-url URL] [--public-partition-url URL] [--fault SPEC]... [--faults FILE]

  --port                  gateway port (plays caldav.icloud.com), default 8443; 0 picks a free port
                          (and then the partition port defaults to 0 too)                [PORT]
  --partition-port        partition port (plays pNN-caldav.icloud.com), default 8444; 0 picks a
                          free port                                                      [PARTITION_PORT]
  --host                  address to bind, default 127.0.0.1; 0.0.0.0 serves every interface
                          (advertised as 127.0.0.1/localhost unless public URLs are given) [HOST]
  --partition-host        host name the partition is advertised under (default localhost: another
                          host name than the gateway's, as pNN-caldav.icloud.com is on iCloud) [PARTITION_HOST]
  --public-gateway-url    the gateway's URL as clients reach it (a container's mapped port, a
                          proxy): printed and returned as the server URL                 [PUBLIC_GATEWAY_URL]
  --public-partition-url  the partition's URL as clients reach it: used in calendar-home-set and
                          every absolute href                                            [PUBLIC_PARTITION_URL]
  --world                 world file (YAML/JSON) to seed accounts, calendars and events  [WORLD]
  --clock                 pin the clock to this time (deterministic etags and tokens)    [CLOCK]
  --fault SPEC            switch a fault on from the start (repeatable): KIND[:key=value,…], e.g.
                            --fault unavailable:retryAfter=30,count=2
                            --fault latency:latencyMs=200,method=REPORT
                            --fault truncate-sync:pageSize=50,calendar=work
                          keys: count, after, probability, seed, from, until, retryAfter, latencyMs,
                          latencyJitterMs, pageSize, and the scope account, calendar, method, path
                          [FAULT: one or more SPECs separated by ";" or white space]
  --faults FILE           a YAML/JSON list of fault rules (the same fields as POST /__mock/faults) [FAULTS]
  --control-token TOKEN   require "Authorization: Bearer TOKEN" on /__mock/ (16+ characters); needed
                          when --host is beyond loopback, since the control plane exports every
                          password                                                       [MOCK_ICLOUD_CONTROL_TOKEN]
  kinds: ${FAULT_KINDS.join(', ')}

A flag wins over its environment variable.

       mock-icloud record --upstream URL --out FILE [--port P] [--partition-port Q]   (record a real server; --help)
       mock-icloud world-from-capture CAPTURE.har > world.yaml                          (a world from a recording)`;

/** Each flag's environment variable. */
export const ENV_VARS = {
  port: 'PORT',
  'partition-port': 'PARTITION_PORT',
  host: 'HOST',
  'partition-host': 'PARTITION_HOST',
  'public-gateway-url': 'PUBLIC_GATEWAY_URL',
  'public-partition-url': 'PUBLIC_PARTITION_URL',
  world: 'WORLD',
  clock: 'CLOCK',
  fault: 'FAULT',
  faults: 'FAULTS',
  'control-token': 'MOCK_ICLOUD_CONTROL_TOKEN',
} as const;

const MATCH_KEYS = new Set(['account', 'calendar', 'method', 'path']);
const NUMBER_KEYS = new Set(['count', 'after', 'probability', 'seed', 'retryAfter', 'latencyMs', 'latencyJitterMs', 'pageSize']);

/** `unavailable:retryAfter=30,count=2,account=a@b` → a FaultSpec. */
export function parseFaultFlag(flag: string): FaultSpec {
  const [kind, rest = ''] = flag.split(/:(.*)/s, 2);
  const spec: Record<string, unknown> = { kind };
  const match: Record<string, string> = {};
  for (const pair of rest.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--fault ${flag}: "${pair}" is not key=value`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (MATCH_KEYS.has(key)) match[key] = value;
    else if (NUMBER_KEYS.has(key)) {
      if (!Number.isFinite(Number(value))) throw new Error(`--fault ${flag}: ${key} must be a number`);
      spec[key] = Number(value);
    } else if (key === 'from' || key === 'until') spec[key] = value;
    else throw new Error(`--fault ${flag}: unknown key "${key}"`);
  }
  if (Object.keys(match).length) spec.match = match;
  return spec as unknown as FaultSpec;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Subcommands: recording a real server, and a world file from a recording (record/).
  if (argv[0] === 'record') return void (process.exitCode = await recordMain(argv.slice(1)));
  if (argv[0] === 'world-from-capture') return void (process.exitCode = await worldFromCaptureMain(argv.slice(1)));
  let flags;
  try {
    flags = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'partition-port': { type: 'string' },
        host: { type: 'string' },
        'partition-host': { type: 'string' },
        'public-gateway-url': { type: 'string' },
        'public-partition-url': { type: 'string' },
        world: { type: 'string' },
        clock: { type: 'string' },
        fault: { type: 'string', multiple: true },
        faults: { type: 'string' },
        'control-token': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`mock-icloud: ${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  // A flag, else its variable (an empty variable counts as unset).
  const value = (name: Exclude<keyof typeof ENV_VARS, 'fault'>): string | undefined => flags[name] ?? (env[ENV_VARS[name]] || undefined);
  const args = {
    port: value('port') ?? '8443',
    host: value('host') ?? '127.0.0.1',
    'partition-host': value('partition-host'),
    'public-gateway-url': value('public-gateway-url'),
    'public-partition-url': value('public-partition-url'),
    world: value('world'),
    clock: value('clock'),
    fault: flags.fault ?? (env.FAULT ? env.FAULT.split(/[;\s]+/).filter(Boolean) : []),
    faults: value('faults'),
    'control-token': value('control-token'),
  };
  // `--port 0` alone: both origins on free ports.
  const partitionPortText = value('partition-port') ?? (Number(args.port) === 0 ? '0' : '8444');
  const port = Number(args.port);
  const partitionPort = Number(partitionPortText);
  if (!/^\d+$/.test(args.port.trim()) || !/^\d+$/.test(partitionPortText.trim()) || port > 65535 || partitionPort > 65535) {
    console.error(`mock-icloud: ports must be whole numbers from 0 to 65535 (got ${args.port} and ${partitionPortText})\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  let mock;
  try {
    const faults = args.fault.map(parseFaultFlag);
    if (args.faults) {
      const list = YAML.parse(readFileSync(args.faults, 'utf8')) as unknown;
      if (!Array.isArray(list)) throw new Error(`${args.faults}: expected a list of fault rules`);
      faults.push(...(list as FaultSpec[]));
    }
    mock = await startMockICloud({
      world: args.world,
      port,
      partitionPort,
      host: args.host,
      partitionHost: args['partition-host'],
      publicGatewayUrl: args['public-gateway-url'],
      publicPartitionUrl: args['public-partition-url'],
      clock: args.clock,
      controlToken: args['control-token'],
    });
    try {
      for (const spec of faults) {
        const fault = mock.control.addFault(spec);
        console.log(`fault: ${fault.id} ${fault.kind}${fault.match ? ` ${JSON.stringify(fault.match)}` : ''}`);
      }
    } catch (error) {
      await mock.close();
      throw error;
    }
  } catch (error) {
    console.error(`mock-icloud: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const accounts = mock.control.listAccounts();
  if (mock.gatewayUrl !== `http://127.0.0.1:${mock.ports.gateway}/` || args.host !== '127.0.0.1') {
    console.log(`listening: ${args.host} ports ${mock.ports.gateway} (gateway) and ${mock.ports.partition} (partition)`);
  }
  console.log(`gateway: ${mock.gatewayUrl}`);
  console.log(`partition: ${mock.partitionUrl}`);
  console.log(`control: ${mock.gatewayUrl}__mock/${args['control-token'] ? ' (Authorization: Bearer <control token>)' : ''}`);
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
