/**
 * A hash of an iCalendar object's meaning, not its bytes (vdirsyncer's approach, sync-anchors §4.2):
 * lines are unfolded and the properties servers and clients restamp without a real change (DTSTAMP,
 * LAST-MODIFIED, CREATED, PRODID, METHOD) are left out. Equal hashes mean "nothing changed", which
 * is how an echo of our own write, an etag-only change and iCloud's duplicated DTSTAMP are told
 * apart from a real edit (RULES.md D2).
 */
import { createHash } from 'node:crypto';

const RESTAMPED = new Set(['DTSTAMP', 'LAST-MODIFIED', 'CREATED', 'PRODID', 'METHOD']);

export function contentHash(ics: string): string {
  const lines = ics
    .replace(/\r\n[ \t]/g, '')
    .replace(/\n[ \t]/g, '')
    .split(/\r?\n/);
  const kept = lines.map((l) => l.trimEnd()).filter((line) => line !== '' && !RESTAMPED.has(line.split(/[;:]/, 1)[0].toUpperCase()));
  return createHash('sha256').update(kept.join('\n')).digest('hex');
}
