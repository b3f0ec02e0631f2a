/**
 * contentHash's hashes are stored, so its reading may get faster but never different. The
 * definition below is the hash as first written (and stored by every earlier version); the fast
 * reading must agree with it on any text, folded, restamped or malformed. The seed is printed;
 * CONTENT_HASH_SEED=<seed> replays it.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildObject, calendarObjects } from '../../icalendar/test/simple-objects.js';
import { contentHash } from './content-hash.js';

const RESTAMPED = new Set(['DTSTAMP', 'LAST-MODIFIED', 'CREATED', 'PRODID', 'METHOD']);

/** The definition: unfold, split into lines, drop blank and restamped ones, SHA-256 of the rest joined by LF. */
function definition(ics: string): string {
  const lines = ics
    .replace(/\r\n[ \t]/g, '')
    .replace(/\n[ \t]/g, '')
    .split(/\r?\n/);
  const kept = lines.map((l) => l.trimEnd()).filter((line) => line !== '' && !RESTAMPED.has(line.split(/[;:]/, 1)[0]!.toUpperCase()));
  return createHash('sha256').update(kept.join('\n')).digest('hex');
}

const seed = process.env.CONTENT_HASH_SEED ? Number(process.env.CONTENT_HASH_SEED) : Date.now() % 2_147_483_647;

describe('contentHash (D2)', () => {
  const event = (lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:a', ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

  it('ignores restamped properties, folding, line endings and trailing blanks, and nothing else', () => {
    const base = contentHash(event(['DTSTART:20261201T090000Z', 'SUMMARY:Dentist']));
    expect(contentHash(event(['DTSTAMP:20261101T000000Z', 'DTSTART:20261201T090000Z', 'last-modified;X-A=1:2026', 'SUMMARY:Dentist  ']))).toBe(base);
    expect(contentHash(event(['DTSTART:20261201T090000Z', 'SUMMARY:Den\r\n tist', 'LOCATION:a\n\tb']))).toBe(contentHash(event(['DTSTART:20261201T090000Z', 'SUMMARY:Dentist', 'LOCATION:ab'])));
    expect(contentHash(event(['DTSTART:20261201T090000Z', 'SUMMARY:Dentist']).replace(/\r\n/g, '\n'))).toBe(base);
    expect(contentHash(event(['DTSTART:20261201T090000Z', 'SUMMARY:Dentist!']))).not.toBe(base);
    expect(contentHash(event(['DTSTART:20261201T100000Z', 'SUMMARY:Dentist']))).not.toBe(base);
    expect(contentHash(event(['DTSTART:20261201T090000Z', 'DTSTAMPX:1', 'SUMMARY:Dentist']))).not.toBe(base);
  });

  it(`equals the definition on calendar objects and on any text (seed ${seed})`, () => {
    console.log(`content-hash property test seed: ${seed} (replay with CONTENT_HASH_SEED=${seed})`);
    fc.assert(
      fc.property(calendarObjects, (shape) => {
        const ics = buildObject(shape);
        expect(contentHash(ics)).toBe(definition(ics));
      }),
      { seed, numRuns: 500 },
    );
    // Texts built from the characters the reading turns on: breaks, folds, separators, case.
    const pieces = fc.constantFrom('\r\n', '\n', '\r', ' ', '\t', ':', ';', 'DTSTAMP', 'dtstamp', 'Method', 'CREATED', 'SUMMARY', 'x', 'é', '');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        expect(contentHash(text), JSON.stringify(text)).toBe(definition(text));
      }),
      { seed, numRuns: 5000 },
    );
  });
});
