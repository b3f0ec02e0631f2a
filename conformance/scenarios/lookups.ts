/**
 * Finding what a step names: a key in one of the run's maps, a platform event by title, an iCloud
 * event by UID. A miss is a StepFailure that lists what there is, so the scenario can be fixed.
 */
import type { DriverEvent } from '../driver/driver.js';
import type { ScenarioRun, ScenarioUser } from './run-state.js';
import { StepFailure } from './step-failure.js';

export function need<T>(map: Map<string, T>, key: unknown, what: string): T {
  const value = map.get(String(key));
  if (value === undefined) throw new StepFailure(`unknown ${what} "${String(key)}"; known: ${[...map.keys()].join(', ') || 'none'}`);
  return value;
}

export const userOf = (run: ScenarioRun, key: string): ScenarioUser => need(run.users, key, 'user');
export const connectionOf = (run: ScenarioRun, key: string): string => need(run.connections, key, 'connection (connect the user first)');

/** The one live event of the user with this title (and start), or a failure naming the candidates. */
export async function findSlot(run: ScenarioRun, user: ScenarioUser, title: string, start?: number): Promise<DriverEvent> {
  const all = await run.driver.events(user.id);
  const candidates = all.filter((e) => e.title === title && (start === undefined || e.start === start));
  if (candidates.length !== 1) {
    // The candidates a reader needs: those with the title (any time), else everything the user has.
    const sameTitle = all.filter((e) => e.title === title);
    const shown = (sameTitle.length ? sameTitle : all).slice(0, 12).map((e) => `${e.kind} "${e.title}" ${new Date(e.start).toISOString()}`);
    throw new StepFailure(
      `expected exactly one event "${title}"${start !== undefined ? ` at ${new Date(start).toISOString()}` : ''} for ${user.name}, found ${candidates.length}`,
      { title, ...(start !== undefined ? { start: new Date(start).toISOString() } : {}) },
      shown,
    );
  }
  return candidates[0];
}

/** The UID an iCloud step names: `uid`, or `event` (a platform event key) for the copy the platform pushed. */
export async function icloudUid(run: ScenarioRun, ref: { uid?: string; event?: string }): Promise<string> {
  if (ref.event !== undefined) return run.driver.icloudUid(need(run.events, ref.event, 'event'));
  return ref.uid!;
}

export function findICloudEvent(run: ScenarioRun, account: string, calendar: string, uid: string) {
  const event = run.mock.control.listEvents(account, calendar).find((e) => e.uid === uid);
  if (!event) throw new StepFailure(`no iCloud event with UID ${uid} in ${account}'s "${calendar}"`);
  return event;
}

/** The journal's last sequence number: where "during the last sync" starts and ends. */
export function lastSeq(run: ScenarioRun): number {
  return run.mock.control.journal().at(-1)?.seq ?? 0;
}
