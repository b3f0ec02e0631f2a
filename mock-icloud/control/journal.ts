/**
 * The request journal: what every CalDAV request was and how it was answered, including the real
 * reason behind each 401 (which the wire never shows), how long it took and, when asked
 * (`journalBodies`), what was sent each way, for QA and for test assertions.
 */
import { canonicalAppleId } from '../store/apple-id.js';

export interface JournalEntry {
  seq: number;
  /** ISO time from the mock's clock. */
  at: string;
  origin: 'gateway' | 'partition';
  method: string;
  path: string;
  /** The authenticated Apple ID, or the one claimed in a refused Authorization header. */
  account?: string;
  status: number;
  /** Wall-clock milliseconds from the request's arrival to its answer, injected latency included. */
  durationMs: number;
  /** Why the request failed, or which fault answered it. */
  reason?: string;
  /** The client's User-Agent (at most 200 characters): which client, or which worker, sent it. */
  userAgent?: string;
  /** Ids of the fault rules that hit (comma-separated). */
  fault?: string;
  /** Their kinds, in the same order. */
  faultKind?: string;
  /** With `journalBodies`: the request body as the mock read it, at most BODY_LIMIT bytes (see bounded()). */
  requestBody?: string;
  /** With `journalBodies`: the response body, at most BODY_LIMIT bytes. */
  responseBody?: string;
}

export interface JournalQuery {
  account?: string;
  method?: string;
  status?: number;
  /** Entries with seq greater than this. */
  since?: number;
}

/** Bytes of each body kept in an entry. */
export const BODY_LIMIT = 64 * 1024;

/**
 * Text of at most `limit` bytes of `bytes`; a longer body ends in a mark saying how long it was
 * (`total`, when only its start was kept).
 */
export function bounded(bytes: Buffer, limit = BODY_LIMIT, total = bytes.length): string {
  if (total <= limit) return bytes.toString('utf8');
  // Cut on a character boundary: a UTF-8 continuation byte (10xxxxxx) never starts a character.
  let end = limit;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return `${bytes.subarray(0, end).toString('utf8')}…[truncated: ${total} bytes in all]`;
}

export class Journal {
  private entries: JournalEntry[] = [];
  private seq = 0;
  /** Bytes held in bodies; past `bodyBudget` the oldest entries lose theirs, so memory stays bounded. */
  private bodyBytes = 0;

  constructor(
    private readonly capacity = 10_000,
    private readonly bodyBudget = 64 * 1024 * 1024,
  ) {}

  record(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    this.bodyBytes += bodySize(full);
    if (this.entries.length > this.capacity) for (const dropped of this.entries.splice(0, this.entries.length - this.capacity)) this.bodyBytes -= bodySize(dropped);
    for (let i = 0; this.bodyBytes > this.bodyBudget && i < this.entries.length; i++) {
      const old = this.entries[i]!;
      this.bodyBytes -= bodySize(old);
      delete old.requestBody;
      delete old.responseBody;
    }
    return full;
  }

  list(query: JournalQuery = {}): JournalEntry[] {
    return this.entries.filter(
      (e) =>
        (query.account === undefined || e.account === canonicalAppleId(query.account)) &&
        (query.method === undefined || e.method === query.method.toUpperCase()) &&
        (query.status === undefined || e.status === query.status) &&
        (query.since === undefined || e.seq > query.since),
    );
  }

  clear(): void {
    this.entries = [];
    this.bodyBytes = 0;
  }
}

function bodySize(entry: JournalEntry): number {
  return (entry.requestBody?.length ?? 0) + (entry.responseBody?.length ?? 0);
}
