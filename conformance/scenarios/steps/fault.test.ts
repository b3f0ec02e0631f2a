/**
 * A scenario's `fault:` step is checked at load by the mock's own fault-kind records: a key the
 * kind does not take, or a missing one it needs, stops the file before anything runs.
 */
import { describe, expect, it } from 'vitest';
import { GIVEN_ALICE, loadError, loadYaml } from '../test-support.js';

const withStep = (step: string) => `name: fault step\nrules: [A1]\n${GIVEN_ALICE}\nsteps:\n  - ${step}\n`;

describe('fault step', () => {
  it("holds each kind to its record's parameters at load", () => {
    expect(loadError(withStep('fault: { kind: latency, latencyMs: 5, retryAfter: 1 }'))).toContain('unknown key "retryAfter"');
    expect(loadError(withStep('fault: { kind: truncate-sync }'))).toContain('a truncate-sync fault needs pageSize');
    expect(loadError(withStep('fault: { kind: unavailable, cout: 1 }'))).toContain('unknown key "cout"');
    expect(() => loadYaml(withStep('fault: { kind: unavailable, retryAfter: 60, count: 1 }'))).not.toThrow();
    expect(() => loadYaml(withStep('fault: duplicate-dtstamp'))).not.toThrow();
  });
});
