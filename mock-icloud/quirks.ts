/**
 * Switches between iCloud's observed behaviour and stricter RFC behaviour where the two differ and
 * a client author may want to test both. Defaults are what iCloud does (see FIDELITY.md).
 */
export interface Quirks {
  /**
   * An invalid or expired sync token: iCloud answers a bare 403 (dossier §4, [R]); `precondition`
   * adds RFC 6578's `<valid-sync-token/>` body for strict clients.
   */
  invalidSyncToken: 'bare-403' | 'precondition';
  /**
   * A calendar-query with no VEVENT/VTODO comp-filter: iCloud failed such queries with 500 in 2017
   * ([R]); the default answers a precise 400 `valid-filter` instead.
   */
  queryWithoutComponentFilter: 'valid-filter-400' | 'icloud-500';
}

export const DEFAULT_QUIRKS: Quirks = {
  invalidSyncToken: 'bare-403',
  queryWithoutComponentFilter: 'valid-filter-400',
};
