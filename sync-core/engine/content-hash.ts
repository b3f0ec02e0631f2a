/**
 * A hash of an iCalendar object's meaning, not its bytes (vdirsyncer's approach, sync-anchors §4.2):
 * lines are unfolded and the properties servers and clients restamp without a real change (DTSTAMP,
 * LAST-MODIFIED, CREATED, PRODID, METHOD) are left out. Equal hashes mean "nothing changed", which
 * is how an echo of our own write, an etag-only change and iCloud's duplicated DTSTAMP are told
 * apart from a real edit (RULES.md D2).
 *
 * Every downloaded object is hashed (10,000 on a first sync), and the hashes are stored: the text
 * hashed must stay exactly what it has always been (content-hash.test.ts holds the definition),
 * read here in one pass over the lines with one-shot hashing.
 */
import { hash } from 'node:crypto';

const RESTAMPED = new Set(['DTSTAMP', 'LAST-MODIFIED', 'CREATED', 'PRODID', 'METHOD']);

export function contentHash(ics: string): string {
  // Unfolded (RFC 5545 §3.1): a line break followed by a space or tab is no break. In two passes,
  // CRLF folds then LF folds, as it always was: on a malformed text the passes can differ from one.
  const text = ics.includes('\n ') || ics.includes('\n\t') ? ics.replace(/\r\n[ \t]/g, '').replace(/\n[ \t]/g, '') : ics;
  let kept = '';
  for (let from = 0; from <= text.length;) {
    let end = text.indexOf('\n', from);
    if (end < 0) end = text.length;
    const line = text.slice(from, end).trimEnd();
    from = end + 1;
    if (line === '' || RESTAMPED.has(propertyName(line).toUpperCase())) continue;
    kept = kept === '' ? line : `${kept}\n${line}`;
  }
  return hash('sha256', kept, 'hex');
}

/** What comes before the first ';' or ':' of a content line. */
function propertyName(line: string): string {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x3a /* : */ || c === 0x3b /* ; */) return line.slice(0, i);
  }
  return line;
}
