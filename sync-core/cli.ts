/**
 * `icloud-sync`: drive the sync core from a shell, against iCloud, the mock, or any CalDAV server.
 * All state (platform model and sync state) lives in one database (--db, default icloud-sync.sqlite).
 *
 * Results go to stdout (as JSON with --json, the sync report included); errors to stderr, one line
 * (`{"error":{"code","message"}}` with --json). Exit status: 0 done; 1 the engine refused, a sync
 * failed or the database could not be opened (`database-unavailable`); 2 usage (an unknown or
 * malformed option is refused while parsing, before any work).
 */
import { hostname } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { configure, consoleIo, isoTime, printError, runProgram, UsageError, wantsJson, wholeNumber, type CliIo } from '../common/cli.js';
import { driverCommand } from '../conformance/driver/reference-adapter.js';
import { PlatformError } from './platform/store.js';
import { SyncError } from './errors.js';
import { CALENDAR_TYPES, type CalendarType } from './platform/model.js';
import type { SyncReport } from './engine/report.js';
import { FailureLog, runWorker } from './scheduler/worker-loop.js';
import { shownLocation } from './store/open.js';
import { SyncCore } from './sync-core.js';

interface GlobalOptions {
  db: string;
  json?: boolean;
  secretKey?: string;
}

const positive = wholeNumber(1);
const seconds = (text: string): number => {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(n > 0)) throw new InvalidArgumentError('expected a number of seconds above 0.');
  return n;
};
/** An ISO time as epoch ms, checked while parsing. */
const time = (text: string): number => Date.parse(isoTime(text));
const list = (value: string, previous: string[] = []) => [...previous, value];

/** Runs `fn` until it ends, with a signal SIGINT or SIGTERM aborts (watch and worker stop after their round). */
async function untilSignalled<T>(fn: (stop: AbortSignal) => Promise<T>): Promise<T> {
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await fn(stopping.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export async function main(argv: string[], out: (line: string) => void = consoleIo.out, err: (line: string) => void = consoleIo.err): Promise<number> {
  // The conformance adapter has its own options (conformance/driver/reference-adapter.ts) and no
  // database: it serves fresh engines per scenario.
  if (argv[0] === 'driver') return driverCommand(argv.slice(1), out, err);
  const io: CliIo = { out, err };
  const json = wantsJson(argv);
  let status = 0;
  const program = configure(new Command('icloud-sync'), io, json)
    .description('Drive the iCloud sync core from a shell: set up the platform side, connect Apple IDs, choose calendars, sync.')
    .usage('[--db FILE|URL] [--json] <command> [options]')
    .addOption(new Option('--db <file>', 'the database holding platform and sync state: a SQLite file, or a postgres:// URL').env('ICLOUD_SYNC_DB').default('icloud-sync.sqlite'))
    .option('--json', 'print results and errors as JSON')
    .addOption(
      new Option('--secret-key <key>', 'encrypts app-specific passwords at rest: 32 bytes as hex or base64 (openssl rand -base64 32); give it in the environment, where ps does not show it').env(
        'ICLOUD_SYNC_SECRET_KEY',
      ),
    )
    .argument('[command...]')
    .addHelpText('after', "\n--server defaults to https://caldav.icloud.com/ (use the mock's gateway URL offline). Every command has --help.")
    // No command, or one that does not exist (a known one is dispatched before this).
    .action((operands: string[]) => {
      if (operands.length === 0) {
        if (json) throw new UsageError('a command is required (add --help for the list)', 'missing-command');
        program.outputHelp({ error: true });
        status = 2;
        return;
      }
      throw new UsageError(`unknown command "${operands.join(' ')}"`, 'unknown-command');
    });

  /** Runs a command with a SyncCore on --db, printing its result; errors become exit statuses. */
  const withCore =
    (action: (core: SyncCore, print: (human: string, data: unknown) => void, options: Record<string, any>) => Promise<number>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const global = program.opts<GlobalOptions>();
      const core = await SyncCore.open({ database: global.db, secretKey: global.secretKey });
      const print = (human: string, data: unknown) => out(json ? JSON.stringify(data, null, 2) : human);
      try {
        status = await action(core, print, command.opts());
      } finally {
        await core.close();
      }
    };
  const subAccount = async (core: SyncCore, name: string) => (await core.platform.listSubAccounts()).find((s) => s.name === name || s.id === name) ?? (await core.platform.createSubAccount({ name }));

  const user = program.command('user').description('platform users');
  user
    .command('add')
    .description('add a user to a sub-account (created if new)')
    .requiredOption('--sub-account <name>', 'sub-account name or id')
    .requiredOption('--name <name>', "the user's name")
    .requiredOption('--email <email>', "the user's e-mail address")
    .requiredOption('--time-zone <zone>', 'IANA time zone, e.g. Europe/London')
    .action(
      withCore(async (core, print, o) => {
        const created = await core.platform.createUser({ subAccountId: (await subAccount(core, o.subAccount)).id, name: o.name, email: o.email, timeZone: o.timeZone });
        print(`user ${created.id}: ${created.name} (${created.timeZone})`, created);
        return 0;
      }),
    );

  program
    .command('contact')
    .description('platform contacts (who books)')
    .command('add')
    .description('add a contact to a sub-account (created if new)')
    .requiredOption('--sub-account <name>', 'sub-account name or id')
    .requiredOption('--name <name>', "the contact's name")
    .option('--email <email>', "the contact's e-mail address")
    .action(
      withCore(async (core, print, o) => {
        const contact = await core.platform.createContact({ subAccountId: (await subAccount(core, o.subAccount)).id, name: o.name, email: o.email });
        print(`contact ${contact.id}: ${contact.name}`, contact);
        return 0;
      }),
    );

  program
    .command('calendar')
    .description('platform calendars')
    .command('add')
    .description('add a platform calendar')
    .requiredOption('--sub-account <name>', 'sub-account name or id')
    .requiredOption('--name <name>', "the calendar's name")
    .addOption(new Option('--type <type>', 'the calendar type').choices(CALENDAR_TYPES).makeOptionMandatory())
    // Optional, as before: the engine says which types need members.
    .option('--member <user-id>', 'a member user (repeatable)', list, [] as string[])
    .option('--slot-minutes <n>', 'slot length in minutes', positive)
    .action(
      withCore(async (core, print, o) => {
        const calendar = await core.platform.createCalendar({
          subAccountId: (await subAccount(core, o.subAccount)).id,
          name: o.name,
          type: o.type as CalendarType,
          memberIds: o.member,
          slotMinutes: o.slotMinutes,
        });
        print(`calendar ${calendar.id}: ${calendar.name} (${calendar.type}, iCloud sync ${calendar.icloudSync ? 'on' : 'off'})`, calendar);
        return 0;
      }),
    );

  program
    .command('book')
    .description('book an appointment on a platform calendar')
    .requiredOption('--calendar <id>', 'the platform calendar')
    .requiredOption('--start <iso-time>', 'start, e.g. 2026-12-01T10:00:00Z', time)
    .requiredOption('--contact <id>', 'who books')
    .option('--title <text>', 'the appointment title')
    .action(
      withCore(async (core, print, o) => {
        const event = await core.book({ calendarId: o.calendar, start: o.start, contactId: o.contact, title: o.title });
        print(`appointment ${event.id}: ${event.title}, ${new Date(event.start).toISOString()}–${new Date(event.end).toISOString()}, with ${event.userIds.join(', ')}`, event);
        return 0;
      }),
    );

  program
    .command('connect')
    .description("connect a user's Apple ID with an app-specific password; lists the calendars offered")
    .requiredOption('--user <id>', 'the platform user')
    .requiredOption('--apple-id <email>', 'the Apple ID')
    .requiredOption('--app-password <password>', 'an app-specific password (xxxx-xxxx-xxxx-xxxx) from appleid.apple.com')
    .option('--server <url>', 'the CalDAV server (default https://caldav.icloud.com/)')
    .action(
      withCore(async (core, print, o) => {
        const found = await core.platform.getUser(o.user);
        if (!found) throw new SyncError('not-found', `no user ${o.user}`);
        const connection = await core.connections.connect({ subAccountId: found.subAccountId, userId: found.id, appleId: o.appleId, appPassword: o.appPassword, serverUrl: o.server });
        const calendars = await core.connections.offered(connection.id);
        print(
          `connection ${connection.id}: ${connection.appleId} for ${found.name}\n${formatCalendars(calendars)}\nNext: icloud-sync choose --connection ${connection.id} --linked NAME [--conflict NAME …]`,
          { connection: { ...connection, appPassword: undefined }, calendars },
        );
        return 0;
      }),
    );

  program
    .command('calendars')
    .description("a connection's iCloud calendars")
    .requiredOption('--connection <id>', 'the connection')
    .option('--refresh', 'ask iCloud again')
    .action(
      withCore(async (core, print, o) => {
        const calendars = o.refresh ? await core.connections.refreshCalendars(o.connection) : await core.connections.offered(o.connection);
        print(formatCalendars(calendars), calendars);
        return 0;
      }),
    );

  program
    .command('choose')
    .description('choose the linked calendar and the conflict calendars')
    .requiredOption('--connection <id>', 'the connection')
    .option('--linked <name>', 'the calendar bookings are written to')
    .option('--conflict <name>', 'a calendar whose events block time (repeatable)', list)
    .action(
      withCore(async (core, print, o) => {
        const calendars = await core.connections.chooseCalendars(o.connection, { linked: o.linked, conflict: o.conflict });
        print(formatCalendars(calendars), calendars);
        return 0;
      }),
    );

  program
    .command('sync')
    .description('sync one connection, or every active one; exit 1 when a sync failed')
    .option('--connection <id>', 'the connection')
    .option('--all', 'every active connection')
    .action(
      withCore(async (core, print, o) => {
        if (!o.all && !o.connection) throw new UsageError('--connection is required (or --all)');
        const reports = o.all ? await Promise.all((await core.state.listConnections()).filter((c) => c.status === 'active').map((c) => core.sync(c.id))) : [await core.sync(o.connection)];
        print(reports.map(formatReport).join('\n'), reports);
        return reports.some((r) => r.outcome === 'failed') ? 1 : 0;
      }),
    );

  program
    .command('watch')
    .description('poll every due connection until Ctrl-C (5 min cadence, jitter, backoff); with --json one report per line; a round that fails is reported on stderr and tried again')
    .option('--every-seconds <n>', 'how often to look for due connections', seconds, 15)
    .action(
      withCore(async (core, _print, o) => {
        err(`icloud-sync: polling ${(await core.state.listConnections()).length} connection(s); Ctrl-C to stop`);
        const failures = new FailureLog((line) => err(`icloud-sync: ${line}`));
        await untilSignalled((stop) =>
          runWorker(
            {
              tick: () => core.poll(),
              report: (report) => out(json ? JSON.stringify(report) : formatReport(report)),
              failed: failures.failed,
              recovered: failures.recovered,
              stop,
            },
            { idleMs: o.everySeconds * 1000 },
          ),
        );
        return 0;
      }),
    );

  program
    .command('worker')
    .description(
      'one of several workers sharing a database (a postgres:// --db): lease the connections that are due, sync them, give them back with their next poll time; a worker that dies loses its leases when they run out; a round that fails (the database restarting) is reported on stderr and tried again. SIGTERM or SIGINT stops it after the current batch',
    )
    .option('--every-seconds <n>', 'how long to wait when nothing is due (after a failed round: twice as long each time, up to a minute)', seconds, 5)
    .option('--concurrency <n>', 'connections synced at once', positive, 4)
    .option('--batch <n>', 'connections leased at a time', positive, 20)
    .option('--lease-seconds <n>', 'how long a lease lasts without renewal (renewed every third of it while syncing)', seconds, 600)
    .option('--worker-id <id>', 'the name leases and User-Agent carry (default host:pid)')
    .action(async (o: { everySeconds: number; concurrency: number; batch: number; leaseSeconds: number; workerId?: string }) => {
      const global = program.opts<GlobalOptions>();
      const workerId = o.workerId ?? `${hostname()}:${process.pid}`;
      const core = await SyncCore.open({ database: global.db, secretKey: global.secretKey, workerId, schedule: { workerId, concurrency: o.concurrency, leaseMs: o.leaseSeconds * 1000 } });
      err(`icloud-sync worker ${workerId}: leasing due connections from ${shownLocation(global.db)}`);
      const failures = new FailureLog((line) => err(`icloud-sync worker ${workerId}: ${line}`));
      try {
        await untilSignalled((stop) =>
          runWorker(
            {
              tick: () => core.scheduler.tick({ limit: o.batch }),
              report: (report) => out(json ? JSON.stringify({ worker: workerId, ...report }) : `${workerId} ${formatReport(report)}`),
              failed: failures.failed,
              recovered: failures.recovered,
              stop,
            },
            { idleMs: o.everySeconds * 1000 },
          ),
        );
      } finally {
        await core.close();
      }
      status = 0;
    });

  program
    .command('reconnect')
    .description('give a connection a new app-specific password')
    .requiredOption('--connection <id>', 'the connection')
    .requiredOption('--app-password <password>', 'the new app-specific password')
    .action(
      withCore(async (core, print, o) => {
        const connection = await core.connections.reconnect(o.connection, o.appPassword);
        print(`connection ${connection.id}: ${connection.status}`, { ...connection, appPassword: undefined });
        return 0;
      }),
    );

  program
    .command('seal-passwords')
    .description('encrypt the app-specific passwords stored before a secret key was given (needs ICLOUD_SYNC_SECRET_KEY)')
    .action(
      withCore(async (core, print) => {
        const sealed = await core.connections.sealStoredPasswords();
        print(`${sealed} app-specific password${sealed === 1 ? '' : 's'} sealed`, { sealed });
        return 0;
      }),
    );

  program
    .command('availability')
    .description("a user's free slots, after iCloud's busy events")
    .requiredOption('--user <id>', 'the platform user')
    .requiredOption('--from <iso-time>', 'from, e.g. 2026-12-01T09:00:00Z', time)
    .requiredOption('--to <iso-time>', 'to', time)
    .option('--slot-minutes <n>', 'slot length in minutes', positive, 30)
    .action(
      withCore(async (core, print, o) => {
        const slots = await core.freeSlots(o.user, { start: o.from, end: o.to }, o.slotMinutes);
        print(slots.length ? slots.map((s) => `free ${new Date(s.start).toISOString()} – ${new Date(s.end).toISOString()}`).join('\n') : 'no free slots', slots);
        return 0;
      }),
    );

  program
    .command('status')
    .description('every connection: status, last sync, next poll')
    .action(
      withCore(async (core, print) => {
        const rows = (await core.state.listConnections()).map((c) => ({
          id: c.id,
          appleId: c.appleId,
          userId: c.userId,
          status: c.status,
          reason: c.statusReason,
          lastSyncAt: c.lastSyncAt && new Date(c.lastSyncAt).toISOString(),
          nextPollAt: new Date(c.nextPollAt).toISOString(),
        }));
        print(
          rows.length ? rows.map((r) => `${r.id} ${r.appleId} user ${r.userId}: ${r.status}${r.reason ? ` (${r.reason})` : ''}, last sync ${r.lastSyncAt ?? 'never'}`).join('\n') : 'no connections',
          rows,
        );
        return 0;
      }),
    );

  // Reached only after global options (`--json driver …`); `driver` first is dispatched above.
  program
    .command('driver')
    .description('serve the conformance driver protocol (icloud-conformance scenarios --driver URL) on 127.0.0.1:P; prints its URL (driver --help)')
    .usage('--port P')
    .helpOption(false)
    .allowUnknownOption()
    .argument('[options...]')
    .action(async (args: string[]) => {
      status = await driverCommand(args, out, err);
    });

  try {
    return await runProgram(program, argv, io, json, () => status);
  } catch (error) {
    if (error instanceof UsageError) {
      printError(io, json, 'icloud-sync', error.code, json ? error.message : `${error.message} (add --help for usage)`);
      return 2;
    }
    if (error instanceof SyncError || error instanceof PlatformError) {
      printError(io, json, 'icloud-sync', error.code, error.message);
      return 1;
    }
    throw error;
  }
}

function formatCalendars(calendars: Awaited<ReturnType<SyncCore['connections']['offered']>>): string {
  return calendars
    .map((c) => `  ${c.isLinked ? 'linked  ' : c.isConflict ? 'conflict' : '        '}  ${c.displayName}  (${c.access}${c.canBeLinked ? '' : ', cannot be linked'})  ${c.url}`)
    .join('\n');
}

function formatReport(r: SyncReport): string {
  const lines = [
    `${r.connectionId}: ${r.outcome} — pulled ${r.pulled.created} new, ${r.pulled.updated} changed; pushed ${r.pushed.created} new, ${r.pushed.updated} changed, ${r.pushed.deleted} removed; ${r.conflicts.length} conflict(s)`,
    ...r.skipped.map((s) => `  skipped${s.eventId ? ` ${s.eventId}` : ''}: ${s.reason}`),
    ...r.errors.map((e) => `  error (${e.phase}): ${e.message}`),
  ];
  return lines.join('\n');
}
