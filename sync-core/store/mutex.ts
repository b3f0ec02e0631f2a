/**
 * One holder at a time, in arrival order. SQLite has one connection: a transaction that awaits
 * network I/O must not let another caller's statements slip into it.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
