/**
 * Errors the sync core raises to its callers. `code` is stable for programs; `message` says what
 * happened and what to do, fit to show a user as it is.
 */
export type SyncErrorCode =
  | 'auth-refused' // C1
  | 'already-connected' // C2
  | 'apple-id-in-other-sub-account' // C3
  | 'subscribed-calendar' // C4
  | 'read-only-linked-calendar' // C5
  | 'not-an-event-calendar'
  | 'unknown-calendar'
  | 'sync-preferences-not-supported' // C7
  | 'reconnect-required'
  | 'not-found'
  | 'icloud-unavailable'
  | 'discovery-failed'
  | 'secret-key' // the key for stored app-specific passwords is missing, malformed or not theirs
  | 'database-unavailable' // the store's database cannot be opened (openStore)
  | 'lease-lost'; // a worker's run stopped: another worker took the connection (Scheduler)

export class SyncError extends Error {
  constructor(
    readonly code: SyncErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SyncError';
  }
}
