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
  /**
   * `<C:expand>` and `<C:limit-recurrence-set>` inside calendar-data (RFC 4791 §9.6.5/§9.6.6).
   * python-caldav's iCloud flags say recurring objects "may not be expanded" and the dossier (§4)
   * infers the stored object comes back whole: `as-stored` (default). Apple CalendarServer, iCloud's
   * ancestor, expands: `expand` honours both elements.
   */
  recurrenceExpansion: 'as-stored' | 'expand';
  /**
   * iCloud serves server-touched objects with an extra DTSTAMP equal to the time of each read
   * (home-assistant/core#140087, #153046): `always` does it on every read of every VEVENT; `never`
   * (default) leaves it to the `duplicate-dtstamp` fault, scoped to the requests it matches.
   */
  dtstampAtRead: 'never' | 'always';
  /**
   * A sync token past its lifetime (`syncTokenLifetimeDays`): a bare 403 as for any invalid token
   * (KashCal, dossier §4 [R]; default), or `full-listing`: the token is silently dropped and every
   * member listed with a new token, deletions unsaid (python-caldav#122, [R]).
   */
  expiredSyncToken: 'bare-403' | 'full-listing';
  /**
   * tsdav#238: iCloud broke discovery for clients sending the `Accept-*` headers `fetch` adds
   * ([R], cause not captured). `refused` answers a request with fetch's `Accept-Language: *` with
   * 400; `ignored` (default) serves it, as the mock always has.
   */
  fetchAcceptHeaders: 'ignored' | 'refused';
  /**
   * iCloud schedules implicitly: an organizer's PUT/DELETE with ATTENDEEs sends iTIP (Nylas,
   * calcom/cal.diy#9893; scheduling/implicit.ts). `on` (default) records REQUEST/CANCEL messages in
   * the invitation sink and delivers to attendees who are accounts; `off` stores objects as sent only.
   */
  implicitScheduling: 'on' | 'off';
  /** CalendarServer strips VTIMEZONEs of known zones on PUT; unproven for iCloud (dav/put-rewrites/). */
  stripStandardTimezones: 'off' | 'on';
  /** CalendarServer drops duplicate VALARMs on PUT; unproven for iCloud (dav/put-rewrites/). */
  removeDuplicateAlarms: 'off' | 'on';
  /** CalendarServer normalises attendee addresses, Nylas reports iCloud aliases; unproven (dav/put-rewrites/). */
  normaliseAttendees: 'off' | 'on';
}

export const DEFAULT_QUIRKS: Quirks = {
  invalidSyncToken: 'bare-403',
  queryWithoutComponentFilter: 'valid-filter-400',
  recurrenceExpansion: 'as-stored',
  dtstampAtRead: 'never',
  expiredSyncToken: 'bare-403',
  fetchAcceptHeaders: 'ignored',
  implicitScheduling: 'on',
  stripStandardTimezones: 'off',
  removeDuplicateAlarms: 'off',
  normaliseAttendees: 'off',
};

/** Every quirk and its choices, the default first. The CLI, QUIRKS and FIDELITY.md name them. */
export const QUIRK_CHOICES: { readonly [K in keyof Quirks]: readonly Quirks[K][] } = {
  invalidSyncToken: ['bare-403', 'precondition'],
  queryWithoutComponentFilter: ['valid-filter-400', 'icloud-500'],
  recurrenceExpansion: ['as-stored', 'expand'],
  dtstampAtRead: ['never', 'always'],
  expiredSyncToken: ['bare-403', 'full-listing'],
  fetchAcceptHeaders: ['ignored', 'refused'],
  implicitScheduling: ['on', 'off'],
  stripStandardTimezones: ['off', 'on'],
  removeDuplicateAlarms: ['off', 'on'],
  normaliseAttendees: ['off', 'on'],
};

/**
 * Quirks from their command-line names (`--quirk`, `--quirks a,b`, `QUIRKS=a,b`): `name=choice`;
 * a quirk's name alone for its one non-default choice (`recurrenceExpansion` → `expand`); or a
 * choice only one quirk has (`icloud-500`, `full-listing`). Unknown names throw, listing them all.
 */
export function parseQuirks(items: readonly string[]): Partial<Quirks> {
  const out: Record<string, string> = {};
  const keys = Object.keys(QUIRK_CHOICES) as (keyof Quirks)[];
  const choicesOf = (k: keyof Quirks) => QUIRK_CHOICES[k] as readonly string[];
  for (const raw of items
    .flatMap((i) => i.split(','))
    .map((i) => i.trim())
    .filter(Boolean)) {
    const [name, value] = raw.split('=', 2) as [string, string | undefined];
    const key = keys.find((k) => k.toLowerCase() === name.toLowerCase());
    if (key && value !== undefined) {
      if (!choicesOf(key).includes(value)) throw new Error(`quirk ${key}: "${value}" is not one of ${choicesOf(key).join(', ')}`);
      out[key] = value;
    } else if (key) {
      if (choicesOf(key).length !== 2) throw new Error(`quirk ${key}: say which (${choicesOf(key).join(', ')})`);
      out[key] = choicesOf(key)[1];
    } else if (value === undefined) {
      const owners = keys.filter((k) => k !== 'implicitScheduling' && choicesOf(k).slice(1).includes(name));
      if (owners.length !== 1) throw new Error(`unknown quirk "${raw}"${owners.length > 1 ? ` (a choice of ${owners.join(' and ')}: write name=choice)` : ''}; quirks: ${quirkUsage()}`);
      out[owners[0]] = name;
    } else throw new Error(`unknown quirk "${name}"; quirks: ${quirkUsage()}`);
  }
  return out as Partial<Quirks>;
}

/** `name=default|other, …` for usage texts. */
export function quirkUsage(): string {
  return Object.entries(QUIRK_CHOICES)
    .map(([k, v]) => `${k}=${(v as string[]).join('|')}`)
    .join(', ');
}
