/**
 * What one sync run did, for the caller, the CLI and the conformance harness.
 */
export interface SyncReport {
  connectionId: string;
  startedAt: number;
  finishedAt: number;
  /** ok: everything done; partial: some items skipped or failed; failed: the run stopped; skipped: not run. */
  outcome: 'ok' | 'partial' | 'failed' | 'skipped';
  pulled: {
    created: number;
    updated: number;
    unchanged: number;
    /** I4: deleted in iCloud, kept in the platform. */
    remoteDeletionsKept: number;
    /** D2: our own writes seen again. */
    echoesIgnored: number;
  };
  pushed: { created: number; updated: number; deleted: number; adopted: number };
  conflicts: Array<{ eventId: string; href: string; winner: 'platform' | 'icloud' }>;
  skipped: Array<{ eventId?: string; href?: string; reason: string }>;
  errors: Array<{ phase: 'pull' | 'push' | 'run'; message: string; code?: string; calendarUrl?: string; eventId?: string }>;
  /** Calendars whose sync token iCloud refused: listed in full and compared by etag (D6: nothing deleted). */
  fullResyncs: string[];
  /** iCloud asked to wait this long (503/429 Retry-After). */
  retryAfterMs?: number;
}

export function emptyReport(connectionId: string, startedAt: number): SyncReport {
  return {
    connectionId,
    startedAt,
    finishedAt: startedAt,
    outcome: 'ok',
    pulled: { created: 0, updated: 0, unchanged: 0, remoteDeletionsKept: 0, echoesIgnored: 0 },
    pushed: { created: 0, updated: 0, deleted: 0, adopted: 0 },
    conflicts: [],
    skipped: [],
    errors: [],
    fullResyncs: [],
  };
}

/** A run that found nothing to do: no change either way, no conflict, nothing skipped, no error (kept out of the run history). */
export function isQuiet(report: SyncReport): boolean {
  const { pulled, pushed } = report;
  return (
    report.outcome === 'ok' &&
    pulled.created + pulled.updated + pulled.remoteDeletionsKept === 0 &&
    pushed.created + pushed.updated + pushed.deleted + pushed.adopted === 0 &&
    report.conflicts.length + report.skipped.length + report.errors.length + report.fullResyncs.length === 0
  );
}
