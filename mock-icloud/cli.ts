/**
 * `mock-icloud` command: serve the mock until SIGINT/SIGTERM (`mock-icloud --help`).
 *
 * Every flag can also come from the environment (PORT, PARTITION_PORT, HOST, …; see FLAGS), as in
 * a container; a flag wins over its variable. A bad value, from either, is refused while parsing
 * with exit 2, before anything listens. `record` and `world-from-capture` keep their own parsers
 * (record/cli.ts).
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import YAML from 'yaml';
import { configure, consoleIo, isoTime, port, printError, runProgram, UsageError, wantsJson, type CliIo } from '../common/cli.js';
import { FAULT_KINDS, faultFlagKeys, parseFaultFlag, type FaultSpec } from './control/faults.js';
import { parseLatencyProfile, type LatencyProfileOptions } from './control/latency-profile.js';
import { parseQuirks, quirkUsage, type Quirks } from './quirks.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './http/request-log.js';
import { startMockICloud, type MockICloudOptions, type RunningMockICloud } from './server.js';
import { recordMain, worldFromCaptureMain } from './record/cli.js';

const CONTROL_TOKEN = /^[\x21-\x7e]{16,}$/;

function controlToken(text: string): string {
  if (!CONTROL_TOKEN.test(text)) throw new InvalidArgumentError('expected at least 16 printable characters without spaces.');
  return text;
}

function quirkFlag(text: string, previous: Partial<Quirks> = {}): Partial<Quirks> {
  try {
    return { ...previous, ...parseQuirks([text]) };
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function latencyFlag(text: string): LatencyProfileOptions {
  try {
    return parseLatencyProfile(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function days(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text.trim())) throw new InvalidArgumentError('expected a number of days (0: never).');
  return Number(text);
}

function faultFlag(text: string, previous: FaultSpec[] = []): FaultSpec[] {
  try {
    return [...previous, parseFaultFlag(text)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function logLevelFlag(text: string): LogLevel {
  if (!isLogLevel(text)) throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(', ')}.`);
  return text;
}

/** A switch's variable (a flag without a value is simply present). */
function yesNo(text: string): boolean {
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new InvalidArgumentError('expected 1, true, 0 or false.');
}

interface Flag {
  flags: string;
  env: string;
  description: string;
  parse?: (value: string, previous?: never) => unknown;
}

/** Every serving flag with its environment variable: the help, the parser and the env lookup come from here. */
const FLAGS = {
  port: { flags: '--port <port>', env: 'PORT', description: 'gateway port (plays caldav.icloud.com), default 8443; 0 picks a free port (and then the partition port defaults to 0 too)', parse: port },
  'partition-port': { flags: '--partition-port <port>', env: 'PARTITION_PORT', description: 'partition port (plays pNN-caldav.icloud.com), default 8444; 0 picks a free port', parse: port },
  host: {
    flags: '--host <address>',
    env: 'HOST',
    description: 'address to bind, default 127.0.0.1; 0.0.0.0 serves every interface (advertised as 127.0.0.1/localhost unless public URLs are given) and needs a control token',
  },
  'partition-host': {
    flags: '--partition-host <name>',
    env: 'PARTITION_HOST',
    description: 'host name the partition is advertised under (default localhost: another name than the gateway, as pNN-caldav.icloud.com is on iCloud)',
  },
  'public-gateway-url': {
    flags: '--public-gateway-url <url>',
    env: 'PUBLIC_GATEWAY_URL',
    description: "the gateway's URL as clients reach it (a container's mapped port, a proxy): printed and returned as the server URL",
  },
  'public-partition-url': {
    flags: '--public-partition-url <url>',
    env: 'PUBLIC_PARTITION_URL',
    description: "the partition's URL as clients reach it: used in calendar-home-set and every absolute href",
  },
  world: { flags: '--world <file>', env: 'WORLD', description: 'world file (YAML/JSON) seeding accounts, calendars and events' },
  clock: { flags: '--clock <iso-time>', env: 'CLOCK', description: "pin the clock to this time (deterministic etags and tokens); default the world's now, else the system clock", parse: isoTime },
  fault: {
    flags: '--fault <spec>',
    env: 'FAULT',
    description: `switch a fault on from the start (repeatable; the variable takes specs separated by ";" or spaces): KIND[:key=value,…], e.g. unavailable:retryAfter=30,count=2 or latency:latencyMs=200,method=REPORT; kinds: ${FAULT_KINDS.join(', ')}; keys: ${faultFlagKeys()}`,
    parse: faultFlag as Flag['parse'],
  },
  faults: { flags: '--faults <file>', env: 'FAULTS', description: 'a YAML/JSON list of fault rules (the same fields as POST /__mock/faults)' },
  'control-token': {
    flags: '--control-token <token>',
    env: 'MOCK_ICLOUD_CONTROL_TOKEN',
    description: 'require "Authorization: Bearer TOKEN" on /__mock/ (16+ characters); needed when --host is beyond loopback, since the control plane exports every password',
    parse: controlToken,
  },
  quirk: {
    flags: '--quirk <name>',
    env: 'QUIRK',
    description: `switch a quirk from its default (repeatable): NAME=CHOICE, a two-way quirk's name alone, or a choice only one quirk has, e.g. recurrenceExpansion or expiredSyncToken=full-listing; quirks: ${quirkUsage()} (default first)`,
    parse: quirkFlag as Flag['parse'],
  },
  quirks: { flags: '--quirks <list>', env: 'QUIRKS', description: 'several quirks at once, separated by commas (as --quirk takes them)', parse: quirkFlag as Flag['parse'] },
  'latency-profile': {
    flags: '--latency-profile <profile>',
    env: 'LATENCY_PROFILE',
    description: "icloud[:SEED]: delays shaped like iCloud's (CalendarServer's load-test targets), seeded; default none",
    parse: latencyFlag,
  },
  'sync-token-lifetime-days': {
    flags: '--sync-token-lifetime-days <days>',
    env: 'SYNC_TOKEN_LIFETIME_DAYS',
    description: 'a sync token expires once a change after it is this many days old (default 14, as CalendarServer; 0 never)',
    parse: days,
  },
  'log-level': {
    flags: '--log-level <level>',
    env: 'LOG_LEVEL',
    description: `the request log, one JSON line per CalDAV request on stdout: ${LOG_LEVELS.join(', ')} (default info)`,
    parse: logLevelFlag,
  },
  'journal-bodies': {
    flags: '--journal-bodies',
    env: 'JOURNAL_BODIES',
    description: 'keep request and response bodies in the journal (GET /__mock/journal), at most 64 kB each; the variable takes 1/true or 0/false',
    parse: yesNo,
  },
} satisfies Record<string, Flag>;

type FlagName = keyof typeof FLAGS;

/** Each flag's environment variable. */
export const ENV_VARS = Object.fromEntries(Object.entries(FLAGS).map(([name, flag]) => [name, flag.env])) as { [K in FlagName]: (typeof FLAGS)[K]['env'] };

/** The flags as parsed: the server's own options where a flag maps onto one unchanged, then the CLI's. */
type ServeOptions = Pick<
  MockICloudOptions,
  'port' | 'partitionPort' | 'host' | 'partitionHost' | 'publicGatewayUrl' | 'publicPartitionUrl' | 'controlToken' | 'quirks' | 'syncTokenLifetimeDays' | 'logLevel' | 'journalBodies'
> & {
  world?: string;
  clock?: string;
  fault?: FaultSpec[];
  faults?: string;
  quirk?: Partial<Quirks>;
  latencyProfile?: LatencyProfileOptions;
  json?: boolean;
};

/** `unavailable:retryAfter=30,count=2,account=a@b` → a checked FaultSpec (the keys come from the kind's record). */
export { parseFaultFlag };

const camel = (name: string) => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/**
 * Runs the command; resolves to its exit status once the mock listens (it then serves until
 * SIGINT/SIGTERM) or once it has refused to start.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliIo = consoleIo): Promise<number> {
  // Subcommands: recording a real server, and a world file from a recording (record/).
  if (argv[0] === 'record') return recordMain(argv.slice(1));
  if (argv[0] === 'world-from-capture') return worldFromCaptureMain(argv.slice(1));
  const json = wantsJson(argv);
  let status = 0;
  const program = configure(new Command('mock-icloud'), io, json)
    .description('An iCloud CalDAV server for tests: the gateway (caldav.icloud.com) and a partition (pNN-caldav.icloud.com), seeded from a world file, with a control plane under /__mock/.')
    .usage('[options]  |  record [options]  |  world-from-capture CAPTURE.har');
  for (const flag of Object.values(FLAGS) as Flag[]) {
    const option = new Option(flag.flags, `${flag.description} [env: ${flag.env}]`);
    // A switch has no value to parse on the command line; its parser reads the variable only.
    if (flag.parse && flag.flags.includes('<')) option.argParser(flag.parse as (value: string, previous: unknown) => unknown);
    program.addOption(option);
  }
  program
    .option('--json', 'print the start-up summary and errors as JSON')
    .addHelpText(
      'after',
      `
A flag wins over its environment variable. Bad values are refused with exit status 2 before the
mock listens; a world or faults file that cannot be used gives 1.

Subcommands (each has --help):
  mock-icloud record --upstream URL --out FILE [--port P] [--partition-port Q]   record a real server
  mock-icloud world-from-capture CAPTURE.har > world.yaml                          a world from a recording`,
    )
    .action(async (options: ServeOptions) => {
      status = await serve(withEnvironment(program, options, env), io, json);
    });
  try {
    return await runProgram(program, argv, io, json, () => status);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printError(io, json, 'mock-icloud', 'invalid-argument', error.message);
    return 2;
  }
}

/** Fills each flag not given from its variable (an empty variable counts as unset), through the same parser. */
function withEnvironment(program: Command, options: ServeOptions, env: NodeJS.ProcessEnv): ServeOptions {
  const filled: Record<string, unknown> = { ...options };
  for (const [name, flag] of Object.entries(FLAGS) as Array<[FlagName, Flag]>) {
    const key = camel(name);
    const raw = env[flag.env];
    if (program.getOptionValueSource(key) === 'cli' || !raw) continue;
    // FAULT holds several specs, as the repeated flag does.
    const values = name === 'fault' ? raw.split(/[;\s]+/).filter(Boolean) : [raw];
    let value: unknown;
    for (const text of values) {
      try {
        value = flag.parse ? flag.parse(text, value as never) : text;
      } catch (error) {
        throw new UsageError(`option '${flag.flags}' value '${text}' from env '${flag.env}' is invalid. ${(error as Error).message}`);
      }
    }
    filled[key] = value;
  }
  return filled as ServeOptions;
}

async function serve(options: ServeOptions, io: CliIo, json: boolean): Promise<number> {
  const port = options.port ?? 8443;
  const host = options.host ?? '127.0.0.1';
  // `--port 0` alone: both origins on free ports.
  const partitionPort = options.partitionPort ?? (port === 0 ? 0 : 8444);
  let mock: RunningMockICloud;
  const added: Array<{ id: string; kind: string; match?: unknown }> = [];
  try {
    const faults = [...(options.fault ?? [])];
    if (options.faults) {
      const list = YAML.parse(readFileSync(options.faults, 'utf8')) as unknown;
      if (!Array.isArray(list)) throw new Error(`${options.faults}: expected a list of fault rules`);
      faults.push(...(list as FaultSpec[]));
    }
    mock = await startMockICloud({
      world: options.world,
      port,
      partitionPort,
      host,
      partitionHost: options.partitionHost,
      publicGatewayUrl: options.publicGatewayUrl,
      publicPartitionUrl: options.publicPartitionUrl,
      clock: options.clock,
      controlToken: options.controlToken,
      quirks: { ...options.quirks, ...options.quirk },
      latency: options.latencyProfile,
      syncTokenLifetimeDays: options.syncTokenLifetimeDays,
      logLevel: options.logLevel ?? 'info',
      journalBodies: options.journalBodies,
    });
    try {
      for (const spec of faults) added.push(mock.control.addFault(spec));
    } catch (error) {
      await mock.close();
      throw error;
    }
  } catch (error) {
    printError(io, json, 'mock-icloud', 'cannot-start', (error as Error).message);
    return 1;
  }
  const accounts = mock.control.listAccounts().map((account) => ({
    appleId: account.appleId,
    dsid: account.dsid,
    twoFactor: account.twoFactor,
    appPasswords: account.appPasswords.filter((p) => p.revokedAt === undefined).map((p) => p.password),
  }));
  const control = `${mock.gatewayUrl}__mock/`;
  if (json) {
    io.out(
      JSON.stringify({
        gateway: mock.gatewayUrl,
        partition: mock.partitionUrl,
        control,
        controlToken: options.controlToken !== undefined,
        listening: { host, ...mock.ports },
        accounts,
        faults: added,
      }),
    );
  } else {
    for (const fault of added) io.out(`fault: ${fault.id} ${fault.kind}${fault.match ? ` ${JSON.stringify(fault.match)}` : ''}`);
    if (mock.gatewayUrl !== `http://127.0.0.1:${mock.ports.gateway}/` || host !== '127.0.0.1') {
      io.out(`listening: ${host} ports ${mock.ports.gateway} (gateway) and ${mock.ports.partition} (partition)`);
    }
    io.out(`gateway: ${mock.gatewayUrl}`);
    io.out(`partition: ${mock.partitionUrl}`);
    io.out(`control: ${control}${options.controlToken ? ' (Authorization: Bearer <control token>)' : ''}`);
    for (const account of accounts) {
      const how = !account.twoFactor
        ? 'two-factor off: every password is refused'
        : account.appPasswords.length
          ? `app-specific password ${account.appPasswords.join(', ')}`
          : 'no app-specific password';
      io.out(`account: ${account.appleId} (DSID ${account.dsid}), ${how}`);
    }
  }
  const shutdown = (signal: string) => {
    if (!json) io.out(`mock-icloud: ${signal}, stopping`);
    mock.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return 0;
}
