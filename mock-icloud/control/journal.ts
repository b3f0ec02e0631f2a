/**
 * The request journal: what every CalDAV request was and how it was answered, including the real
 * reason behind each 401 (which the wire never shows), for QA and for test assertions.
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
  /** Why the request failed, or which fault answered it. */
  reason?: string;
  fault?: string;
}

export interface JournalQuery {
  account?: string;
  method?: string;
  status?: number;
  /** Entries with seq greater than this. */
  since?: number;
}

export class Journal {
  private entries: JournalEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 10_000) {}

  record(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
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
  }
}
