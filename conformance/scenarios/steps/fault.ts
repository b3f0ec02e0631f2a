import { z } from 'zod';
import { anyFaultSpecShape, parseFaultSpec, type FaultSpec } from '../../../mock-icloud/control/faults.js';
import { defineStep } from './define-step.js';

/**
 * The mock's fault rule, checked at load with the mock's own check (each kind's record in
 * mock-icloud/control/fault-kinds/): every kind's keys are offered (JSON Schema, step table), and
 * a key the kind does not take, or a missing one it needs, is refused as the control plane would.
 */
const faultSpec = z.strictObject(anyFaultSpecShape).superRefine((spec, ctx) => {
  try {
    parseFaultSpec(spec);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const fault = defineStep({
  name: 'fault',
  group: 'faults',
  doc: 'make the mock fail with a fault rule, e.g. `{ kind: unavailable, retryAfter: 60, count: 1 }` (kinds and scoping: see Faults)',
  args: faultSpec,
  shorthand: 'kind',
  run(run, a) {
    run.mock.control.addFault(a as FaultSpec);
  },
});
