/**
 * The HTTP control client against a mock on loopback without a token, and with one: every
 * operation passes the control plane's guard (JSON bodies, Host, token).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockICloudControlClient } from '../control-client.js';
import type { RunningMockICloud } from '../index.js';
import { ALICE, startDemo, vevent } from './helpers.js';

describe.each([
  ['without a token', undefined],
  ['with a token', 'control-client-test-token-0123'],
])('MockICloudControlClient %s', (_what, token) => {
  let mock: RunningMockICloud;
  let control: MockICloudControlClient;
  beforeAll(async () => {
    mock = await startDemo({ controlToken: token });
    control = new MockICloudControlClient(mock.gatewayUrl, { token });
  });
  afterAll(() => mock.close());

  it('writes and reads through the guarded control plane, body-less POSTs included', async () => {
    const written = await control.putEvent(ALICE.appleId, 'home', { ics: vevent('CLIENT-1') });
    await control.touchEvent(ALICE.appleId, 'home', written.name);
    await control.forgetSyncTokens();
    expect(mock.control.listEvents(ALICE.appleId, 'home').map((e) => e.uid)).toContain('CLIENT-1');
    await control.reset();
    expect(mock.control.listEvents(ALICE.appleId, 'home').map((e) => e.uid)).not.toContain('CLIENT-1');
  });
});
