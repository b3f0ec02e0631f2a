/**
 * The form of the ids a store gives (`evt_000042`: a prefix, an underscore, a counter of six digits
 * or more). A caller may also choose an id; one chosen in this form takes a number the counter
 * would reach, and the store must skip past it (PlatformRecords.skipIdsTo), or every record
 * created after the counter got there would be refused, for ever.
 */

/** The id the counter gives for `n`. */
export function idOf(prefix: string, n: number): string {
  return `${prefix}_${String(n).padStart(6, '0')}`;
}

/** The counter value behind `id` when it is exactly what the counter gives for it; undefined otherwise. */
export function counterOf(prefix: string, id: string): number | undefined {
  const digits = /^(.*)_(\d{6,15})$/.exec(id);
  if (!digits || digits[1] !== prefix) return undefined;
  const n = Number(digits[2]);
  return idOf(prefix, n) === id ? n : undefined;
}
