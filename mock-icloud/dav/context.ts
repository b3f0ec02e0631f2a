/**
 * What a DAV method handler gets: the authenticated account, the resolved resource, the store and
 * the server's configuration. Handlers never touch Express directly except through `req`/`res`.
 */
import type { Request, Response } from 'express';
import type { Account } from '../store/model.js';
import type { CalendarStore } from '../store/store.js';
import type { Quirks } from '../quirks.js';
import type { InvitationSink } from '../scheduling/sink.js';
import type { Resource } from './resources.js';
import type { DavError } from '../http/errors.js';

export interface ServerUrls {
  /** `http://127.0.0.1:P`: plays caldav.icloud.com. */
  gateway: string;
  /** `http://127.0.0.1:Q`: plays pNN-caldav.icloud.com. */
  partition: string;
  /** The partition host accounts moved by `control.moveAccount` live on (plays pMM-caldav.icloud.com). */
  movedPartition?: string;
}

/** Per-request switches set by the fault engine (see control/faults.ts). */
export interface RequestEffects {
  omitEtagOnPut: boolean;
  /** Truncate sync-collection answers to this many members (RFC 6578 §3.6). */
  syncPageSize?: number;
  /** calendar-multiget answers 404 for every href (iCloud's eventual consistency). */
  multigetMissing?: boolean;
  /** Serve objects read by this request with an extra DTSTAMP of the read time (read-time-dtstamp.ts). */
  duplicateDtstamp?: boolean;
}

export interface DavContext {
  req: Request;
  res: Response;
  store: CalendarStore;
  account: Account;
  resource: Resource;
  urls: ServerUrls;
  quirks: Quirks;
  effects: RequestEffects;
  /** Where implicit scheduling records the iTIP messages iCloud would send (scheduling/). */
  invitations: InvitationSink;
  /** The mock's clock. */
  now(): number;
  /** Effects of the faults that act on one REPORT type, once the body says which report it is. */
  reportFaults(report: string): Partial<RequestEffects>;
  /** Reads the request body within the given limit (see http/body.ts). */
  body(limit: number, invalid?: (reason: string) => DavError): Promise<string>;
}
