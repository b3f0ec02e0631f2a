/**
 * Per-calendar change log for RFC 6578 sync-collection.
 *
 * Every change appends the resource name and bumps the revision by one, so the entries since a
 * token's revision start at a computable offset: an incremental sync costs O(changes), whether the
 * calendar holds 100 or 100,000 objects.
 */
export interface LoggedChange {
  name: string;
  /** The latest revision at which this name changed. */
  revision: number;
}

export class ChangeLog {
  private names: string[] = [];
  private readonly firstRevision = 1;

  /** 0 for a calendar that never changed. */
  get revision(): number {
    return this.firstRevision + this.names.length - 1;
  }

  record(name: string): number {
    this.names.push(name);
    return this.revision;
  }

  /** Whether `revision` is one this log issued (and has not compacted away). */
  knows(revision: number): boolean {
    return Number.isInteger(revision) && revision <= this.revision && revision >= this.firstRevision - 1;
  }

  /**
   * Each name changed after `revision`, once, ordered by its latest change. Cutting this list after
   * any entry gives a consistent page: everything left out changed later than the cut's revision.
   */
  since(revision: number): LoggedChange[] {
    const out: LoggedChange[] = [];
    const seen = new Set<string>();
    for (let i = this.names.length - 1; i >= revision - this.firstRevision + 1; i--) {
      const name = this.names[i];
      if (seen.has(name)) continue;
      seen.add(name);
      out.push({ name, revision: this.firstRevision + i });
    }
    return out.reverse();
  }
}
