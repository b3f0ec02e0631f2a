/**
 * When a matcher finds nothing, the failure shows the few candidates closest to what was asked,
 * not everything there is: a user with 300 imported occurrences would bury the one that matters.
 */
export function nearest<T>(candidates: T[], score: (candidate: T) => number, count = 5): T[] {
  return candidates
    .map((candidate, index) => ({ candidate, index, score: score(candidate) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, count)
    .map((x) => x.candidate);
}

/** Closeness of two instants: 1 when equal, falling to 0 over about a week. */
export function timeCloseness(a: number, b: number): number {
  return 1 / (1 + Math.abs(a - b) / 86_400_000);
}
