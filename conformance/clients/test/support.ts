/**
 * Shared by the real-client suites: the check that the Debian-packaged clients are installed (a
 * missing client fails the suite, never skips it), and the environment they run in.
 */
import { spawnSync } from 'node:child_process';

/** Debian's interpreter: the `python3` on PATH may be another build that cannot see Debian's packages. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
export const VDIRSYNCER = '/usr/bin/vdirsyncer';

const INSTALL = 'apt-get install python3-caldav vdirsyncer';

/** Throws, with the command that fixes it, unless `import caldav` works in Debian's Python. */
export function requirePythonCaldav(): void {
  const result = spawnSync(SYSTEM_PYTHON, ['-c', 'import caldav'], { encoding: 'utf8', timeout: 20_000, env: clientEnv('/nonexistent') });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : result.stderr.trim().split('\n').at(-1);
    throw new Error(`python-caldav is not available (\`${SYSTEM_PYTHON} -c 'import caldav'\` failed: ${why}). Install it: ${INSTALL}`);
  }
}

/** Throws, with the command that fixes it, unless `vdirsyncer --version` runs. */
export function requireVdirsyncer(): void {
  const result = spawnSync(VDIRSYNCER, ['--version'], { encoding: 'utf8', timeout: 20_000, env: clientEnv('/nonexistent') });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : result.stderr.trim().split('\n').at(-1);
    throw new Error(`vdirsyncer is not available (\`${VDIRSYNCER} --version\` failed: ${why}). Install it: ${INSTALL}`);
  }
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
