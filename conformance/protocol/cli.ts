/**
 * `icloud-conformance protocol`: runs the CalDAV protocol cases against any server and prints a
 * table, case → PASS / FAIL / DEVIATION (with its reason) / STALE.
 *
 *   icloud-conformance protocol --target URL [--user U --password P] [--profile icloud|rfc]
 *                               [--deviations NAME] [--only ID[,ID…]] [--list]
 *
 * Exit status: 0 when nothing failed unexpectedly, 1 when a case failed that is not a known
 * deviation, 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { PROFILES, type Profile } from './case.js';
import { ALL_CASES } from './cases/index.js';
import { counts, formatTable, runSuite, selectCases, unknownDeviations } from './runner.js';
import { DEVIATION_LISTS } from './targets/index.js';

export const PROTOCOL_USAGE = `usage: icloud-conformance protocol --target URL [--user U --password P] [--profile icloud|rfc] [options]

  --target URL        the URL a CalDAV client is configured with (e.g. https://caldav.icloud.com/)
  --user U            user name (an Apple ID for iCloud); omit for a server without authentication
  --password P        password (an app-specific password for iCloud); or set ICLOUD_CONFORMANCE_PASSWORD
  --profile P         icloud (default): RFC cases plus iCloud's own behaviour; rfc: RFC behaviour only
  --deviations NAME   known deviations to expect: ${Object.keys(DEVIATION_LISTS).join(', ')} (default none)
  --only IDS          comma-separated case ids or id prefixes (e.g. put.,sync-collection.)
  --list              list the cases of the profile and exit

Each case creates its own uniquely named scratch calendar and deletes it afterwards.
Exits 1 when a case fails that is not a listed deviation.`;

export async function protocolMain(argv: string[], out: (line: string) => void): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        target: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        profile: { type: 'string', default: 'icloud' },
        deviations: { type: 'string', default: 'none' },
        only: { type: 'string' },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    out(`icloud-conformance protocol: ${(error as Error).message}\n${PROTOCOL_USAGE}`);
    return 2;
  }
  if (values.help) {
    out(PROTOCOL_USAGE);
    return 0;
  }
  const usage = (message: string) => {
    out(`icloud-conformance protocol: ${message}\n${PROTOCOL_USAGE}`);
    return 2;
  };
  if (!PROFILES.includes(values.profile as Profile)) return usage(`--profile must be icloud or rfc, not "${values.profile}"`);
  const profile = values.profile as Profile;
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (values.list) {
    for (const c of selectCases(profile, only)) out(`${c.id.padEnd(48)} ${c.title}`);
    return 0;
  }
  if (!values.target) return usage('--target URL is required');
  let url: URL;
  try {
    url = new URL(values.target);
  } catch {
    return usage(`--target "${values.target}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return usage(`--target must be an http(s) URL, not ${url.protocol}`);
  const password = values.password ?? process.env.ICLOUD_CONFORMANCE_PASSWORD;
  if (values.user !== undefined && password === undefined) return usage('--user needs --password (or ICLOUD_CONFORMANCE_PASSWORD)');
  const deviations = DEVIATION_LISTS[values.deviations];
  if (!deviations) return usage(`--deviations must be one of ${Object.keys(DEVIATION_LISTS).join(', ')}, not "${values.deviations}"`);
  if (only?.length && selectCases(profile, only).length === 0) return usage(`--only ${values.only} matches no case of the ${profile} profile (known: ${ALL_CASES.map((c) => c.id).join(', ')})`);
  const strays = unknownDeviations(deviations);

  const run = await runSuite({ url: url.href, user: values.user, password: values.user !== undefined ? password : undefined }, { profile, deviations, only });
  out(formatTable(run));
  if (strays.length) out(`note: the ${values.deviations} deviation list names unknown cases: ${strays.map((d) => d.caseId).join(', ')}`);
  const c = counts(run.results);
  if (c.stale) out(`note: ${c.stale} listed deviation(s) passed; the "${values.deviations}" deviation list is stale`);
  return c.fail > 0 ? 1 : 0;
}
