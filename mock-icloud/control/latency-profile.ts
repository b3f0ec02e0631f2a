/**
 * An opt-in latency profile shaped like iCloud's, so client timeouts and slow paths show up in
 * tests (loopback answers in a millisecond; iCloud does not). No iCloud latency figures are
 * published; the medians are the targets of Apple CalendarServer's own load test
 * (`contrib/performance/loadtest/benchmarks.json`: GET event 0.10 s, PUT event 0.25 s, PROPFIND
 * home 0.25 s, REPORT sync 0.25 s) and the spread its `thresholds.json` allows (at most 5% over
 * 3 s, none over 30 s): log-normal around the median with about 5% of requests past 3× it.
 * Draws come from a generator seeded per server, so a run repeats exactly.
 */
import { seededRandom } from '../../common/random.js';

export interface LatencyProfileOptions {
  profile: 'icloud';
  /** Seed of the draws (default 1). */
  seed?: number;
}

/** Median delay per method, ms (CalendarServer load-test targets). */
const MEDIAN_MS: Record<string, number> = { GET: 100, HEAD: 100, PUT: 250, DELETE: 250, PROPFIND: 250, PROPPATCH: 250, REPORT: 250, MKCALENDAR: 250, MKCOL: 250, OPTIONS: 50 };
/** ln(3)/1.645: 5% of draws beyond 3× the median. */
const SIGMA = Math.log(3) / 1.645;
/** CalendarServer's threshold: nothing over 30 s. */
const CAP_MS = 30_000;

/** A function giving each request's added delay, in ms. */
export function latencyProfile(options: LatencyProfileOptions): (method: string) => number {
  const random = seededRandom(options.seed ?? 1);
  return (method) => {
    const median = MEDIAN_MS[method.toUpperCase()] ?? 250;
    // Box–Muller from two uniform draws (never 0, so the log is finite).
    const u1 = 1 - random();
    const u2 = random();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.min(CAP_MS, Math.round(median * Math.exp(SIGMA * normal)));
  };
}

/** `icloud` or `icloud:SEED` (the `--latency-profile` flag, `LATENCY_PROFILE`) → the option. */
export function parseLatencyProfile(text: string): LatencyProfileOptions {
  const m = /^icloud(?::(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`latency profile "${text}": expected icloud or icloud:SEED`);
  return { profile: 'icloud', ...(m[1] !== undefined ? { seed: Number(m[1]) } : {}) };
}
