/**
 * `mock-icloud` command: serve the mock until SIGINT/SIGTERM.
 *
 *   mock-icloud [--port P] [--partition-port Q] [--host H] [--world FILE] [--clock ISO]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { FAULT_KINDS, type FaultSpec } from './control/faults.js';
import { startMockICloud } from './server.js';

const USAGE = `usage: mock-icloud [--port P] [--partition-port Q] [--host 127.0.0.1] [--world FILE] [--clock ISO-TIME]

  --port            gateway port (plays caldav.icloud.com), default 8443; 0 picks a free port
  --partition-port  partition port (plays pNN-caldav.icloud.com), default 8444; 0 picks a free port
  --host            address to bind, default 127.0.0.1
  --partition-host  host name the partition is advertised under (default localhost: another
                    host name than the gateway's, as pNN-caldav.icloud.com is on iCloud)
  --world           world file (YAML/JSON) to seed accounts, calendars and events
  --clock           pin the clock to this time (deterministic etags and tokens)
  --fault SPEC      switch a fault on from the start (repeatable): KIND[:key=value,…], e.g.
                      --fault unavailable:retryAfter=30,count=2
                      --fault latency:latencyMs=200,method=REPORT
                      --fault truncate-sync:pageSize=50,calendar=work
                    keys: count, after, probability, seed, from, until, retryAfter, latencyMs,
                    latencyJitterMs, pageSize, and the scope account, calendar, method, path
  --faults FILE     a YAML/JSON list of fault rules (the same fields as POST /__mock/faults)
  kinds: ${FAULT_KINDS.join(', ')}`;

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

export async function main(argv: string[]): Promise<void> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8443' },
        'partition-port': { type: 'string', default: '8444' },
        host: { type: 'string', default: '127.0.0.1' },
        'partition-host': { type: 'string' },
        world: { type: 'string' },
        clock: { type: 'string' },
        fault: { type: 'string', multiple: true },
        faults: { type: 'string' },
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
    const faults = (args.fault ?? []).map(parseFaultFlag);
    if (args.faults) {
      const list = YAML.parse(readFileSync(args.faults, 'utf8')) as unknown;
      if (!Array.isArray(list)) throw new Error(`${args.faults}: expected a list of fault rules`);
      faults.push(...(list as FaultSpec[]));
    }
    mock = await startMockICloud({ world: args.world, port, partitionPort, host: args.host, partitionHost: args['partition-host'], clock: args.clock });
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
