/**
 * The drift report, offline and without peers: a tsdav session recorded against the mock (demo
 * world) is replayed against a mock serving the capture's own world. The mock is iCloud-shaped on
 * both sides, so every answer must come out the same once addresses, etags and tokens are
 * normalised; then a doctored capture (as if the upstream had answered otherwise) must drift.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, startDemo } from '../../mock-icloud/test/helpers.js';
import { startRecordingProxy } from '../../mock-icloud/record/proxy.js';
import { tsdavSession } from '../../mock-icloud/record/test/tsdav-session.js';
import type { Har } from '../../mock-icloud/record/har.js';
import { main as conformanceMain } from '../cli.js';
import { driftMain, runDrift } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'drift-mock-'));
const capture = join(dir, 'capture.har');

beforeAll(async () => {
  const demo = await startDemo();
  const proxy = await startRecordingProxy({ upstream: demo.gatewayUrl, out: capture });
  await tsdavSession(proxy.gatewayUrl, ALICE.appleId, ALICE.appPassword, 'work');
  await proxy.close();
  await demo.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('drift against a mock serving the capture', () => {
  it('finds no drift when the mock is compared with itself', async () => {
    const report = await runDrift({ capture });
    const drifted = report.exchanges.filter((e) => e.differences.length).map((e) => `${e.label}: ${e.differences.map((d) => d.text).join(' | ')}`);
    expect(drifted).toEqual([]);
    expect(report.summary.exchanges).toBeGreaterThan(10);
  });

  it('reports a doctored answer, names its FIDELITY row, and fails unless accepted', async () => {
    const har = JSON.parse(readFileSync(capture, 'utf8')) as Har;
    // As if the upstream had sent no ETag on the create, and another DAV header on the first PROPFIND.
    const put = har.log.entries.find((e) => e.request.method === 'PUT' && e.response.status === 201)!;
    put.response.headers = put.response.headers.filter((h) => h.name.toLowerCase() !== 'etag');
    const doctored = join(dir, 'doctored.har');
    writeFileSync(doctored, JSON.stringify(har));
    const lines: string[] = [];
    expect(await driftMain([doctored, '--json', join(dir, 'report.json')], (l) => lines.push(l))).toBe(1);
    const text = lines.join('\n');
    expect(text).toMatch(/PUT \{home\}\/work\/uid-\d+\.ics \(201\): 1 difference\n\s+! header ETag: recorded none, target strong, quoted\s+\[FIDELITY: ETag header after PUT\]/);
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(json.summary).toMatchObject({ differences: 1, unaccepted: 1 });

    const accept = join(dir, 'accept.yaml');
    writeFileSync(accept, '- exchange: "PUT {home}/work/"\n  what: header ETag\n  reason: iCloud sometimes omits the ETag after a PUT\n');
    lines.length = 0;
    expect(await driftMain([doctored, '--accept', accept], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/~ header ETag: .*accepted: iCloud sometimes omits the ETag after a PUT/);
    // `what` may also name the FIDELITY row, as in the README's example.
    writeFileSync(accept, '- exchange: /^#\\d+ PUT /\n  what: ETag header after PUT\n  reason: the row says so\n');
    expect(await driftMain([doctored, '--accept', accept], () => undefined)).toBe(0);
  });

  it('bad input is one line: a missing capture, a bad accept file', async () => {
    const lines: string[] = [];
    expect(await driftMain([join(dir, 'missing.har')], (l) => lines.push(l))).toBe(2);
    expect(lines).toEqual([`icloud-conformance drift: cannot read capture ${join(dir, 'missing.har')}: ENOENT`]);
    writeFileSync(join(dir, 'bad-accept.yaml'), '- exchange: x\n  what: y\n');
    lines.length = 0;
    expect(await driftMain([capture, '--accept', join(dir, 'bad-accept.yaml')], (l) => lines.push(l))).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/bad-accept\.yaml\[0\]\.reason: .* \(each entry is \{ exchange, what, reason \}\)/);
    // The same through the icloud-conformance command.
    lines.length = 0;
    expect(await conformanceMain(['drift', join(dir, 'missing.har')], (l) => lines.push(l))).toBe(2);
    expect(lines).toEqual([`icloud-conformance drift: cannot read capture ${join(dir, 'missing.har')}: ENOENT`]);
  });
});
