import { z } from 'zod';
import { key, oneOrMany, whole } from '../args/vocabulary.js';
import { defineExpectation } from './define-expectation.js';

const counts = <K extends string>(keys: readonly K[]) => z.strictObject(Object.fromEntries(keys.map((k) => [k, whole(0, k).optional()])) as Record<K, z.ZodOptional<ReturnType<typeof whole>>>);

export const report = defineExpectation({
  name: 'report',
  doc: 'the last sync report of `user` (default: the last synced): `outcome` ok, partial, failed or skipped; `pulled.{created, updated, unchanged, remoteDeletionsKept, echoesIgnored}` and `pushed.{created, updated, deleted, adopted}` counts; `conflicts` and `fullResyncs` counts; `skipped`/`errors`: texts each found in some reason or message',
  args: z.strictObject({
    user: key('user').optional(),
    outcome: z.enum(['ok', 'partial', 'failed', 'skipped']).optional(),
    pulled: counts(['created', 'updated', 'unchanged', 'remoteDeletionsKept', 'echoesIgnored'] as const).optional(),
    pushed: counts(['created', 'updated', 'deleted', 'adopted'] as const).optional(),
    conflicts: whole(0, 'conflicts found in the run').optional(),
    skipped: oneOrMany(z.string()).optional().describe('texts each found in some skipped reason'),
    errors: oneOrMany(z.string()).optional().describe('texts each found in some error message'),
    fullResyncs: whole(0, 'calendars listed in full').optional(),
    retryAfterMs: z.number().optional(),
  }),
  check(run, spec) {
    const key = spec.user ?? run.lastSync.user ?? [...run.reports.keys()].at(-1);
    const got = key === undefined ? undefined : run.reports.get(key);
    if (!got) throw new Error(`no sync has run for "${key ?? 'anyone'}"`);
    const expected: Record<string, unknown> = {};
    const actual: Record<string, unknown> = {};
    const compare = (path: string, want: unknown, have: unknown, ok = want === have) => {
      expected[path] = want;
      actual[path] = have;
      return ok;
    };
    const results: boolean[] = [];
    if (spec.outcome !== undefined) results.push(compare('outcome', spec.outcome, got.outcome));
    for (const side of ['pulled', 'pushed'] as const)
      for (const [k, n] of Object.entries(spec[side] ?? {})) if (n !== undefined) results.push(compare(`${side}.${k}`, n, (got[side] as Record<string, number>)[k]));
    if (spec.conflicts !== undefined) results.push(compare('conflicts', spec.conflicts, got.conflicts.length));
    if (spec.fullResyncs !== undefined) results.push(compare('fullResyncs', spec.fullResyncs, got.fullResyncs.length));
    if (spec.retryAfterMs !== undefined) results.push(compare('retryAfterMs', spec.retryAfterMs, got.retryAfterMs));
    for (const [k, texts] of [
      ['skipped', got.skipped.map((s) => s.reason)],
      ['errors', got.errors.map((e) => e.message)],
    ] as const) {
      const needles = spec[k];
      if (needles !== undefined)
        results.push(
          compare(
            k,
            needles,
            texts,
            needles.every((n) => texts.some((t) => t.includes(n))),
          ),
        );
    }
    if (results.every(Boolean)) return [];
    // The run's errors explain most surprises, so they are shown even when not asked about.
    if (spec.errors === undefined && got.errors.length) actual.errors = got.errors.map((e) => e.message);
    return [{ message: `the last sync report for ${key} differs`, expected, actual }];
  },
});
