/**
 * Radicale (Debian package `radicale`, 3.1.8 in CI) on 127.0.0.1 and a free port, with its own
 * config file (so /etc/radicale/config is never read), a temporary storage folder, and a plain
 * htpasswd file so authentication is real. RADICALE_BIN overrides where the executable is.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deviation } from '../case.js';
import { findExecutable, freePort, removeDir, spawnServer, tempDir } from './process.js';
import type { RunningTarget, TargetDefinition } from './target.js';

export const RADICALE_USER = { user: 'conformance', password: 'radicale-password' };

/** What Radicale 3.1.8 (Debian) is known to do differently from the RFC cases, found by this suite. */
export const RADICALE_DEVIATIONS: readonly Deviation[] = [
  { caseId: 'get.if-none-match', reason: 'Radicale 3.1.8 ignores If-None-Match on GET and answers 200 with the body' },
  { caseId: 'put.unsupported-component', reason: 'Radicale 3.1.8 does not check C:supported-calendar-component: a VTODO is stored (201) in a VEVENT-only calendar' },
  { caseId: 'mkcalendar.missing-parent', reason: 'the owner_only rights backend refuses any path deeper than /<user>/<collection>/ with 403 before the missing parent is noticed' },
  { caseId: 'put.override-only', reason: 'Radicale 3.1.8 refuses (400) an object holding only an overridden instance (RECURRENCE-ID without its master)' },
  { caseId: 'errors.unsupported-report', reason: 'Radicale 3.1.8 answers a REPORT it does not know with an empty 207 multistatus instead of 403 DAV:supported-report' },
];

export const RADICALE_HOW_TO_GET = 'apt-get install radicale';

// The Debian script runs /usr/bin/python3; the pyenv python3 on PATH has no radicale module.
const findRadicale = () => findExecutable('radicale', ['/usr/bin/radicale'], process.env.RADICALE_BIN);

/** Undefined when Radicale is installed, else what is missing. */
export function radicaleMissing(): string | undefined {
  return findRadicale() ? undefined : `Radicale is not installed (no ${process.env.RADICALE_BIN ?? '/usr/bin/radicale or radicale on PATH'})`;
}

export async function startRadicale(): Promise<RunningTarget> {
  const radicale = findRadicale();
  if (!radicale) throw new Error(`${radicaleMissing()}: ${RADICALE_HOW_TO_GET}`);
  const dir = tempDir('conformance-radicale');
  const port = await freePort();
  const users = join(dir, 'users');
  writeFileSync(users, `${RADICALE_USER.user}:${RADICALE_USER.password}\n`);
  const config = join(dir, 'config');
  writeFileSync(
    config,
    [
      '[server]',
      `hosts = 127.0.0.1:${port}`,
      '[auth]',
      'type = htpasswd',
      `htpasswd_filename = ${users}`,
      'htpasswd_encryption = plain',
      'delay = 0',
      '[rights]',
      'type = owner_only',
      '[storage]',
      `filesystem_folder = ${join(dir, 'collections')}`,
      '[web]',
      'type = none',
      '[logging]',
      'level = warning',
      '',
    ].join('\n'),
  );
  const server = await spawnServer({
    name: 'Radicale',
    command: radicale,
    args: ['--config', config],
    readyUrl: `http://127.0.0.1:${port}/`,
    cleanup: () => removeDir(dir),
  });
  return { address: { url: `http://127.0.0.1:${port}/`, ...RADICALE_USER }, stop: server.stop };
}

export const radicaleTarget: TargetDefinition = {
  key: 'radicale',
  name: 'Radicale',
  profile: 'rfc',
  deviations: RADICALE_DEVIATIONS,
  start: startRadicale,
  peer: { name: 'Radicale', check: radicaleMissing, howToGet: RADICALE_HOW_TO_GET },
};
