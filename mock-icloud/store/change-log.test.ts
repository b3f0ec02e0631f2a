import { describe, expect, it } from 'vitest';
import { ChangeLog } from './change-log.js';

describe('ChangeLog', () => {
  it('returns each changed name once, ordered by its latest change', () => {
    const log = new ChangeLog();
    expect(log.revision).toBe(0);
    for (const name of ['a', 'b', 'a', 'c']) log.record(name);
    expect(log.revision).toBe(4);
    expect(log.since(0)).toEqual([
      { name: 'b', revision: 2 },
      { name: 'a', revision: 3 },
      { name: 'c', revision: 4 },
    ]);
    expect(log.since(3)).toEqual([{ name: 'c', revision: 4 }]);
    expect(log.since(4)).toEqual([]);
  });

  it('knows only revisions it issued', () => {
    const log = new ChangeLog();
    log.record('a');
    expect(log.knows(0)).toBe(true);
    expect(log.knows(1)).toBe(true);
    expect(log.knows(2)).toBe(false);
    expect(log.knows(-1)).toBe(false);
    expect(log.knows(0.5)).toBe(false);
  });

  it('reads only the changes after the revision, however long the log', () => {
    const log = new ChangeLog();
    for (let i = 0; i < 100_000; i++) log.record(`n${i}`);
    log.record('latest');
    expect(log.since(100_000)).toEqual([{ name: 'latest', revision: 100_001 }]);
  });
});
