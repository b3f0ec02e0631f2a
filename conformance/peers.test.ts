/**
 * The one helper that decides whether a suite needing an outside program runs, skips or fails.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { requiredBy, requirePeer } from './peers.js';

const saved = { REQUIRE_PEERS: process.env.REQUIRE_PEERS, REQUIRE_DOCKER: process.env.REQUIRE_DOCKER };

afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('requirePeer', () => {
  it('skips a missing program with one line naming it and how to get it', async () => {
    delete process.env.REQUIRE_PEERS;
    const lines: string[] = [];
    const peer = await requirePeer('Frobnicator', () => 'Frobnicator is not installed', 'apt-get install frobnicator', { print: (l) => lines.push(l) });
    expect(peer).toMatchObject({ available: false, skip: true, required: false });
    expect(lines).toEqual(['skipped: Frobnicator is not installed (apt-get install frobnicator); set REQUIRE_PEERS=1 to make this a failure']);
    expect(() => peer.assert()).toThrow(/Frobnicator is not installed \(apt-get install frobnicator\)/);
  });

  it('does not skip, and fails in assert, when REQUIRE_PEERS=1', async () => {
    process.env.REQUIRE_PEERS = '1';
    const lines: string[] = [];
    const peer = await requirePeer('Gadget', async () => 'Gadget is not installed', 'apt-get install gadget', { print: (l) => lines.push(l) });
    expect(peer).toMatchObject({ available: false, skip: false, required: true });
    expect(lines).toEqual([]);
    expect(() => peer.assert()).toThrow('Gadget is not installed (apt-get install gadget); REQUIRE_PEERS=1 makes a missing Gadget a failure');
  });

  it("honours the peer's own variable (REQUIRE_DOCKER) and names it in the line", async () => {
    delete process.env.REQUIRE_PEERS;
    delete process.env.REQUIRE_DOCKER;
    const lines: string[] = [];
    const skipped = await requirePeer('Docker', () => 'no Docker engine', 'apt-get install docker.io', { requireEnv: 'REQUIRE_DOCKER', print: (l) => lines.push(l) });
    expect(skipped.skip).toBe(true);
    expect(lines[0]).toMatch(/set REQUIRE_PEERS=1 or REQUIRE_DOCKER=1 to make this a failure$/);
    process.env.REQUIRE_DOCKER = 'true';
    expect(requiredBy('REQUIRE_DOCKER')).toBe('REQUIRE_DOCKER');
    const required = await requirePeer('Docker', () => 'no Docker engine', 'apt-get install docker.io', { requireEnv: 'REQUIRE_DOCKER', print: (l) => lines.push(l) });
    expect(required.skip).toBe(false);
    expect(() => required.assert()).toThrow(/REQUIRE_DOCKER=1 makes a missing Docker a failure/);
  });

  it('runs a present program, and turns a throwing check into a reason', async () => {
    const present = await requirePeer('Node', () => undefined, 'install Node');
    expect(present).toMatchObject({ available: true, skip: false });
    expect(() => present.assert()).not.toThrow();
    delete process.env.REQUIRE_PEERS;
    const broken = await requirePeer(
      'Broken',
      () => {
        throw new Error('boom');
      },
      'fix it',
      { print: () => {} },
    );
    expect(broken.reason).toBe('Broken could not be checked: boom (fix it)');
  });
});
