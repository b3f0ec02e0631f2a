import { describe, expect, it } from 'vitest';
import { ChangeLog } from './change-log.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-21T09:00:00Z');

describe('ChangeLog', () => {
  it('returns each changed name once, ordered by its latest change', () => {
    const log = new ChangeLog();
    expect(log.revision).toBe(0);
    for (const name of ['a', 'b', 'a', 'c']) log.record(name, T0);
    expect(log.revision).toBe(4);
    expect(log.since(0).map((c) => [c.name, c.revision])).toEqual([
      ['b', 2],
      ['a', 3],
      ['c', 4],
    ]);
    expect(log.since(3).map((c) => c.name)).toEqual(['c']);
    expect(log.since(4)).toEqual([]);
  });

  it('knows only revisions it issued', () => {
    const log = new ChangeLog();
    log.record('a', T0);
    expect(log.check(0, T0)).toBe('valid');
    expect(log.check(1, T0)).toBe('valid');
    expect(log.check(2, T0)).toBe('unknown');
    expect(log.check(-1, T0)).toBe('unknown');
    expect(log.check(0.5, T0)).toBe('unknown');
  });

  it('reads only the changes after the revision, however long the log', () => {
    const log = new ChangeLog();
    for (let i = 0; i < 100_000; i++) log.record(`n${i}`, T0);
    log.record('latest', T0);
    const before = log.stats().visited;
    expect(log.since(100_000).map((c) => c.name)).toEqual(['latest']);
    expect(log.stats().visited - before).toBe(1);
  });

  it('reports a deletion to a token that saw the object, and not to one taken before it existed', () => {
    const log = new ChangeLog();
    log.record('kept', T0);
    log.issued(log.revision); // token at 1: 'gone' does not exist yet
    log.record('gone', T0);
    log.issued(log.revision); // token at 2: it exists
    log.record('gone', T0, true);
    expect(log.since(2)).toEqual([{ name: 'gone', revision: 3, deleted: true }]);
    expect(log.since(1)).toEqual([]);
  });
});

describe('ChangeLog expiry by age (CalendarServer: 14 days)', () => {
  it('expires a token once a change after it is older than the lifetime; the current token never', () => {
    const log = new ChangeLog({ lifetimeMs: 14 * DAY });
    log.record('a', T0);
    log.issued(1);
    log.record('a', T0 + DAY);
    expect(log.check(1, T0 + 14 * DAY)).toBe('valid'); // the change after it is 13 days old
    expect(log.check(1, T0 + 15 * DAY + 1)).toBe('expired');
    expect(log.check(2, T0 + 400 * DAY)).toBe('valid'); // nothing changed after the current token
  });

  it('never expires without a lifetime', () => {
    const log = new ChangeLog();
    log.record('a', T0);
    log.record('a', T0 + DAY);
    expect(log.check(1, T0 + 1000 * DAY)).toBe('valid');
  });
});

describe('ChangeLog compaction behind the oldest valid token', () => {
  it('200,000 create/delete cycles no client saw leave nothing: an initial sync of the empty calendar visits no entry', () => {
    const log = new ChangeLog({ lifetimeMs: 14 * DAY });
    log.issued(log.revision); // an old token, taken before any of it
    for (let i = 0; i < 200_000; i++) {
      log.record(`e${i}.ics`, T0);
      log.record(`e${i}.ics`, T0, true);
    }
    expect(log.stats()).toMatchObject({ names: 0, tombstones: 0 });
    expect(log.stats().stored).toBeLessThanOrEqual(32);
    const before = log.stats().visited;
    expect(log.since(0)).toEqual([]); // what the old token (revision 0) is answered: nothing to say
    expect(log.stats().visited - before).toBeLessThanOrEqual(32);
  });

  it('updates of one object keep one entry, however many', () => {
    const log = new ChangeLog();
    for (let i = 0; i < 10_000; i++) {
      log.record('busy.ics', T0);
      log.issued(log.revision);
    }
    expect(log.stats().names).toBe(1);
    expect(log.stats().stored).toBeLessThanOrEqual(32);
  });

  it('keeps tombstones a valid token needs, and drops them with the tokens when they expire', () => {
    const log = new ChangeLog({ lifetimeMs: 14 * DAY });
    for (let i = 0; i < 1000; i++) {
      log.record(`e${i}.ics`, T0);
      log.issued(log.revision); // a client synced while it existed
      log.record(`e${i}.ics`, T0, true);
    }
    expect(log.stats().tombstones).toBe(1000);
    expect(log.since(0).filter((c) => c.deleted)).toHaveLength(0); // a token from before: never saw them
    // The token at revision 1 saw e0 only; the one at 1999 saw e999 only.
    expect(
      log
        .since(1)
        .filter((c) => c.deleted)
        .map((c) => c.name),
    ).toEqual(['e0.ics']);
    expect(
      log
        .since(1999)
        .filter((c) => c.deleted)
        .map((c) => c.name),
    ).toEqual(['e999.ics']);
    log.record('later.ics', T0 + 20 * DAY);
    expect(log.check(1, T0 + 20 * DAY)).toBe('expired');
    expect(log.stats()).toMatchObject({ tombstones: 0, names: 1 });
    expect(log.stats().stored).toBeLessThanOrEqual(32);
  });
});
