/**
 * icloud-sync's command line: --help for every command, unknown and malformed options refused
 * while parsing (before the database is opened) on stderr with exit 2, errors and results as JSON
 * with --json.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../cli.js';

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out, err };
}

const COMMANDS = ['user add', 'contact add', 'calendar add', 'book', 'connect', 'calendars', 'choose', 'sync', 'watch', 'reconnect', 'availability', 'status', 'driver'];

describe('icloud-sync options', () => {
  it('answers --help for the program and every command, on stdout with exit 0', async () => {
    const top = await run('--help');
    expect(top.code).toBe(0);
    for (const command of COMMANDS) expect(top.out.join('\n')).toContain(command.split(' ')[0]);
    for (const command of COMMANDS) {
      const { code, out, err } = await run(...command.split(' '), '--help');
      expect(code, command).toBe(0);
      expect(err, command).toEqual([]);
      // driver is the conformance adapter's own command line (conformance/driver/reference-adapter.ts).
      expect(out.join('\n'), command).toMatch(new RegExp(command === 'driver' ? '^usage: icloud-sync driver --port P' : `^Usage: icloud-sync ${command} \\[options\\]`));
    }
  });

  it('refuses unknown and malformed options while parsing: stderr, exit 2, no database opened', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'icloud-sync-options-')), 'state.sqlite');
    const cases: Array<[string[], string]> = [
      [['--bogus'], "error: unknown option '--bogus'"],
      [['status', '--bogus'], "error: unknown option '--bogus'"],
      [
        ['availability', '--user', 'u', '--from', 'tomorrow', '--to', '2026-12-01T00:00:00Z'],
        "error: option '--from <iso-time>' argument 'tomorrow' is invalid. expected an ISO 8601 time such as 2026-11-21T09:00:00Z.",
      ],
      [['book', '--calendar', 'c', '--contact', 'k', '--start', '2026-02-30T10:00:00Z'], "error: option '--start <iso-time>' argument '2026-02-30T10:00:00Z' is invalid."],
      [['calendar', 'add', '--sub-account', 'A', '--name', 'N', '--member', 'u', '--type', 'nope'], "error: option '--type <type>' argument 'nope' is invalid. Allowed choices are"],
      [
        ['calendar', 'add', '--sub-account', 'A', '--name', 'N', '--member', 'u', '--type', 'service', '--slot-minutes', 'abc'],
        "error: option '--slot-minutes <n>' argument 'abc' is invalid. expected a whole number of at least 1.",
      ],
      [['availability', '--user', 'u', '--from', '2026-12-01T00:00:00Z', '--to', '2026-12-02T00:00:00Z', '--slot-minutes', '0'], "error: option '--slot-minutes <n>' argument '0' is invalid."],
      [['watch', '--every-seconds', 'abc'], "error: option '--every-seconds <n>' argument 'abc' is invalid. expected a number of seconds above 0."],
      [['driver', '--port', 'abc'], 'icloud-sync driver: --port must be a whole number from 0 to 65535, not "abc"'],
      [['--json', 'driver'], 'icloud-sync driver: --port is required'],
      [['user', 'add', '--sub-account', 'A'], "error: required option '--name <name>' not specified"],
      [['frobnicate'], 'icloud-sync: unknown command "frobnicate"'],
    ];
    for (const [argv, line] of cases) {
      const { code, out, err } = await run('--db', db, ...argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(out, argv.join(' ')).toEqual([]);
      expect(err[0], argv.join(' ')).toContain(line);
    }
    expect(existsSync(db)).toBe(false);
  });

  it('no command: the usage on stderr, exit 2', async () => {
    const { code, out, err } = await run();
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/^Usage: icloud-sync/);
  });

  it('with --json: errors as {error: {code, message}} on stderr, results as JSON on stdout', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'icloud-sync-options-')), 'state.sqlite');
    const error = async (argv: string[]) => {
      const { code, out, err } = await run('--db', db, '--json', ...argv);
      expect(out, argv.join(' ')).toEqual([]);
      expect(err, argv.join(' ')).toHaveLength(1);
      return { status: code, ...JSON.parse(err[0]!).error };
    };
    expect(await error(['--bogus'])).toEqual({ status: 2, code: 'unknown-option', message: "unknown option '--bogus'" });
    expect(await error(['availability', '--user', 'u', '--from', 'x', '--to', 'y'])).toMatchObject({
      status: 2,
      code: 'invalid-argument',
      message: expect.stringContaining("'--from <iso-time>' argument 'x' is invalid"),
    });
    expect(await error(['frobnicate'])).toMatchObject({ code: 'unknown-command', message: 'unknown command "frobnicate"' });
    expect(await error(['sync'])).toMatchObject({ code: 'usage', message: '--connection is required (or --all)' });
    expect(await error([])).toMatchObject({ code: 'missing-command' });
    expect(await error(['user'])).toMatchObject({ code: 'missing-command' });
    // An engine error keeps its code; exit 1.
    const { code, out, err } = await run('--db', db, '--json', 'connect', '--user', 'nobody', '--apple-id', 'a@example.com', '--app-password', 'abcd-efgh-ijkl-mnop');
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(JSON.parse(err[0]!)).toEqual({ error: { code: 'not-found', message: 'no user nobody' } });
    // Results: JSON on stdout.
    const status = await run('--db', db, '--json', 'status');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out.join('\n'))).toEqual([]);
    const user = await run('--db', db, 'user', 'add', '--sub-account', 'Acme', '--name', 'Ann', '--email', 'ann@acme.test', '--time-zone', 'Europe/London', '--json');
    expect(JSON.parse(user.out.join('\n'))).toMatchObject({ name: 'Ann', timeZone: 'Europe/London' });
  });

  it('a database that cannot be opened: one line naming it (never its password) and why, exit 1, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'icloud-sync-options-'));
    const missing = join(dir, 'no-such-directory', 'state.sqlite');
    expect(await run('--db', missing, 'status')).toEqual({ code: 1, out: [], err: [`icloud-sync: cannot open the database ${missing}: Cannot open database because the directory does not exist`] });
    expect(existsSync(join(dir, 'no-such-directory'))).toBe(false);
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'not a database\n'.repeat(100));
    const json = await run('--db', notes, '--json', 'status');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.err[0]!)).toEqual({ error: { code: 'database-unavailable', message: `cannot open the database ${notes}: file is not a database` } });
    expect(readFileSync(notes, 'utf8')).toBe('not a database\n'.repeat(100));
    // A PostgreSQL that does not answer: a loopback port nothing listens on any more.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const postgres = await run('--db', `postgres://ann:s3cret@127.0.0.1:${port}/state`, 'worker');
    expect(postgres).toEqual({ code: 1, out: [], err: [`icloud-sync: cannot open the database postgres://…@127.0.0.1:${port}/state: connect ECONNREFUSED 127.0.0.1:${port}`] });
  });
});
