/**
 * The drift report: per exchange `same`, or its differences in a few lines, each with the
 * FIDELITY.md row that covers it and, when an accepted-differences entry matches, its reason. The
 * same content as JSON for CI (`--json`).
 */
import { acceptedBy, type Accepted } from './accept.js';
import type { Difference } from './compare.js';
import { fidelityRow, type FidelityRow } from './fidelity.js';
import type { ExchangeResult } from './replay.js';

export interface ReportedDifference extends Difference {
  /** The FIDELITY.md row (its first column) covering it. */
  fidelity?: string;
  /** The reason from the accepted-differences file. */
  accepted?: string;
}

export interface ReportedExchange extends Omit<ExchangeResult, 'differences'> {
  differences: ReportedDifference[];
}

export interface DriftReport {
  capture: string;
  target: string;
  exchanges: ReportedExchange[];
  summary: { exchanges: number; same: number; drifted: number; differences: number; accepted: number; unaccepted: number };
}

export function buildReport(capture: string, target: string, results: ExchangeResult[], rows: FidelityRow[], accepted: Accepted[]): DriftReport {
  const exchanges = results.map((r) => ({
    ...r,
    differences: r.differences.map((d) => {
      const fidelity = fidelityRow(d, r.label, rows);
      const by = acceptedBy(d, r.label, accepted, fidelity);
      return { ...d, ...(fidelity ? { fidelity } : {}), ...(by ? { accepted: by.reason } : {}) };
    }),
  }));
  const all = exchanges.flatMap((e) => e.differences);
  const acceptedCount = all.filter((d) => d.accepted !== undefined).length;
  return {
    capture,
    target,
    exchanges,
    summary: {
      exchanges: exchanges.length,
      same: exchanges.filter((e) => e.differences.length === 0).length,
      drifted: exchanges.filter((e) => e.differences.length > 0).length,
      differences: all.length,
      accepted: acceptedCount,
      unaccepted: all.length - acceptedCount,
    },
  };
}

export function driftPassed(report: DriftReport): boolean {
  return report.summary.unaccepted === 0;
}

export function formatReport(report: DriftReport): string {
  const lines = [`drift: ${report.capture} (${report.summary.exchanges} exchanges) against ${report.target}`];
  for (const e of report.exchanges) {
    const status = e.targetStatus === undefined ? `${e.recordedStatus} → no answer` : e.recordedStatus === e.targetStatus ? `${e.recordedStatus}` : `${e.recordedStatus} → ${e.targetStatus}`;
    if (!e.differences.length) {
      lines.push(`${e.label} (${status}): same`);
      continue;
    }
    lines.push(`${e.label} (${status}): ${e.differences.length} difference${e.differences.length > 1 ? 's' : ''}`);
    for (const d of e.differences) {
      const notes = [d.fidelity ? `FIDELITY: ${d.fidelity}` : '', d.accepted !== undefined ? `accepted: ${d.accepted}` : ''].filter(Boolean).join('; ');
      lines.push(`    ${d.accepted !== undefined ? '~' : '!'} ${d.text}${notes ? `   [${notes}]` : ''}`);
    }
  }
  const s = report.summary;
  lines.push(`${s.same} same, ${s.drifted} with drift: ${s.differences} differences, ${s.accepted} accepted, ${s.unaccepted} not accepted`);
  return lines.join('\n');
}
