/**
 * `icloud-sync`: drive the sync core from a shell, against iCloud, the mock, or any CalDAV server.
 * All state (platform model and sync state) lives in one SQLite file (--db, default icloud-sync.sqlite).
 */
import { parseArgs } from 'node:util';
import { driverCommand } from '../conformance/driver/reference-adapter.js';
import { PlatformError } from './platform/store.js';
import { SyncError } from './errors.js';
import { CALENDAR_TYPES, type CalendarType } from './platform/model.js';
import type { SyncReport } from './engine/report.js';
import { SyncCore } from './sync-core.js';

const USAGE = `usage: icloud-sync [--db FILE] [--json] <command> [options]

Set up the platform side:
  user add --sub-account NAME --name NAME --email EMAIL --time-zone ZONE
  contact add --sub-account NAME --name NAME [--email EMAIL]
  calendar add --sub-account NAME --name NAME --type TYPE --member USER_ID [--member USER_ID …] [--slot-minutes 30]
      TYPE: ${CALENDAR_TYPES.join(', ')}
  book --calendar ID --start ISO --contact ID [--title TEXT]

Connect and sync:
  connect --user USER_ID --apple-id EMAIL --app-password xxxx-xxxx-xxxx-xxxx [--server URL]
  calendars --connection ID [--refresh]
  choose --connection ID [--linked NAME] [--conflict NAME …]
  sync (--connection ID | --all)
  watch [--every-seconds 15]             poll all connections until Ctrl-C (5 min cadence, jitter, backoff)
  reconnect --connection ID --app-password xxxx-xxxx-xxxx-xxxx
  availability --user ID --from ISO --to ISO [--slot-minutes 30]
  status

Serve the conformance driver protocol (icloud-conformance scenarios --driver URL):
  driver --port P                        on 127.0.0.1:P (0: any free port); prints its URL

--server defaults to https://caldav.icloud.com/ (use the mock's gateway URL offline).`;

const OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'sub-account': { type: 'string' },
  name: { type: 'string' },
  email: { type: 'string' },
  'time-zone': { type: 'string' },
  type: { type: 'string' },
  member: { type: 'string', multiple: true },
  'slot-minutes': { type: 'string' },
  calendar: { type: 'string' },
  start: { type: 'string' },
  contact: { type: 'string' },
  title: { type: 'string' },
  user: { type: 'string' },
  'apple-id': { type: 'string' },
  'app-password': { type: 'string' },
  server: { type: 'string' },
  connection: { type: 'string' },
  refresh: { type: 'boolean' },
  linked: { type: 'string' },
  conflict: { type: 'string', multiple: true },
  all: { type: 'boolean' },
  'every-seconds': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

class UsageError extends Error {}

function need(values: Values, key: keyof Values): string {
  const v = values[key];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${key} is required`);
  return v;
}

function time(values: Values, key: keyof Values): number {
  const raw = need(values, key);
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new UsageError(`--${key} must be an ISO time, e.g. 2026-12-01T10:00:00Z (got "${raw}")`);
  return ms;
}

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  // The conformance adapter has its own options and no database: it serves fresh engines per scenario.
  if (argv[0] === 'driver') return driverCommand(argv.slice(1), out);
  let parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    out(`icloud-sync: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  const core = new SyncCore({ database: values.db ?? 'icloud-sync.sqlite' });
  const print = (human: string, data: unknown) => out(values.json ? JSON.stringify(data, null, 2) : human);
  try {
    const subAccount = async (name: string) => (await core.platform.listSubAccounts()).find((s) => s.name === name || s.id === name) ?? (await core.platform.createSubAccount({ name }));
    const [command, sub] = positionals;
    switch (`${command}${sub ? ` ${sub}` : ''}`) {
      case 'user add': {
        const user = await core.platform.createUser({ subAccountId: (await subAccount(need(values, 'sub-account'))).id, name: need(values, 'name'), email: need(values, 'email'), timeZone: need(values, 'time-zone') });
        print(`user ${user.id}: ${user.name} (${user.timeZone})`, user);
        return 0;
      }
      case 'contact add': {
        const contact = await core.platform.createContact({ subAccountId: (await subAccount(need(values, 'sub-account'))).id, name: need(values, 'name'), email: values.email });
        print(`contact ${contact.id}: ${contact.name}`, contact);
        return 0;
      }
      case 'calendar add': {
        const type = need(values, 'type') as CalendarType;
        if (!CALENDAR_TYPES.includes(type)) throw new UsageError(`--type must be one of ${CALENDAR_TYPES.join(', ')}`);
        const calendar = await core.platform.createCalendar({ subAccountId: (await subAccount(need(values, 'sub-account'))).id, name: need(values, 'name'), type, memberIds: values.member ?? [], slotMinutes: values['slot-minutes'] ? Number(values['slot-minutes']) : undefined });
        print(`calendar ${calendar.id}: ${calendar.name} (${calendar.type}, iCloud sync ${calendar.icloudSync ? 'on' : 'off'})`, calendar);
        return 0;
      }
      case 'book': {
        const event = await core.book({ calendarId: need(values, 'calendar'), start: time(values, 'start'), contactId: need(values, 'contact'), title: values.title });
        print(`appointment ${event.id}: ${event.title}, ${new Date(event.start).toISOString()}–${new Date(event.end).toISOString()}, with ${event.userIds.join(', ')}`, event);
        return 0;
      }
      case 'connect': {
        const user = await core.platform.getUser(need(values, 'user'));
        if (!user) throw new SyncError('not-found', `no user ${values.user}`);
        const connection = await core.connections.connect({ subAccountId: user.subAccountId, userId: user.id, appleId: need(values, 'apple-id'), appPassword: need(values, 'app-password'), serverUrl: values.server });
        const calendars = await core.connections.offered(connection.id);
        print(`connection ${connection.id}: ${connection.appleId} for ${user.name}\n${formatCalendars(calendars)}\nNext: icloud-sync choose --connection ${connection.id} --linked NAME [--conflict NAME …]`, { connection: { ...connection, appPassword: undefined }, calendars });
        return 0;
      }
      case 'calendars': {
        const id = need(values, 'connection');
        const calendars = values.refresh ? await core.connections.refreshCalendars(id) : await core.connections.offered(id);
        print(formatCalendars(calendars), calendars);
        return 0;
      }
      case 'choose': {
        const calendars = await core.connections.chooseCalendars(need(values, 'connection'), { linked: values.linked, conflict: values.conflict });
        print(formatCalendars(calendars), calendars);
        return 0;
      }
      case 'sync': {
        const reports = values.all ? await Promise.all((await core.state.listConnections()).filter((c) => c.status === 'active').map((c) => core.sync(c.id))) : [await core.sync(need(values, 'connection'))];
        print(reports.map(formatReport).join('\n'), reports);
        return reports.some((r) => r.outcome === 'failed') ? 1 : 0;
      }
      case 'watch': {
        const every = Number(values['every-seconds'] ?? 15) * 1000;
        out(`icloud-sync: polling ${(await core.state.listConnections()).length} connection(s); Ctrl-C to stop`);
        for (;;) {
          for (const report of await core.poll()) out(formatReport(report));
          await new Promise((r) => setTimeout(r, every));
        }
      }
      case 'reconnect': {
        const connection = await core.connections.reconnect(need(values, 'connection'), need(values, 'app-password'));
        print(`connection ${connection.id}: ${connection.status}`, { ...connection, appPassword: undefined });
        return 0;
      }
      case 'availability': {
        const slots = await core.freeSlots(need(values, 'user'), { start: time(values, 'from'), end: time(values, 'to') }, Number(values['slot-minutes'] ?? 30));
        print(slots.length ? slots.map((s) => `free ${new Date(s.start).toISOString()} – ${new Date(s.end).toISOString()}`).join('\n') : 'no free slots', slots);
        return 0;
      }
      case 'status': {
        const rows = (await core.state.listConnections()).map((c) => ({ id: c.id, appleId: c.appleId, userId: c.userId, status: c.status, reason: c.statusReason, lastSyncAt: c.lastSyncAt && new Date(c.lastSyncAt).toISOString(), nextPollAt: new Date(c.nextPollAt).toISOString() }));
        print(rows.length ? rows.map((r) => `${r.id} ${r.appleId} user ${r.userId}: ${r.status}${r.reason ? ` (${r.reason})` : ''}, last sync ${r.lastSyncAt ?? 'never'}`).join('\n') : 'no connections', rows);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${positionals.join(' ')}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) out(`icloud-sync: ${error.message}\n${USAGE}`);
    else if (error instanceof SyncError || error instanceof PlatformError) out(`icloud-sync: ${error.message}`);
    else throw error;
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await core.close();
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
