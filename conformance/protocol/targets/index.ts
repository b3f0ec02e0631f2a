/**
 * The targets the test suite starts, and every named deviation list the CLI can apply.
 */
import type { Deviation } from '../case.js';
import { ICLOUD_RFC_DEVIATIONS } from './external.js';
import { MOCK_ICLOUD_DEVIATIONS, MOCK_RFC_DEVIATIONS, MOCK_RFC_STRICT_DEVIATIONS, mockIcloudTarget, mockRfcTarget } from './mock.js';
import { RADICALE_DEVIATIONS, radicaleTarget } from './radicale.js';
import type { TargetDefinition } from './target.js';
import { XANDIKOS_DEVIATIONS, xandikosTarget } from './xandikos.js';

export type { RunningTarget, TargetDefinition } from './target.js';
export { externalTarget } from './external.js';

export const TARGETS: readonly TargetDefinition[] = [mockIcloudTarget, mockRfcTarget, radicaleTarget, xandikosTarget];

/** `--deviations NAME` in the CLI. */
export const DEVIATION_LISTS: Record<string, readonly Deviation[]> = {
  none: [],
  icloud: ICLOUD_RFC_DEVIATIONS,
  'mock-icloud': MOCK_ICLOUD_DEVIATIONS,
  'mock-rfc': MOCK_RFC_DEVIATIONS,
  'mock-rfc-strict': MOCK_RFC_STRICT_DEVIATIONS,
  radicale: RADICALE_DEVIATIONS,
  xandikos: XANDIKOS_DEVIATIONS,
};
