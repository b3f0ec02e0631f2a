/**
 * How a worker stops a run whose lease it has lost. A worker renews its leases while it syncs
 * (Scheduler); when a renewal finds a connection's lease gone (it ran out while the worker was
 * frozen or cut off from the database, and another worker took the connection), the worker aborts
 * that run's signal. From then on every call the run makes to the store, the platform or the sync
 * state throws the signal's reason, so the run writes nothing more and is recorded as failed.
 *
 * The run's CalDAV client is given the same signal and sends no further request. A request
 * already on its way to iCloud finishes: iCloud's writes are conditional (If-Match,
 * If-None-Match), and its bookkeeping is then not written, as after a crash between a request and
 * its answer (D3), which the next run repairs.
 */
export function stoppedBy<T extends object>(target: T, signal: AbortSignal): T {
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        signal.throwIfAborted();
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}
