/**
 * Outside programs some suites drive (Radicale, Xandikos, python-caldav, vdirsyncer, Docker): one
 * place decides whether such a suite runs, skips, or fails.
 *
 * On a machine with only Node (`npm install && npm test`), a suite whose program is missing is
 * skipped, and says so in ONE line naming what is missing and how to get it:
 *
 *   skipped: Radicale is not installed (apt-get install radicale); set REQUIRE_PEERS=1 to make this a failure
 *
 * With REQUIRE_PEERS=1 (CI sets it, after installing them all), or the suite's own variable
 * (REQUIRE_DOCKER=1 for Docker), a missing program is a failure instead: the suite runs and its
 * set-up throws the same explanation.
 *
 * @example
 * ```ts
 * const radicale = await requirePeer('Radicale', () => (existsSync('/usr/bin/radicale') ? undefined : 'Radicale is not installed'), 'apt-get install radicale');
 * describe.skipIf(radicale.skip)('against Radicale', () => {
 *   beforeAll(() => radicale.assert());
 *   …
 * });
 * ```
 */

/** What a check answers: undefined when the program is there, else why it is not (one short clause). */
export type PeerCheck = () => string | undefined | Promise<string | undefined>;

export interface PeerOptions {
  /** Another variable that makes this peer required besides REQUIRE_PEERS (e.g. REQUIRE_DOCKER). */
  requireEnv?: string;
  /** Where the line goes (default: stderr). Tests pass their own. */
  print?: (line: string) => void;
}

export interface Peer {
  name: string;
  /** True when the program is there. */
  available: boolean;
  /** Why it is not there, with how to get it; undefined when available. */
  reason?: string;
  /** True when it is missing and nothing makes it required: the suite skips. */
  skip: boolean;
  /** True when REQUIRE_PEERS (or the peer's own variable) is set. */
  required: boolean;
  /** Throws the reason when the program is missing (call it in beforeAll of a suite that did not skip). */
  assert(): void;
}

const TRUE = /^(1|true|yes|on)$/i;

/** The variables that turn a missing peer into a failure, for this peer. */
export function requiredBy(requireEnv?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of ['REQUIRE_PEERS', ...(requireEnv ? [requireEnv] : [])]) if (TRUE.test(env[name] ?? '')) return name;
  return undefined;
}

const printed = new Set<string>();

/**
 * Runs `check` once and tells the suite what to do. `howToGet` is the command or step that
 * installs the program (`apt-get install radicale`).
 */
export async function requirePeer(name: string, check: PeerCheck, howToGet: string, options: PeerOptions = {}): Promise<Peer> {
  let missing: string | undefined;
  try {
    missing = await check();
  } catch (error) {
    missing = `${name} could not be checked: ${(error as Error).message}`;
  }
  const envName = requiredBy(options.requireEnv);
  const required = envName !== undefined;
  const reason = missing === undefined ? undefined : `${missing} (${howToGet})`;
  const variable = options.requireEnv ? `REQUIRE_PEERS=1 or ${options.requireEnv}=1` : 'REQUIRE_PEERS=1';
  if (reason !== undefined && !required) {
    const line = `skipped: ${reason}; set ${variable} to make this a failure`;
    if (!printed.has(line)) {
      printed.add(line);
      (options.print ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
    }
  }
  return {
    name,
    available: reason === undefined,
    reason,
    skip: reason !== undefined && !required,
    required,
    assert() {
      if (reason !== undefined) throw new Error(`${reason}; ${envName ?? 'REQUIRE_PEERS'}=1 makes a missing ${name} a failure`);
    },
  };
}
