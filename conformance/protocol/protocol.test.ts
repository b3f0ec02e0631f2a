/**
 * The CalDAV protocol cases against every target, one describe block per target, one test per
 * case, so a regression names both. Known deviations are expected to fail; one that passes fails
 * the test (the list is stale). Radicale and Xandikos come from Debian (`apt-get install radicale
 * xandikos`): when one is missing its block is skipped with one line saying so, unless
 * REQUIRE_PEERS=1 (as in CI), which makes it a failure (conformance/peers.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../peers.js';
import { casesFor } from './cases/index.js';
import { Session } from './context.js';
import { deviationsOutsideProfile, runCase } from './runner.js';
import { TARGETS, type RunningTarget } from './targets/index.js';

for (const target of TARGETS) {
  const peer = target.peer ? await requirePeer(target.peer.name, target.peer.check, target.peer.howToGet) : undefined;
  describe.skipIf(peer?.skip ?? false)(`protocol cases against ${target.name}${peer?.skip ? ` (skipped: ${peer.reason})` : ''}`, () => {
    let running: RunningTarget | undefined;
    let session: Session | undefined;

    beforeAll(async () => {
      peer?.assert();
      running = await target.start();
      session = new Session(running.address, target.profile);
    }, 30_000);

    afterAll(async () => {
      await running?.stop();
    }, 15_000);

    it(`the ${target.key} deviation list names only ${target.profile}-profile cases`, () => {
      expect(deviationsOutsideProfile(target.deviations, target.profile).map((d) => d.caseId)).toEqual([]);
    });

    for (const c of casesFor(target.profile)) {
      const deviation = target.deviations.find((d) => d.caseId === c.id);
      it(`${c.id}${deviation ? ' (known deviation)' : ''}: ${c.title}`, async () => {
        if (!session) throw new Error(`${target.name} did not start`);
        const result = await runCase(c, session, deviation);
        if (result.outcome === 'fail') throw new Error(`${target.name} fails ${c.id}: ${result.message}`);
        if (result.outcome === 'stale-deviation') {
          throw new Error(
            `${target.name} passes ${c.id}, which its deviation list says it fails ("${result.reason}"): the list is stale; remove the entry from targets/${target.key.startsWith('mock') ? 'mock' : target.key}.ts`,
          );
        }
        expect(result.leftovers ?? [], 'scratch calendars left behind').toEqual([]);
      });
    }
  });
}
