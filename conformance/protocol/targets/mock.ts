/**
 * The mock, in-process: one account with two-factor authentication and an app-specific password,
 * free ports, the system clock (etags and tokens must move between writes). Run under the icloud
 * profile with its default (iCloud) quirks, and under the rfc profile with the quirk that makes an
 * invalid sync token RFC 6578's `valid-sync-token` precondition.
 */
import type { Deviation } from '../case.js';
import { startMockICloud, type World } from '../../../mock-icloud/index.js';
import type { RunningTarget, TargetDefinition } from './target.js';

export const MOCK_ACCOUNT = { appleId: 'conformance@example.com', appPassword: 'cnfm-prot-ocol-case', dsid: '10000009001', partition: 77 };

export const MOCK_WORLD: World = {
  description: 'One account for the CalDAV protocol cases.',
  accounts: [
    {
      appleId: MOCK_ACCOUNT.appleId,
      fullName: 'Protocol Conformance',
      dsid: MOCK_ACCOUNT.dsid,
      partition: MOCK_ACCOUNT.partition,
      password: 'regular-apple-id-password',
      twoFactor: true,
      appPasswords: [MOCK_ACCOUNT.appPassword],
      calendars: [{ name: 'home', displayName: 'Home', component: 'VEVENT' }],
    },
  ],
};

/** The mock's iCloud-faithful choices (FIDELITY.md, dossier items tagged [S]) that an RFC case rejects. */
const ICLOUD_CHOICES: readonly Deviation[] = [
  { caseId: 'mkcalendar.two-components', reason: 'iCloud behaviour (dossier §5 [S]): one component type per calendar; two give iCloud\'s 400 "…only one calendar component type supported"' },
  { caseId: 'put.without-dtend', reason: 'iCloud behaviour (dossier §5 [S]): a VEVENT with DTSTART but neither DTEND nor DURATION gets 404' },
  {
    caseId: 'calendar-query.objects-only',
    reason: 'iCloud behaviour (dossier §4 [S]): calendar-query answers include the collection itself (empty 200 propstat, requested properties in a 404 propstat)',
  },
  { caseId: 'sync-collection.members-only', reason: 'iCloud behaviour (dossier §4 [S]): sync-collection answers include the collection itself with its etag' },
  { caseId: 'sync-collection.token-is-uri', reason: 'iCloud behaviour (dossier §3 [S]): sync tokens are opaque base64 "HwoQEgwAA…", not URIs' },
];

/**
 * Under `rfc`, a mock with its default quirks (what `mock-icloud` serves; the CLI's
 * `--deviations mock-rfc`): the iCloud choices and iCloud's bare 403 for a bad token.
 */
export const MOCK_RFC_DEVIATIONS: readonly Deviation[] = [
  ...ICLOUD_CHOICES,
  {
    caseId: 'sync-collection.invalid-token',
    reason: "iCloud behaviour (dossier §4 [R]), the default quirk: a bare 403; startMockICloud({ quirks: { invalidSyncToken: 'precondition' } }) gives the RFC answer",
  },
];

/** Under `rfc`, a mock started with `invalidSyncToken: 'precondition'` (the suite's mock-rfc target). */
export const MOCK_RFC_STRICT_DEVIATIONS: readonly Deviation[] = [...ICLOUD_CHOICES];

/** Under its own (iCloud) profile the mock has no known deviation. */
export const MOCK_ICLOUD_DEVIATIONS: readonly Deviation[] = [];

export async function startMock(rfcQuirks: boolean): Promise<RunningTarget> {
  const mock = await startMockICloud({ world: MOCK_WORLD, ...(rfcQuirks ? { quirks: { invalidSyncToken: 'precondition' } } : {}) });
  return { address: { url: mock.gatewayUrl, user: MOCK_ACCOUNT.appleId, password: MOCK_ACCOUNT.appPassword }, stop: () => mock.close() };
}

export const mockIcloudTarget: TargetDefinition = {
  key: 'mock-icloud',
  name: 'mock-icloud (icloud profile, default quirks)',
  profile: 'icloud',
  deviations: MOCK_ICLOUD_DEVIATIONS,
  start: () => startMock(false),
};

export const mockRfcTarget: TargetDefinition = {
  key: 'mock-rfc-strict',
  name: 'mock-icloud (rfc profile, invalidSyncToken: precondition)',
  profile: 'rfc',
  deviations: MOCK_RFC_STRICT_DEVIATIONS,
  start: () => startMock(true),
};
