import type { PlatformEvent } from '../platform/model.js';
import type { RunContext } from './context.js';

/**
 * RULES.md D1: when both sides changed the same event since the last sync, the change with the
 * later modification time wins: LAST-MODIFIED (else DTSTAMP, else when we saw it) on the iCloud
 * side, the platform's update time on the other. A tie goes to iCloud, whose copy is the one other
 * devices already show. recordConflict keeps the losing change in full: it is never silently dropped.
 */
export function iCloudWins(platformUpdatedAt: number, icloudModified: number | undefined, observedAt: number): boolean {
  return (icloudModified ?? observedAt) >= platformUpdatedAt;
}

/** Records a D1 conflict with the change that lost, and names it in the run's report. */
export async function recordConflict(
  ctx: RunContext,
  event: PlatformEvent,
  href: string,
  winner: 'platform' | 'icloud',
  icloudModified: number | undefined,
  losingChange: Record<string, unknown>,
): Promise<void> {
  await ctx.state.recordConflict({ connectionId: ctx.connection.id, eventId: event.id, href, detectedAt: ctx.clock.now(), winner, platformModified: event.updatedAt, icloudModified, losingChange });
  ctx.report.conflicts.push({ eventId: event.id, href, winner });
}
