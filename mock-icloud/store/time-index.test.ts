import { describe, expect, it } from 'vitest';
import { spanOverlaps, TimeIndex } from './time-index.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.parse('2026-11-01T00:00:00Z');

describe('spanOverlaps (RFC 4791 §9.9)', () => {
  it('treats the end as exclusive and zero-length instances as points', () => {
    expect(spanOverlaps(T0, T0 + H, { start: T0 + H, end: T0 + 2 * H })).toBe(false);
    expect(spanOverlaps(T0, T0 + H, { start: T0 + H - 1, end: T0 + 2 * H })).toBe(true);
    expect(spanOverlaps(T0, T0, { start: T0, end: T0 + 1 })).toBe(true);
    expect(spanOverlaps(T0, T0, { start: T0 - 1, end: T0 })).toBe(false);
  });
});

describe('TimeIndex', () => {
  it('finds only objects near the range among many', () => {
    const index = new TimeIndex();
    for (let i = 0; i < 10_000; i++) index.add(`e${i}`, { spans: [[T0 + i * D, T0 + i * D + H]] });
    const { matches, maybe } = index.query({ start: T0 + 500 * D, end: T0 + 502 * D });
    expect(matches.sort()).toEqual(['e500', 'e501']);
    expect(maybe).toEqual([]);
  });

  it('keeps long and open-ended objects in view of every query', () => {
    const index = new TimeIndex();
    index.add('year-long', { spans: [[T0, T0 + 400 * D]] });
    index.add('daily-forever', { spans: [[T0, T0 + H]], openEndedFrom: T0 + 1000 * D });
    expect(index.query({ start: T0 + 200 * D, end: T0 + 201 * D })).toEqual({ matches: ['year-long'], maybe: [] });
    expect(index.query({ start: T0 + 2000 * D, end: T0 + 2001 * D })).toEqual({ matches: [], maybe: ['daily-forever'] });
  });

  it('forgets removed and replaced spans', () => {
    const index = new TimeIndex();
    index.add('a', { spans: [[T0, T0 + H]] });
    index.add('a', { spans: [[T0 + 10 * D, T0 + 10 * D + H]] });
    expect(index.query({ start: T0, end: T0 + D }).matches).toEqual([]);
    expect(index.query({ start: T0 + 10 * D, end: T0 + 11 * D }).matches).toEqual(['a']);
    index.remove('a');
    expect(index.query({ start: -Infinity, end: Infinity }).matches).toEqual([]);
  });

  it('answers unbounded ranges', () => {
    const index = new TimeIndex();
    index.add('a', { spans: [[T0, T0 + H]] });
    expect(index.query({ start: -Infinity, end: Infinity }).matches).toEqual(['a']);
  });
});
