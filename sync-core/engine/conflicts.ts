/**
 * RULES.md D1: when both sides changed the same event since the last sync, the change with the
 * later modification time wins: LAST-MODIFIED (else DTSTAMP, else when we saw it) on the iCloud
 * side, the platform's update time on the other. A tie goes to iCloud, whose copy is the one other
 * devices already show. The loser is recorded in full by the caller, never silently dropped.
 */
export function iCloudWins(platformUpdatedAt: number, icloudModified: number | undefined, observedAt: number): boolean {
  return (icloudModified ?? observedAt) >= platformUpdatedAt;
}
