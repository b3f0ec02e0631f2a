/**
 * The Express application serving one origin (gateway or partition). Both origins serve the same
 * accounts and data (dossier §1: KashCal reaches everything through caldav.icloud.com); only the
 * journal tells them apart. Order per request: control plane (gateway only) → faults → /.well-known → auth →
 * resolve path → method handler; every DavError is serialised by http/errors.ts, anything else
 * becomes a journalled 500 and the server stays up.
 */
import express, { type Request, type Response } from 'express';
import { createHash } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { bounded, type Journal, type JournalEntry } from './control/journal.js';
import type { FaultEngine, FaultOutcome } from './control/faults.js';
import type { DavContext, RequestEffects, ServerUrls } from './dav/context.js';
import { dispatch } from './dav/dispatch.js';
import { resolveResource } from './dav/resources.js';
import { authenticate, CHALLENGES, claimedAppleId, unauthorized } from './http/auth.js';
import { readBody } from './http/body.js';
import { DavError, sendError } from './http/errors.js';
import { setAppleHeaders } from './http/headers.js';
import { captureResponseBody } from './http/request-log.js';
import type { Quirks } from './quirks.js';
import type { InvitationSink } from './scheduling/sink.js';
import { type CalendarStore, StateError } from './store/store.js';

/** The reserved prefix of the control plane: no CalDAV path starts with `__`. */
export const CONTROL_PREFIX = '/__mock';

export interface AppDeps {
  store: CalendarStore;
  clock: Clock;
  journal: Journal;
  faults: FaultEngine;
  quirks: Quirks;
  invitations: InvitationSink;
  urls: () => ServerUrls;
  /** The opt-in latency profile's delay for a request (control/latency-profile.ts), if one is on. */
  latency?: (method: string) => number;
  /** Waits for injected latency; tests can replace it to observe delays without sleeping. */
  sleep: (ms: number) => Promise<void>;
  /** Keep request and response bodies (bounded) in the journal. */
  journalBodies?: boolean;
  /** Told of every journalled request: the request log. */
  onRequest?: (entry: JournalEntry) => void;
  control: express.Router;
}

export function createApp(origin: 'gateway' | 'partition', deps: AppDeps, host: 'first' | 'moved' = 'first'): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  // The control plane lives on the gateway only; on the partition /__mock is a CalDAV path like any other (401/404).
  if (origin === 'gateway') app.use(CONTROL_PREFIX, deps.control);
  let counter = 0;
  app.use((req, res) => {
    const requestId = uuidFrom(`${origin}:${++counter}`);
    serveDav(origin, requestId, req, res, deps, host).catch((error) => {
      // Last resort: a handler bug must not take the server down or leave the client hanging.
      if (!res.headersSent) sendError(res, new DavError(500, `internal error: ${(error as Error).message}`));
      else res.end();
    });
  });
  return app;
}

async function serveDav(origin: 'gateway' | 'partition', requestId: string, req: Request, res: Response, deps: AppDeps, host: 'first' | 'moved' = 'first'): Promise<void> {
  const started = performance.now();
  const claimed = claimedAppleId(req.headers.authorization);
  const path = req.originalUrl.split('?')[0];
  // Fault kinds that acted, for the journal and the log (ids alone say nothing once a rule is gone).
  const kinds: string[] = [];
  let requestBody: string | undefined;
  const responseBody = deps.journalBodies ? captureResponseBody(res) : undefined;
  const journal = (status: number, extra: { account?: string; reason?: string; fault?: string } = {}) => {
    const entry = deps.journal.record({
      at: new Date(deps.clock.now()).toISOString(),
      origin,
      method: req.method,
      path,
      status,
      account: claimed,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(req.headers['user-agent'] ? { userAgent: String(req.headers['user-agent']).slice(0, 200) } : {}),
      ...extra,
      ...(kinds.length ? { faultKind: kinds.join(',') } : {}),
      ...(requestBody !== undefined ? { requestBody } : {}),
      ...(responseBody ? { responseBody: responseBody() } : {}),
    });
    deps.onRequest?.(entry);
  };

  setAppleHeaders(res, requestId, deps.store.getAccountByAppleId(claimed ?? '')?.partition);

  const outcome = deps.faults.evaluate({ method: req.method, path, account: claimed, now: deps.clock.now() });
  const delayMs = outcome.delayMs + (deps.latency?.(req.method) ?? 0);
  if (delayMs > 0) await deps.sleep(delayMs);
  const applied = [...outcome.applied];
  kinds.push(...outcome.kinds);
  const faultIds = () => (applied.length ? applied.join(',') : undefined);
  const fault = faultIds();
  applySideEffects(outcome, deps.store);
  if (outcome.reset) {
    // Headers and half a body, then the connection drops: what a client sees when a proxy dies.
    res.writeHead(207, { 'Content-Type': 'text/xml; charset=UTF-8', 'Content-Length': '4096' });
    res.write('<?xml version="1.0" encoding="UTF-8"?>\n<multistatus xmlns="DAV:"><response xmlns="DAV:"><href>');
    res.socket?.destroy();
    journal(207, { reason: `fault ${fault}: connection reset mid-response`, fault });
    return;
  }
  try {
    if (outcome.error) throw outcome.error;
    // The fetchAcceptHeaders quirk: iCloud broke tsdav's discovery over the Accept-* headers fetch adds.
    refuseFetchAcceptHeaders(req, deps.quirks);
    const wellKnown = path === '/.well-known/caldav' || path === '/.well-known/caldav/';
    // RFC 6764 §5: service discovery. On the gateway, 301 to / without credentials satisfies tsdav's
    // live test ([U]); a partition host asks for credentials first (vdirsyncer#855: "discovery failed
    // with 401 at https://p34-caldav.icloud.com/.well-known/caldav").
    if (wellKnown && origin === 'gateway') {
      res.status(301).setHeader('Location', '/');
      res.end();
      journal(301, { fault });
      return;
    }
    const auth = authenticate(req.headers.authorization, deps.store);
    if (!auth.ok) {
      res.setHeader('WWW-Authenticate', CHALLENGES);
      throw unauthorized(auth);
    }
    if (wellKnown) {
      res.status(301).setHeader('Location', '/');
      res.end();
      journal(301, { fault });
      return;
    }
    // A partition host the account does not live on (after control.moveAccount): 301 to the same
    // path on the one it does, as a moved account's published URLs answer (GAS-ICS-Sync#261, [R]).
    if (origin === 'partition' && (host === 'moved') !== !!auth.account.movedHost) {
      const urls = deps.urls();
      const target = auth.account.movedHost ? urls.movedPartition : urls.partition;
      if (target) {
        res.status(301).setHeader('Location', `${target}${req.originalUrl}`);
        res.setHeader('Content-Length', '0');
        res.end();
        journal(301, { reason: `${auth.account.appleId} moved to partition ${auth.account.partition}`, fault });
        return;
      }
    }
    const effects: RequestEffects = { omitEtagOnPut: false, ...outcome.effects };
    const ctx: DavContext = {
      req,
      res,
      store: deps.store,
      account: auth.account,
      resource: resolveResource(path, auth.account, deps.store),
      urls: deps.urls(),
      quirks: deps.quirks,
      effects,
      invitations: deps.invitations,
      now: () => deps.clock.now(),
      reportFaults: (report) => {
        const reportOutcome = deps.faults.evaluate({ method: req.method, path, account: claimed, now: deps.clock.now(), report });
        applied.push(...reportOutcome.applied);
        kinds.push(...reportOutcome.kinds);
        return reportOutcome.effects;
      },
      body: async (limit, invalid) => {
        const text = await readBody(req, limit, invalid);
        if (deps.journalBodies) requestBody = bounded(Buffer.from(text, 'utf8'));
        return text;
      },
    };
    await dispatch(ctx);
    journal(res.statusCode, { fault: faultIds() });
  } catch (error) {
    const davError = asDavError(error);
    if (res.headersSent) res.end();
    else sendError(res, davError);
    journal(davError.status, { reason: davError.reason, fault: faultIds() });
  }
}

/** Faults that change state before the request is served (a revoked password, new etags). */
function applySideEffects(outcome: FaultOutcome, store: CalendarStore): void {
  if (outcome.revokeFor) {
    const account = store.getAccountByAppleId(outcome.revokeFor);
    for (const p of account?.appPasswords ?? []) if (p.revokedAt === undefined) store.revokeAppPassword(account!.dsid, p.password);
  }
  if (outcome.touchCalendar?.account) {
    const account = store.getAccountByAppleId(outcome.touchCalendar.account);
    const entry = account && store.getHomeEntry(account.dsid, outcome.touchCalendar.calendar);
    if (entry && entry.kind !== 'subscribed') for (const object of [...store.listObjects(entry.calendar)]) store.touchObject(entry.calendar, object.name);
  }
}

/**
 * tsdav#238 (2024-12, fixed in tsdav 2.1.4): "iCloud does not like the `Accept-` headers that fetch
 * uses"; discovery then failed with "cannot find homeUrl". Which header and which status were not
 * captured ([R]). With `fetchAcceptHeaders: refused`, a request carrying fetch's own
 * `Accept-Language: *` (no Apple client or browser sends a bare `*`) is answered 400, empty.
 */
function refuseFetchAcceptHeaders(req: Request, quirks: Quirks): void {
  if (quirks.fetchAcceptHeaders !== 'refused') return;
  if (String(req.headers['accept-language'] ?? '').trim() === '*') {
    throw new DavError(400, "Accept-Language: * (as fetch sends it): iCloud refused fetch's Accept-* headers (tsdav#238)", { kind: 'empty' });
  }
}

function asDavError(error: unknown): DavError {
  if (error instanceof DavError) return error;
  if (error instanceof StateError) return new DavError(error.code === 'not-found' ? 404 : error.code === 'conflict' ? 409 : 400, error.message);
  return new DavError(500, `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

/** Request ids in UUID shape, derived from a counter so runs are reproducible. */
function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
