/**
 * The mock-icloud command refuses unknown and malformed options while parsing, from a flag or from
 * its environment variable, before anything listens: one error on stderr (JSON with --json), exit 2.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../cli.js';

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('mock-icloud refuses bad options before it starts', () => {
  it.each([
    [['--port', 'abc'], "error: option '--port <port>' argument 'abc' is invalid. expected a port (ports must be whole numbers from 0 to 65535; 0 picks a free one)."],
    [['--partition-port', '70000'], "error: option '--partition-port <port>' argument '70000' is invalid. expected a port"],
    [['--clock', 'tomorrow'], "error: option '--clock <iso-time>' argument 'tomorrow' is invalid. expected an ISO 8601 time such as 2026-11-21T09:00:00Z."],
    [['--clock', '2026-02-30T10:00:00Z'], "error: option '--clock <iso-time>' argument '2026-02-30T10:00:00Z' is invalid."],
    [['--fault', 'explode'], 'kind: unknown fault kind "explode"; use one of unavailable,'],
    [['--fault', 'unavailable:cout=1'], 'unknown key "cout"'],
    [['--fault', 'latency'], 'a latency fault needs latencyMs'],
    [['--fault', 'unavailable:count=0'], 'count'],
    [['--control-token', 'short'], "error: option '--control-token <token>' argument 'short' is invalid. expected at least 16 printable characters"],
    [['--log-level', 'loud'], "error: option '--log-level <level>' argument 'loud' is invalid. expected one of fatal, error, warn, info, debug, trace, silent."],
    [['--bogus'], "error: unknown option '--bogus'"],
    [['--port'], "error: option '--port <port>' argument missing"],
  ])('%j', async (argv, message) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toContain(message);
    expect(err.join('\n')).toContain('(add --help for usage)');
  });

  it('refuses a bad value from the environment, naming the variable; an empty variable is unset', async () => {
    const { code, err } = await run([], { PORT: '', CLOCK: 'tomorrow' });
    expect(code).toBe(2);
    expect(err).toEqual(["mock-icloud: option '--clock <iso-time>' value 'tomorrow' from env 'CLOCK' is invalid. expected an ISO 8601 time such as 2026-11-21T09:00:00Z."]);
    expect((await run([], { FAULT: 'latency:latencyMs=1; explode' })).err[0]).toMatch(/from env 'FAULT' is invalid\. kind: unknown fault kind "explode"/);
    expect((await run([], { MOCK_ICLOUD_CONTROL_TOKEN: 'short' })).code).toBe(2);
    expect((await run([], { LOG_LEVEL: 'loud' })).err[0]).toContain("value 'loud' from env 'LOG_LEVEL' is invalid");
    expect((await run([], { JOURNAL_BODIES: 'maybe' })).err[0]).toContain("option '--journal-bodies' value 'maybe' from env 'JOURNAL_BODIES' is invalid. expected 1, true, 0 or false.");
  });

  it('reads no variable for a flag given, so a bad variable under a good flag does not matter', async () => {
    const { err } = await run(['--clock', '2026-11-21T09:00:00Z'], { CLOCK: 'tomorrow', PORT: 'x' });
    expect(err).toHaveLength(1);
    expect(err[0]).toContain("value 'x' from env 'PORT'"); // the variables were read…
    expect(err[0]).not.toContain('CLOCK'); // …but not the one under a flag
  });

  it('prints errors as JSON with --json', async () => {
    const cases: Array<[string[], Record<string, string>, string, RegExp]> = [
      [['--json', '--clock', 'tomorrow'], {}, 'invalid-argument', /^option '--clock <iso-time>' argument 'tomorrow' is invalid/],
      [['--json', '--bogus'], {}, 'unknown-option', /^unknown option '--bogus'$/],
      [['--json'], { PORT: 'eighty' }, 'invalid-argument', /value 'eighty' from env 'PORT'/],
      [['--json', '--port', '0', '--world', 'no-such-world.yaml'], {}, 'cannot-start', /cannot read world file .*no-such-world\.yaml: ENOENT/],
    ];
    for (const [argv, env, code, message] of cases) {
      const result = await run(argv, env);
      expect(result.code, argv.join(' ')).toBe(code === 'cannot-start' ? 1 : 2);
      expect(result.err).toHaveLength(1);
      const error = JSON.parse(result.err[0]!);
      expect(error).toEqual({ error: { code, message: expect.stringMatching(message) } });
    }
  });

  it('--help lists every flag with its variable, on stdout, exit 0', async () => {
    const { code, out, err } = await run(['--help']);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    const help = out.join('\n').replace(/\s+/g, ' ');
    expect(help).toMatch(/^Usage: mock-icloud/);
    for (const [flag, env] of [
      ['--port', 'PORT'],
      ['--partition-port', 'PARTITION_PORT'],
      ['--clock', 'CLOCK'],
      ['--fault', 'FAULT'],
      ['--control-token', 'MOCK_ICLOUD_CONTROL_TOKEN'],
      ['--log-level', 'LOG_LEVEL'],
      ['--journal-bodies', 'JOURNAL_BODIES'],
    ]) {
      expect(help).toContain(flag);
      expect(help).toContain(`[env: ${env}]`);
    }
    expect(help).toContain('mock-icloud record');
    expect(help).toContain('mock-icloud world-from-capture');
  });
});

describe('startMockICloud refuses a clock that is not a time', () => {
  it('at start, instead of answering 500 later', async () => {
    const { startMockICloud } = await import('../server.js');
    await expect(startMockICloud({ clock: 'tomorrow' })).rejects.toThrow('clock: "tomorrow" is not a time (epoch ms or ISO 8601, e.g. 2026-11-21T09:00:00Z)');
  });
});
