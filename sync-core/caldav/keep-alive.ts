/**
 * The connection pool the CalDAV client uses by default: undici's, except that a connection stays
 * open after a REPORT.
 *
 * undici closes the connection after any request that carries a body under a method it does not
 * know to carry one (it knows PUT, POST, PATCH, PROPFIND and PROPPATCH, not REPORT), as a guard
 * against servers that leave such a body unread. CalDAV servers read REPORT bodies, and a sync is
 * mostly REPORTs: without this, every poll of every connection opened a new connection (a new TLS
 * handshake on iCloud), which was a third of a steady polling cycle's time against the mock.
 */
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';

class CalDavAgent extends Agent {
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return super.dispatch(options.body != null ? { ...options, reset: false } : options, handler);
  }
}

/** Shared by every client in the process: connections to one iCloud host are pooled across accounts. */
export const calDavAgent = new CalDavAgent();

/** fetch on the same pool, for the requests tsdav sends (discovery, PROPFIND, PUT, DELETE). */
export const keepAliveFetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
  undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: calDavAgent })) as unknown as typeof fetch;
