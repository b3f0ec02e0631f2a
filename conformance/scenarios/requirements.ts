/**
 * The driver capabilities a scenario needs: those its steps ask for (a crash point, a poll) and
 * those its `given` needs (booking calendar types, a sync window). The runner skips a scenario
 * whose driver lacks any, naming them, rather than running half of it.
 */
import type { DriverCapability } from '../driver/driver.js';
import type { Scenario } from './schema.js';
import { STEP_BY_NAME } from './steps/index.js';

export function requiredCapabilities(scenario: Scenario): DriverCapability[] {
  const needed = new Set<DriverCapability>();
  for (const sa of scenario.given.platform.subAccounts) for (const c of Object.values(sa.calendars)) needed.add(`calendar-type:${c.type}` as DriverCapability);
  if (scenario.given.window) needed.add('sync-window');
  for (const step of scenario.steps) for (const c of STEP_BY_NAME.get(step.kind)?.needs?.(step.args) ?? []) needed.add(c);
  return [...needed].sort();
}
