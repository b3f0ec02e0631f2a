/**
 * Conformance with a real client nobody here wrote: python-caldav 0.11 (Debian's python3-caldav),
 * unchanged, given only the gateway URL and Alice's app-specific password, as its users point it at
 * https://caldav.icloud.com/.
 *
 * The driver (python-caldav/drive.py) prints one JSON object per step. This file runs it against an
 * in-process mock, makes the changes it asks for "as if on an iPhone" through the control plane,
 * and asserts each step together with the mock's state and journal.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarObject, JournalEntry, RunningMockICloud } from '../../mock-icloud/index.js';
import { ALICE, BOB, startDemo, vevent } from '../../mock-icloud/test/helpers.js';
import { clientEnv, pythonCaldavPeer, SYSTEM_PYTHON } from './test/support.js';

const DRIVER = fileURLToPath(new URL('./python-caldav/drive.py', import.meta.url));
const UID = 'PYTHON-CALDAV-CONFORMANCE-1';
const RESOURCE = `${UID}.ics`;
const PICK_JOHN = '5D1E2A44-8C0B-4B7E-A3F1-77E0C2B9D416.ics';
const IPHONE_UID = 'IPHONE-FOR-PYTHON-CALDAV';
const DRIVER_TIMEOUT_MS = 45_000;

/** One line of the driver's output: JSON facts, asserted field by field. */
type Step = { step: string; ok: boolean; error?: string; trace?: string } & Record<string, any>;

interface DriverRun {
  steps: Step[];
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

let mock: RunningMockICloud;
let run: DriverRun;
let homeUrl: string;
let workUrl: string;
/** What the mock held at the driver's checkpoints. */
const seen: {
  created?: CalendarObject;
  beforeIphone?: { event: CalendarObject; token: string };
  afterIphoneToken?: string;
  journalAtForget?: number;
} = {};

const workToken = () => mock.control.listCalendars(ALICE.appleId).find((c) => c.name === 'work')!.syncToken!;
const lastSeq = () => mock.control.journal().at(-1)?.seq ?? 0;
const line = (e: JournalEntry) => `${e.origin} ${e.method} ${e.path} ${e.status}`;

/** Runs the driver to its end, answering each `{"await": …}` once the mock has done it. */
function runDriver(gatewayUrl: string, onAwait: (what: string) => void): Promise<DriverRun> {
  return new Promise((resolve, reject) => {
    const home = mkdtempSync(join(tmpdir(), 'python-caldav-home-'));
    const child = spawn(SYSTEM_PYTHON, [DRIVER, gatewayUrl, ALICE.appleId, ALICE.appPassword], { env: clientEnv(home), stdio: ['pipe', 'pipe', 'pipe'] });
    const steps: Step[] = [];
    let stderr = '';
    const timer = setTimeout(() => {
      stderr += `\n[test] killed after ${DRIVER_TIMEOUT_MS} ms`;
      child.kill('SIGKILL');
    }, DRIVER_TIMEOUT_MS);
    child.stdin.on('error', () => {}); // the driver may be gone by the time we answer
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    createInterface({ input: child.stdout }).on('line', (text) => {
      let message: Step | { await: string };
      try {
        message = JSON.parse(text);
      } catch {
        stderr += `\n[test] not JSON on stdout: ${text}`;
        return;
      }
      if ('await' in message) {
        try {
          onAwait(message.await);
          child.stdin.write('\n');
        } catch (error) {
          stderr += `\n[test] could not do "${message.await}" in the mock: ${(error as Error).stack}`;
          child.kill('SIGKILL');
        }
        return;
      }
      steps.push(message);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      resolve({ steps, stderr, code, signal });
    });
  });
}

/** The named step's facts, or a failure that says how the driver ended. */
function step(name: string): Step {
  const found = run.steps.find((s) => s.step === name);
  if (!found) {
    const fatal = run.steps.find((s) => s.step === 'fatal');
    throw new Error(`python-caldav driver reported no "${name}" step (exit ${run.code ?? run.signal}).\n${fatal ? `${fatal.error}\n${fatal.trace}` : ''}\nstderr:\n${run.stderr}`);
  }
  expect(found.ok, `${name}: ${found.error}\n${found.trace ?? ''}`).toBe(true);
  return found;
}

const peer = await pythonCaldavPeer();

beforeAll(async () => {
  if (peer.skip) return;
  peer.assert();
  mock = await startDemo();
  homeUrl = `${mock.partitionUrl}${ALICE.dsid}/calendars/`;
  workUrl = `${homeUrl}work/`;
  run = await runDriver(mock.gatewayUrl, (what) => {
    switch (what) {
      case 'check-created':
        seen.created = mock.control.getEvent(ALICE.appleId, 'work', RESOURCE);
        return;
      case 'iphone-change': {
        // On the iPhone: a new event, and python-caldav's event renamed.
        const event = mock.control.getEvent(ALICE.appleId, 'work', RESOURCE);
        seen.beforeIphone = { event, token: workToken() };
        mock.control.putEvent(ALICE.appleId, 'work', { ics: vevent(IPHONE_UID, '20261203T090000Z', '20261203T093000Z') });
        mock.control.putEvent(ALICE.appleId, 'work', { ics: event.data.replace(/^SUMMARY:.*$/m, 'SUMMARY:Renamed on the iPhone') });
        seen.afterIphoneToken = workToken();
        return;
      }
      case 'forget-sync-tokens':
        seen.journalAtForget = lastSeq();
        mock.control.forgetSyncTokens();
        return;
      default:
        throw new Error(`the driver asked for an unknown server-side action "${what}"`);
    }
  });
}, 60_000);

afterAll(async () => {
  await mock?.close();
});

describe.skipIf(peer.skip)(`python-caldav 0.11 against the mock${peer.skip ? ` (skipped: ${peer.reason})` : ''}`, () => {
  it('runs every step to the end', () => {
    expect(run.steps.map((s) => s.step).at(-1), `exit ${run.code ?? run.signal}\n${JSON.stringify(run.steps.at(-1), null, 2)}\nstderr:\n${run.stderr}`).toBe('done');
    expect(run.code).toBe(0);
    expect(run.steps.filter((s) => !s.ok)).toEqual([]);
    expect(run.steps.map((s) => s.step)).toEqual([
      'principal',
      'calendars',
      'create',
      'search',
      'date-search',
      'edit',
      'fetch',
      'sync-initial',
      'sync-unchanged',
      'sync-after-iphone-change',
      'sync-forgotten-token',
      'delete',
      'read-only-share',
      'wrong-password',
      'done',
    ]);
  });

  it('finds the principal on the gateway and the calendar home on the partition host', () => {
    const principal = step('principal');
    expect(principal.url).toBe(`${mock.gatewayUrl}${ALICE.dsid}/principal/`);
    expect(principal.homeSet).toBe(homeUrl);

    const calendars = step('calendars');
    expect(calendars.home).toBe(homeUrl);
    // python-caldav moves the whole client to the home's host, as it does for pNN-caldav.icloud.com.
    expect(calendars.clientUrl).toBe(homeUrl);
    // The unauthenticated first request, the 401 challenge, then Basic: python-caldav's handshake.
    expect(mock.control.journal().slice(0, 5).map(line)).toEqual([
      'gateway PROPFIND / 401',
      'gateway PROPFIND / 207',
      `gateway PROPFIND /${ALICE.dsid}/principal/ 207`,
      `gateway PROPFIND /${ALICE.dsid}/principal/ 207`,
      `partition PROPFIND /${ALICE.dsid}/calendars/ 207`,
    ]);
    expect(mock.control.journal()[0].reason).toMatch(/^no-credentials/);
  });

  it('lists Home, Work, Reminders and the read-only share, without inbox, outbox or the subscription', () => {
    const calendars: { name: string; url: string; displayName: string; components?: string[] }[] = step('calendars').calendars;
    const names = calendars.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['home', 'work', 'tasks']));
    expect(names.filter((n) => /^(inbox|outbox|notification)$/i.test(n))).toEqual([]);
    expect(names).not.toContain('0F5A2B1C-UK-HOLIDAYS'); // subscribed: not a C:calendar collection
    expect(calendars.every((c) => c.url.startsWith(homeUrl))).toBe(true);
    expect(calendars.find((c) => c.name === 'home')).toMatchObject({ displayName: 'Home', components: ['VEVENT'] });
    expect(calendars.find((c) => c.name === 'work')).toMatchObject({ url: workUrl, displayName: 'Work', components: ['VEVENT'] });
    expect(calendars.find((c) => c.name === 'tasks')).toMatchObject({ displayName: 'Reminders', components: ['VTODO'] });
    expect(calendars.filter((c) => /^[0-9a-f]{64}$/.test(c.name)).map((c) => c.displayName)).toEqual(["Bob's family"]);
  });

  it('creates an event in Work with save_event', () => {
    expect(step('create')).toMatchObject({ url: `${workUrl}${RESOURCE}`, id: UID });
    expect(seen.created, 'the mock held no event after save_event').toBeDefined();
    expect(seen.created!.uid).toBe(UID);
    expect(seen.created!.data).toContain('SUMMARY:Created by python-caldav');
    expect(seen.created!.data).toContain('SEQUENCE:1'); // python-caldav bumps SEQUENCE on every save
    expect(mock.control.journal({ method: 'PUT' }).map(line)[0]).toBe(`partition PUT /${ALICE.dsid}/calendars/work/${RESOURCE} 201`);
  });

  it('searches Work by date range, skipping the collection-self response iCloud adds', () => {
    const search = step('search');
    expect(search.found).toEqual([{ url: `${workUrl}${RESOURCE}`, summary: 'Created by python-caldav' }]);
    expect(search.emptyRange).toEqual([]);
  });

  it('date_search expands the weekly stand-up on the client, with the moved occurrence', () => {
    // The mock ignores CALDAV:expand and returns the master with its override; python-caldav then
    // expands on the client (and adds a second RECURRENCE-ID to the override while doing it).
    const { occurrences } = step('date-search');
    expect(occurrences).toEqual([
      { summary: 'Team stand-up (moved to Tuesday)', start: '2026-11-03T10:30:00+00:00', recurrenceIds: expect.arrayContaining(['2026-11-02T09:00:00+00:00']), hasRrule: false },
    ]);
  });

  it('edits and saves the event, then fetches it by URL with the etag the mock holds', () => {
    expect(step('edit').url).toBe(`${workUrl}${RESOURCE}`);
    const fetched = step('fetch');
    expect(fetched).toMatchObject({ url: `${workUrl}${RESOURCE}`, summary: 'Edited by python-caldav', sequence: 2 });
    expect(seen.beforeIphone!.event.data).toContain('SUMMARY:Edited by python-caldav');
    expect(fetched.etag).toBe(seen.beforeIphone!.event.etag);
    expect(mock.control.journal({ method: 'PUT' }).map(line)[1]).toBe(`partition PUT /${ALICE.dsid}/calendars/work/${RESOURCE} 204`);
  });

  it('syncs incrementally with objects_by_sync_token and sees the iPhone change', () => {
    const initial = step('sync-initial');
    expect(initial.objects).toEqual([`${workUrl}${PICK_JOHN}`, `${workUrl}${RESOURCE}`]);
    expect(initial.token).toBe(seen.beforeIphone!.token);
    expect(step('sync-unchanged')).toMatchObject({ token: initial.token, objects: [] });

    const after = step('sync-after-iphone-change');
    expect(after.token).toBe(seen.afterIphoneToken);
    expect(after.token).not.toBe(initial.token);
    expect([...after.updated].sort((a: { url: string }, b: { url: string }) => a.url.localeCompare(b.url))).toEqual([
      { url: `${workUrl}${IPHONE_UID}.ics`, summary: 'Test event' },
      { url: `${workUrl}${RESOURCE}`, summary: 'Renamed on the iPhone' },
    ]);
    expect(after.deleted).toEqual([]);
  });

  it("raises AuthorizationError on iCloud's bare 403 for a forgotten sync token (python-caldav has no fallback)", () => {
    // iCloud answers an expired token with a bare 403; python-caldav 0.11 maps every 403 to
    // AuthorizationError, so its users must catch it and list again — as they must on iCloud.
    const forgotten = step('sync-forgotten-token');
    expect(forgotten.raised).toBe('AuthorizationError');
    expect(forgotten.recovered).toEqual([`${workUrl}${PICK_JOHN}`, `${workUrl}${IPHONE_UID}.ics`, `${workUrl}${RESOURCE}`].sort());
    const reports = mock.control.journal({ since: seen.journalAtForget, method: 'REPORT' }).map(line);
    expect(reports.slice(0, 2)).toEqual([`partition REPORT /${ALICE.dsid}/calendars/work/ 403`, `partition REPORT /${ALICE.dsid}/calendars/work/ 207`]);
  });

  it('deletes the event, which is then gone from the mock', () => {
    expect(step('delete')).toMatchObject({ url: `${workUrl}${RESOURCE}`, gone: true });
    expect(() => mock.control.getEvent(ALICE.appleId, 'work', RESOURCE)).toThrow(/no event/);
    expect(
      mock.control
        .listEvents(ALICE.appleId, 'work')
        .map((e) => e.name)
        .sort(),
    ).toEqual([PICK_JOHN, `${IPHONE_UID}.ics`].sort());
    const deletes = mock.control.journal({ method: 'DELETE' }).map(line);
    expect(deletes).toEqual([`partition DELETE /${ALICE.dsid}/calendars/work/${RESOURCE} 204`]);
  });

  it("is refused a write to Bob's read-only shared calendar", () => {
    const share = step('read-only-share');
    // python-caldav raises AuthorizationError for any 403, so the refused PUT surfaces as that.
    expect(share.raised).toBe('AuthorizationError');
    const shareName = (share.url as string).split('/').at(-2)!;
    const puts = mock.control.journal({ method: 'PUT', status: 403 });
    expect(puts.map(line)).toEqual([`partition PUT /${ALICE.dsid}/calendars/${shareName}/${UID}-SHARED.ics 403`]);
    expect(puts[0].reason).toMatch(/read-only/);
    expect(mock.control.listEvents(BOB.appleId, 'family').map((e) => e.uid)).toEqual(['B0B0B0B0-DE17-4157-9A00-000000000001']);
  });

  it('raises AuthorizationError for a wrong password, which the mock journals as one', () => {
    expect(step('wrong-password').raised).toBe('AuthorizationError');
    const refused = mock.control.journal({ status: 401 }).filter((e) => e.reason?.startsWith('wrong-password'));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.origin === 'gateway' && e.account === ALICE.appleId)).toBe(true);
  });
});
