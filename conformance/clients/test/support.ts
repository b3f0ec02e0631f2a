/**
 * Shared by the real-client suites: the check that the Debian-packaged clients are installed (a
 * missing client skips its suite with one line, or fails it under REQUIRE_PEERS=1: see
 * conformance/peers.ts), and the environment they run in.
 */
import { spawnSync } from 'node:child_process';
import { requirePeer, type Peer } from '../../peers.js';

/** Debian's interpreter: the `python3` on PATH may be another build that cannot see Debian's packages. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
export const VDIRSYNCER = '/usr/bin/vdirsyncer';

/** Why `command args` does not run (undefined when it exits 0). */
function fails(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000, env: clientEnv('/nonexistent') });
  if (!result.error && result.status === 0) return undefined;
  const why = result.error ? result.error.message : result.stderr.trim().split('\n').at(-1);
  return `\`${[command, ...args].map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}\` failed: ${why}`;
}

/** Debian's python3-caldav: skipped with one line when `import caldav` fails, unless REQUIRE_PEERS=1. */
export function pythonCaldavPeer(): Promise<Peer> {
  return requirePeer(
    'python-caldav',
    () => {
      const why = fails(SYSTEM_PYTHON, ['-c', 'import caldav']);
      return why && `python-caldav is not installed (${why})`;
    },
    'apt-get install python3-caldav',
  );
}

/** Debian's vdirsyncer: skipped with one line when `vdirsyncer --version` fails, unless REQUIRE_PEERS=1. */
export function vdirsyncerPeer(): Promise<Peer> {
  return requirePeer(
    'vdirsyncer',
    () => {
      const why = fails(VDIRSYNCER, ['--version']);
      return why && `vdirsyncer is not installed (${why})`;
    },
    'apt-get install vdirsyncer',
  );
}

/**
 * A minimal environment for a client process: no proxy variables (requests would honour them even
 * for 127.0.0.1), no user site-packages, no .netrc (HOME is the test's own directory), no
 * byte-code written next to the driver scripts.
 */
export function clientEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    PYTHONNOUSERSITE: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONIOENCODING: 'utf-8',
  };
}
