/**
 * Conformance with a real client nobody here wrote: vdirsyncer 0.19 (Debian's package), unchanged,
 * syncing Alice's Work calendar two ways with a folder of .ics files. Its caldav storage knows only
 * the gateway URL, the Apple ID and the app-specific password (vdirsyncer/config.template), as it
 * would for https://caldav.icloud.com/.
 *
 * Each step runs `vdirsyncer` as a process (HOME = a temp dir, a timeout, no sleeps) and checks the
 * folder, the mock's state and the mock's journal.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../../mock-icloud/index.js';
import { ALICE, startDemo, vevent } from '../../mock-icloud/test/helpers.js';
import { clientEnv, vdirsyncerPeer, VDIRSYNCER } from './test/support.js';

const TEMPLATE = fileURLToPath(new URL('./vdirsyncer/config.template', import.meta.url));
const PAIR = 'icloud_work';
const PICK_JOHN = '5D1E2A44-8C0B-4B7E-A3F1-77E0C2B9D416.ics';
const LOCAL_UID = 'LOCAL-VDIRSYNCER-1';
const IPHONE_UID = 'IPHONE-FOR-VDIRSYNCER';
const RUN_TIMEOUT_MS = 20_000;

interface Run {
  code: number | string | null;
  stdout: string;
  stderr: string;
}

let mock: RunningMockICloud;
let dir: string;
let config: string;
let local: string; // the local "work" collection: one .ics file per event
let workUrl: string;

/** Runs vdirsyncer with our config; `answers` is what its prompts read on stdin (then EOF). */
function vdirsyncer(args: string[], answers = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(VDIRSYNCER, ['-c', config, ...args], { env: clientEnv(dir), cwd: dir, timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL', encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? ((error as NodeJS.ErrnoException).code ?? (error.killed ? `killed after ${RUN_TIMEOUT_MS} ms` : -1)) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(answers);
  });
}

async function succeed(args: string[], answers = ''): Promise<string> {
  const run = await vdirsyncer(args, answers);
  expect(run.code, `vdirsyncer ${args.join(' ')} failed (${run.code}):\n${run.stdout}\n${run.stderr}`).toBe(0);
  return `${run.stdout}${run.stderr}`;
}

const sync = () => succeed(['sync', PAIR]);
const localFiles = () =>
  readdirSync(local)
    .filter((f) => f.endsWith('.ics'))
    .sort();
const readLocal = (name: string) => readFileSync(join(local, name), 'utf8');
const lf = (s: string) => s.replace(/\r\n/g, '\n');
const mockNames = () =>
  mock.control
    .listEvents(ALICE.appleId, 'work')
    .map((e) => e.name)
    .sort();
const lastSeq = () => mock.control.journal().at(-1)?.seq ?? 0;
const requests = (since: number) => mock.control.journal({ since }).map((e) => `${e.origin} ${e.method} ${e.path} ${e.status}`);

const peer = await vdirsyncerPeer();

beforeAll(async () => {
  if (peer.skip) return;
  peer.assert();
  mock = await startDemo();
  workUrl = `${mock.partitionUrl}${ALICE.dsid}/calendars/work/`;
  dir = mkdtempSync(join(tmpdir(), 'vdirsyncer-'));
  local = join(dir, 'calendars', 'work');
  config = join(dir, 'config');
  const values: Record<string, string> = {
    STATUS_PATH: join(dir, 'status') + '/',
    LOCAL_PATH: join(dir, 'calendars') + '/',
    GATEWAY_URL: mock.gatewayUrl,
    USERNAME: ALICE.appleId,
    PASSWORD: ALICE.appPassword,
  };
  writeFileSync(
    config,
    readFileSync(TEMPLATE, 'utf8').replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => JSON.stringify(values[key])),
  );
}, 30_000);

afterAll(async () => {
  await mock?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(peer.skip)(`vdirsyncer 0.19 against the mock${peer.skip ? ` (skipped: ${peer.reason})` : ''}`, () => {
  it('discovers the Work calendar from the gateway, and creates the local collection when asked', async () => {
    // The local "work" folder does not exist yet: discover asks "Should vdirsyncer attempt to create
    // it? [y/N]". The answer comes on stdin; with no answer (EOF) click aborts, never hangs.
    const output = await succeed(['discover', PAIR], 'y\n');
    expect(output).toContain('Should vdirsyncer attempt to create it?');
    for (const listed of ['"home" ("Home")', '"work" ("Work")', '"tasks" ("Reminders")']) expect(output).toContain(listed);
    expect(output).toContain(`Saved for ${PAIR}: collections = ["work"]`);
    expect(existsSync(local)).toBe(true);

    const saved = JSON.parse(readFileSync(join(dir, 'status', `${PAIR}.collections`), 'utf8')) as { collections: [string, [{ path: string }, { url: string }]][] };
    expect(saved.collections).toEqual([
      [
        'work',
        [
          { path: local, collection: 'work' },
          { url: workUrl, collection: 'work' },
        ],
      ],
    ]);

    // Gateway → principal → home on the partition, as with iCloud.
    const discovery = requests(0);
    expect(discovery).toEqual(expect.arrayContaining(['gateway PROPFIND / 207', `gateway PROPFIND /${ALICE.dsid}/principal/ 207`, `partition PROPFIND /${ALICE.dsid}/calendars/ 207`]));
    expect(discovery.indexOf(`gateway PROPFIND /${ALICE.dsid}/principal/ 207`)).toBeLessThan(discovery.indexOf(`partition PROPFIND /${ALICE.dsid}/calendars/ 207`));
    expect(mock.control.journal({ status: 401 })).toEqual([]); // vdirsyncer sends Basic up front
  });

  it("copies the mock's Work events into the folder as .ics files", async () => {
    const output = await sync();
    expect(output).toContain(`Copying (uploading) item ${PICK_JOHN.replace(/\.ics$/, '')} to icloud_local/work`);
    expect(localFiles()).toEqual([PICK_JOHN]);
    expect(readLocal(PICK_JOHN)).toBe(lf(mock.control.getEvent(ALICE.appleId, 'work', PICK_JOHN).data));
  });

  it('uploads a .ics file created in the folder (PUT If-None-Match: * → 201)', async () => {
    writeFileSync(join(local, 'created-locally.ics'), lf(vevent(LOCAL_UID, '20261204T100000Z', '20261204T110000Z')));
    const since = lastSeq();
    await sync();
    expect(mockNames()).toEqual([PICK_JOHN, `${LOCAL_UID}.ics`].sort());
    const stored = mock.control.getEvent(ALICE.appleId, 'work', `${LOCAL_UID}.ics`);
    expect(stored.uid).toBe(LOCAL_UID);
    expect(stored.data).toContain('SUMMARY:Test event\r\n');
    expect(requests(since).filter((r) => / (PUT|DELETE) /.test(r))).toEqual([`partition PUT /${ALICE.dsid}/calendars/work/${LOCAL_UID}.ics 201`]);
  });

  it('writes a local edit back (PUT If-Match → 204)', async () => {
    const file = join(local, 'created-locally.ics');
    writeFileSync(file, readFileSync(file, 'utf8').replace('SUMMARY:Test event', 'SUMMARY:Edited in the folder'));
    const since = lastSeq();
    await sync();
    expect(mock.control.getEvent(ALICE.appleId, 'work', `${LOCAL_UID}.ics`).data).toContain('SUMMARY:Edited in the folder\r\n');
    expect(requests(since).filter((r) => / (PUT|DELETE) /.test(r))).toEqual([`partition PUT /${ALICE.dsid}/calendars/work/${LOCAL_UID}.ics 204`]);
  });

  it('brings a change made on the iPhone into the folder on the next sync', async () => {
    const pickJohn = mock.control.getEvent(ALICE.appleId, 'work', PICK_JOHN);
    mock.control.putEvent(ALICE.appleId, 'work', { ics: pickJohn.data.replace('SUMMARY:Pick John from school', 'SUMMARY:Pick John and Jane from school') });
    mock.control.putEvent(ALICE.appleId, 'work', { ics: vevent(IPHONE_UID, '20261205T080000Z', '20261205T083000Z') });
    const since = lastSeq();
    const output = await sync();
    expect(output).toContain(`Copying (updating) item ${PICK_JOHN.replace(/\.ics$/, '')} to icloud_local/work`);
    expect(output).toContain(`Copying (uploading) item ${IPHONE_UID} to icloud_local/work`);
    expect(readLocal(PICK_JOHN)).toContain('SUMMARY:Pick John and Jane from school\n');
    expect(localFiles()).toHaveLength(3);
    expect(
      localFiles()
        .map((f) => readLocal(f).match(/^UID:(.*)$/m)![1])
        .sort(),
    ).toEqual([LOCAL_UID, IPHONE_UID, PICK_JOHN.replace(/\.ics$/, '')].sort());
    expect(requests(since).filter((r) => / (PUT|DELETE) /.test(r))).toEqual([]); // nothing echoed back
  });

  it('deletes in the mock what was deleted in the folder (DELETE If-Match → 204)', async () => {
    unlinkSync(join(local, 'created-locally.ics'));
    const since = lastSeq();
    const output = await sync();
    expect(output).toContain(`Deleting item ${LOCAL_UID} from icloud_remote/work`);
    expect(mockNames()).toEqual([PICK_JOHN, `${IPHONE_UID}.ics`].sort());
    expect(requests(since).filter((r) => / (PUT|DELETE) /.test(r))).toEqual([`partition DELETE /${ALICE.dsid}/calendars/work/${LOCAL_UID}.ics 204`]);
  });

  it('deletes from the folder what was deleted on the iPhone', async () => {
    mock.control.deleteEvent(ALICE.appleId, 'work', `${IPHONE_UID}.ics`);
    const output = await sync();
    expect(output).toContain(`Deleting item ${IPHONE_UID} from icloud_local/work`);
    expect(localFiles().map((f) => readLocal(f).match(/^UID:(.*)$/m)![1])).toEqual([PICK_JOHN.replace(/\.ics$/, '')]);
  });

  it('has converged: another sync reads and changes nothing', async () => {
    const folder = localFiles().map((f) => [f, readLocal(f)]);
    const world = JSON.stringify(mock.control.exportWorld().accounts);
    const since = lastSeq();
    const output = await sync();
    expect(output).not.toMatch(/Copying|Deleting/);
    expect(localFiles().map((f) => [f, readLocal(f)])).toEqual(folder);
    expect(JSON.stringify(mock.control.exportWorld().accounts)).toBe(world);
    // Only the listing (PROPFIND Depth 1 on the calendar): no GET, multiget, PUT or DELETE.
    expect(requests(since)).toEqual([`partition PROPFIND /${ALICE.dsid}/calendars/work/ 207`]);
  });
});
