/**
 * Malformed and hostile requests get a precise 4xx, the server stays up, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMockICloud } from '../index.js';
import { ALICE, aliceAuth, gateway, partition, PROPFIND_PRINCIPAL, startDemo } from './helpers.js';

let mock: RunningMockICloud;
let snapshot: string;
beforeAll(async () => {
  mock = await startDemo();
  snapshot = JSON.stringify(mock.control.exportWorld());
});
afterAll(() => mock.close());

const home = `/${ALICE.dsid}/calendars/home/`;

describe('bad requests', () => {
  it.each([
    ['malformed XML', '<propfind xmlns="DAV:"><prop><getetag></propfind>', 400],
    ['truncated XML', '<propfind xmlns="DAV:"><prop>', 400],
    ['an external entity', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><propfind xmlns="DAV:"><prop>&e;</prop></propfind>', 400],
    ['an entity-expansion bomb', '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><propfind xmlns="DAV:"><prop>&b;</prop></propfind>', 400],
    ['deeply nested XML', `<propfind xmlns="DAV:">${'<x>'.repeat(5000)}${'</x>'.repeat(5000)}</propfind>`, 400],
    ['an undeclared prefix', '<D:propfind><D:prop/></D:propfind>', 400],
    ['the wrong root element', '<foo xmlns="DAV:"/>', 400],
  ])('answers %s with %i', async (_what, body, status) => {
    const res = await partition(mock).propfind(home).set('Authorization', aliceAuth).set('Depth', '0').send(body);
    expect(res.status).toBe(status);
  });

  it('answers an oversized body with 413', async () => {
    const res = await partition(mock).propfind(home).set('Authorization', aliceAuth).set('Depth', '0').send(`<propfind xmlns="DAV:">${' '.repeat(1.5 * 1024 * 1024)}</propfind>`);
    expect(res.status).toBe(413);
  });

  it.each([
    ['a dot-dot segment', `/${ALICE.dsid}/calendars/%2E%2E/x.ics`],
    ['an encoded slash', `/${ALICE.dsid}/calendars/home%2Fx/y.ics`],
    ['broken percent-encoding', `/${ALICE.dsid}/calendars/%E0%A4%A/y.ics`],
  ])('refuses %s in a path with 400', async (_what, path) => {
    const res = await partition(mock).put(path).set('Authorization', aliceAuth).set('Content-Type', 'text/calendar').send('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    expect(res.status).toBe(400);
  });

  it('answers unknown methods with 405 and an Allow header', async () => {
    const res = await partition(mock).post(home).set('Authorization', aliceAuth).send('x');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toContain('PROPFIND');
  });

  it('answers unknown paths with 404', async () => {
    expect((await gateway(mock).propfind('/nothing/here/').set('Authorization', aliceAuth).send(PROPFIND_PRINCIPAL)).status).toBe(404);
    expect((await gateway(mock).propfind(`/${ALICE.dsid}/calendars/nope/`).set('Authorization', aliceAuth).send(PROPFIND_PRINCIPAL)).status).toBe(404);
  });

  it('is still up, and no data changed', async () => {
    const res = await gateway(mock).propfind('/').set('Authorization', aliceAuth).set('Depth', '0').send(PROPFIND_PRINCIPAL);
    expect(res.status).toBe(207);
    expect(JSON.stringify(mock.control.exportWorld())).toBe(snapshot);
  });
});
