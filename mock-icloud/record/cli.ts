/**
 * The `mock-icloud record` and `mock-icloud world-from-capture` subcommands. Every problem a user
 * can cause (a missing flag, a bad URL, a file that is not a capture) is one line on stderr and
 * exit code 2 (usage) or 1 (input), never a stack trace.
 */
import { parseArgs } from 'node:util';
import { worldToYaml } from '../world/files.js';
import { readHar } from './har.js';
import { parseUpstream, startRecordingProxy } from './proxy.js';
import { worldFromCapture } from './world-from-capture.js';

const RECORD_USAGE = `usage: mock-icloud record --upstream URL --out FILE [--port P] [--partition-port Q] [--no-anonymise]

  --upstream URL        the server to record, e.g. https://caldav.icloud.com/
  --out FILE            the HAR 1.2 capture, rewritten after every exchange
  --port P              the proxy's gateway port: point the client here (default 8443; 0 = free)
  --partition-port Q    the proxy's partition port (default 8444; 0 = free)
  --no-anonymise        keep passwords, Apple ID, DSID, names, UIDs and tokens (never share such a file)

Stops on Ctrl-C (SIGINT) or SIGTERM.`;

const WORLD_USAGE = `usage: mock-icloud world-from-capture CAPTURE.har [--at start|end] > world.yaml

  --at start   the account as the recording found it (default): a replay of the capture meets it
  --at end     the account as the recording left it`;

interface Io {
  out: (text: string) => void;
  err: (line: string) => void;
}

const defaultIo: Io = { out: (t) => process.stdout.write(t), err: (l) => process.stderr.write(`${l}\n`) };

export async function recordMain(argv: string[], io: Io = defaultIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        upstream: { type: 'string' },
        out: { type: 'string' },
        port: { type: 'string' },
        'partition-port': { type: 'string' },
        'no-anonymise': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.err(`mock-icloud record: ${(error as Error).message}\n${RECORD_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(`${RECORD_USAGE}\n`);
    return 0;
  }
  if (!values.upstream || !values.out) {
    io.err(`mock-icloud record: --upstream and --out are required\n${RECORD_USAGE}`);
    return 2;
  }
  const port = Number(values.port ?? 8443);
  const partitionPort = Number(values['partition-port'] ?? (port === 0 ? 0 : 8444));
  if (![port, partitionPort].every((p) => Number.isInteger(p) && p >= 0 && p <= 65535)) {
    io.err(`mock-icloud record: ports must be whole numbers from 0 to 65535`);
    return 2;
  }
  try {
    parseUpstream(values.upstream);
    const anonymise = !values['no-anonymise'];
    const proxy = await startRecordingProxy({ upstream: values.upstream, out: values.out, port, partitionPort, anonymise, log: io.err });
    io.out(`gateway: ${proxy.gatewayUrl}\npartition: ${proxy.partitionUrl}\nrecording: ${values.out}${anonymise ? ' (anonymised)' : ' (NOT anonymised: holds your credentials and private data)'}\n`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        io.err(`mock-icloud record: ${signal}, writing ${values.out} and stopping`);
        void proxy.close().then(resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  } catch (error) {
    io.err(`mock-icloud record: ${(error as Error).message}`);
    return 1;
  }
}

export async function worldFromCaptureMain(argv: string[], io: Io = defaultIo): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { at: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    io.err(`mock-icloud world-from-capture: ${(error as Error).message}\n${WORLD_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(`${WORLD_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1 || (values.at !== undefined && values.at !== 'start' && values.at !== 'end')) {
    io.err(`mock-icloud world-from-capture: give one capture file${values.at !== undefined ? ' and --at start or end' : ''}\n${WORLD_USAGE}`);
    return 2;
  }
  try {
    const world = worldFromCapture(readHar(positionals[0]!), { at: values.at as 'start' | 'end' | undefined, warn: (l) => io.err(`warning: ${l}`) });
    io.out(worldToYaml(world));
    return 0;
  } catch (error) {
    io.err(`mock-icloud world-from-capture: ${(error as Error).message}`);
    return 1;
  }
}
