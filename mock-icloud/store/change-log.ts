/**
 * Per-calendar change log for RFC 6578 sync-collection, with sync-token expiry by age and
 * compaction behind the oldest token still valid.
 *
 * Every change bumps the revision by one; a token names a revision. What the log keeps:
 *
 * - one entry per name, its latest change (an earlier change of the same name can never be
 *   reported again: `since` lists each name once), so updates do not grow the log;
 * - a deletion (tombstone) only while some valid token needs it: a name created and deleted with
 *   no token handed out in between is forgotten at once (no client can know it), and tombstones
 *   older than the token lifetime go when the tokens they serve expire;
 * - a run-length timeline (revision → clock time) of the changes inside the lifetime, to tell when
 *   a token expires.
 *
 * Expiry by age: a token expires once a change after it is older than the lifetime (Apple
 * CalendarServer, iCloud's ancestor, cleans revisions after `RevisionCleanup.SyncTokenLifetimeDays`
 * = 14 days, and a token older than the cleaned revisions is refused). A token for the current
 * state never expires: no change follows it. Without a lifetime nothing expires, but the log still
 * stays the size of the live names plus the tombstones some handed-out token needs.
 *
 * Costs: `record` is amortised O(1); `since(r)` is O(log n + entries after r). Superseded entries
 * are removed from the ordered array lazily, when they are half of it.
 */
export interface LoggedChange {
  name: string;
  /** The latest revision at which this name changed. */
  revision: number;
  deleted: boolean;
}

interface Entry {
  name: string;
  revision: number;
  deleted: boolean;
  /** Revision at which the name's current life began (its last creation). */
  created: number;
  /** An earlier life of this name was seen by a token, so its deletion must still be reported. */
  carried: boolean;
  /** False once superseded by a later entry for the same name, or dropped. */
  live: boolean;
}

export interface ChangeLogOptions {
  /** Tokens expire once a change after them is older than this (ms). Default: never. */
  lifetimeMs?: number;
}

/** Work counters: what the log holds and what reading it cost, for tests and benchmarks. */
export interface ChangeLogStats {
  /** Entries in the ordered array (live and not yet swept). */
  stored: number;
  /** Names with an entry (live objects and kept tombstones). */
  names: number;
  tombstones: number;
  /** Runs in the timeline. */
  timeline: number;
  /** Entries `since` has visited, in total. */
  visited: number;
}

export class ChangeLog {
  private entries: Entry[] = [];
  private readonly latest = new Map<string, Entry>();
  private superseded = 0;
  private tombstones = 0;
  /** Tombstones in revision order, for expiry (entries already retired are skipped). */
  private tombstoneQueue: Entry[] = [];
  private tombstoneHead = 0;
  private rev = 0;
  /** Tokens below this revision are expired (or compacted away). */
  private floor = 0;
  /** The highest revision a token was handed out for. */
  private issuedMax = -1;
  /** [first revision, clock time] runs, ascending; only changes after `floor`. */
  private timeline: Array<[number, number]> = [];
  private lastAt = -Infinity;
  private visited = 0;

  constructor(private readonly options: ChangeLogOptions = {}) {}

  /** 0 for a calendar that never changed. */
  get revision(): number {
    return this.rev;
  }

  /** Records a change of `name` at clock time `at` (a PUT, a touch, or a deletion). */
  record(name: string, at: number, deleted = false): number {
    const revision = ++this.rev;
    const previous = this.latest.get(name);
    if (previous) this.retire(previous);
    let created = revision;
    let carried = false;
    if (previous && !previous.deleted) {
      created = previous.created;
      carried = previous.carried;
    } else if (previous?.deleted) carried = true; // a kept tombstone: some token needs that deletion
    if (deleted && this.issuedMax < created && !carried) {
      // Created and deleted with no token in between: no client can have seen it.
      this.latest.delete(name);
    } else {
      const entry: Entry = { name, revision, deleted, created, carried, live: true };
      this.entries.push(entry);
      this.latest.set(name, entry);
      if (deleted) {
        this.tombstones++;
        this.tombstoneQueue.push(entry);
      }
    }
    const stamp = Math.max(at, this.lastAt);
    if (this.timeline.length === 0 || this.timeline[this.timeline.length - 1][1] !== stamp) this.timeline.push([revision, stamp]);
    this.lastAt = stamp;
    this.sweep();
    return revision;
  }

  /** A token for `revision` was handed to a client (sync-token, getctag, a REPORT's token). */
  issued(revision: number): void {
    if (revision > this.issuedMax) this.issuedMax = revision;
  }

  /**
   * Whether a token naming `revision` is still good at clock time `now`: `valid`, `expired` (a
   * change after it is older than the lifetime), or `unknown` (never issued by this log).
   */
  check(revision: number, now: number): 'valid' | 'expired' | 'unknown' {
    if (!Number.isInteger(revision) || revision < 0 || revision > this.rev) return 'unknown';
    this.expire(now);
    return revision < this.floor ? 'expired' : 'valid';
  }

  /**
   * Each name changed after `revision`, once, ordered by its latest change. Cutting this list after
   * any entry gives a consistent page: everything left out changed later than the cut's revision.
   * A deletion of a name created after `revision` is left out (that client never saw it).
   */
  since(revision: number): LoggedChange[] {
    const out: LoggedChange[] = [];
    for (let i = this.firstAfter(revision); i < this.entries.length; i++) {
      const e = this.entries[i];
      this.visited++;
      if (!e.live) continue;
      if (e.deleted && e.created > revision && !e.carried) continue;
      out.push({ name: e.name, revision: e.revision, deleted: e.deleted });
    }
    return out;
  }

  /** Drops what expired tokens needed: tombstones and timeline runs older than the lifetime. */
  expire(now: number): void {
    const lifetime = this.options.lifetimeMs;
    if (lifetime === undefined || this.timeline.length === 0) return;
    const cutoff = now - lifetime;
    let i = 0;
    while (i < this.timeline.length && this.timeline[i][1] < cutoff) i++;
    if (i === 0) return;
    // Every change up to the last revision of run i-1 is older than the lifetime.
    const last = i < this.timeline.length ? this.timeline[i][0] - 1 : this.rev;
    this.floor = Math.max(this.floor, last);
    this.timeline.splice(0, i);
    while (this.tombstoneHead < this.tombstoneQueue.length && this.tombstoneQueue[this.tombstoneHead].revision <= this.floor) {
      const e = this.tombstoneQueue[this.tombstoneHead++];
      if (e.live) this.retire(e, true);
    }
    if (this.tombstoneHead > 1024 && this.tombstoneHead * 2 > this.tombstoneQueue.length) {
      this.tombstoneQueue = this.tombstoneQueue.slice(this.tombstoneHead);
      this.tombstoneHead = 0;
    }
    this.sweep();
  }

  stats(): ChangeLogStats {
    return { stored: this.entries.length, names: this.latest.size, tombstones: this.tombstones, timeline: this.timeline.length, visited: this.visited };
  }

  private retire(entry: Entry, forget = false): void {
    if (!entry.live) return;
    entry.live = false;
    this.superseded++;
    if (entry.deleted) this.tombstones--;
    if (forget) this.latest.delete(entry.name);
  }

  /** Removes superseded entries from the ordered array once they are half of it. */
  private sweep(): void {
    if (this.superseded * 2 < this.entries.length || this.superseded < 16) return;
    this.entries = this.entries.filter((e) => e.live);
    this.superseded = 0;
  }

  /** Index of the first entry with a revision above `revision` (entries are in revision order). */
  private firstAfter(revision: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid].revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
