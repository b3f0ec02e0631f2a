/**
 * What the three commands share on top of commander: option-value parsers that refuse a bad value
 * while parsing (so `--port abc` or `--clock tomorrow` never reaches a server that would answer 500
 * later), one error shape for humans and for `--json`, and exit statuses (2 usage, 1 failure).
 */
import { CommanderError, InvalidArgumentError, type Command } from 'commander';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const consoleIo: CliIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** The command cannot run as asked (a bad value, a missing option): exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly code = 'usage',
  ) {
    super(message);
  }
}

/** A whole number in [min, max], for commander's argParser. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER, what = `a whole number${max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`}`) {
  return (text: string): number => {
    if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) throw new InvalidArgumentError(`expected ${what}.`);
    return Number(text);
  };
}

export const port = wholeNumber(0, 65535, 'a port (ports must be whole numbers from 0 to 65535; 0 picks a free one)');

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * An ISO 8601 date or time (`2026-11-21T09:00:00Z`, `2026-11-21`). Date.parse alone would take
 * "Nov 21" or roll 2026-02-30 over into March, so the calendar date is checked as written.
 */
export function isoTime(text: string): string {
  const m = ISO.exec(text.trim());
  const ms = Date.parse(text.trim());
  if (m && !Number.isNaN(ms)) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const day = new Date(Date.UTC(y, mo - 1, d));
    if (day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d) return text.trim();
  }
  throw new InvalidArgumentError('expected an ISO 8601 time such as 2026-11-21T09:00:00Z.');
}

/** `commander.unknownOption` → `unknown-option`: the stable code in a `--json` error. */
export function commanderCode(error: CommanderError): string {
  return error.code.replace(/^commander\./, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** One error: a line (`name: message`) for people, `{"error":{"code","message"}}` with --json. Always on stderr. */
export function printError(io: CliIo, json: boolean, name: string, code: string, message: string): void {
  io.err(json ? JSON.stringify({ error: { code, message } }) : `${name}: ${message}`);
}

/** Whether `--json` is among the options (before a `--`), known before commander has parsed anything. */
export function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * Commander set up the same way for every command: errors thrown (not process.exit), written to
 * `io` (help on out, errors on err), with a hint after a usage error; in JSON mode commander's own
 * error text is held back and the caller prints the error as JSON.
 */
export function configure(program: Command, io: CliIo, json: boolean): Command {
  return program
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => {
        if (!json) io.err(s.trimEnd());
      },
      outputError: (s, write) => write(s),
    })
    .showHelpAfterError(json ? false : '(add --help for usage)');
}

/**
 * Runs a configured program; returns the exit status the action set, 0 for --help, 2 for a usage
 * error (printed as JSON in JSON mode: commander printed the human form already otherwise).
 */
export async function runProgram(program: Command, argv: string[], io: CliIo, json: boolean, status: () => number): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return status();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      // help() shown for a bare command that needs a subcommand: usage, not success.
      if (error.code === 'commander.help') {
        if (error.exitCode === 0) return 0;
        if (json) io.err(JSON.stringify({ error: { code: 'missing-command', message: 'a subcommand is required (add --help for the list)' } }));
        return 2;
      }
      if (json) io.err(JSON.stringify({ error: { code: commanderCode(error), message: error.message.replace(/^error: /, '') } }));
      return 2;
    }
    throw error;
  }
}
