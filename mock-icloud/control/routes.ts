/**
 * The control plane over HTTP, under the reserved prefix /__mock (the LocalStack/WireMock
 * pattern), on the gateway only. JSON in, JSON out (the world can also be exported as YAML). Every
 * route calls the same MockControl method the programmatic API exposes, and every body is checked
 * by the same zod schema as the world file's shape it matches (world/schema.ts), so a misspelt key
 * is a 400 naming it.
 *
 * The control plane exports every password, so before any route runs (guard below):
 *   - the Host header must name an address the mock serves (loopback names, the bound host, the
 *     public URLs): a DNS-rebound name is refused (403);
 *   - with a token configured (required when the mock binds beyond loopback), `Authorization:
 *     Bearer <token>` (401 otherwise); GET /health alone answers without it, for health checks;
 *   - a body must be `application/json` (415 otherwise), and so must a POST, PUT or PATCH without
 *     one unless it carries the token: browsers send JSON cross-site only after a CORS preflight,
 *     which this server never grants, while a form, `text/plain` or body-less POST needs none.
 *
 *   GET    /__mock/health[?gc=1]                          accounts, heap and RSS (after a GC with --expose-gc)
 *   POST   /__mock/reset                                  back to the loaded world
 *   GET    /__mock/world[?format=yaml]                    export      PUT /__mock/world  import
 *   GET    /__mock/accounts                               POST /__mock/accounts
 *   GET    /__mock/accounts/:appleId                      PATCH {twoFactor}
 *   POST   /__mock/accounts/:appleId/move {partition?}    POST /__mock/accounts/:appleId/upgrade-reminders
 *   POST   /__mock/accounts/:appleId/app-passwords        {label?, password?} → {password}
 *   DELETE /__mock/accounts/:appleId/app-passwords/:password   revoke
 *   GET    /__mock/accounts/:appleId/calendars            POST {name, …} | {sharedFrom:{owner,calendar,access}} | {subscribed, name, displayName}
 *   DELETE /__mock/accounts/:appleId/calendars/:calendar
 *   GET    /__mock/accounts/:appleId/calendars/:calendar/events
 *   POST   /__mock/accounts/:appleId/calendars/:calendar/events          {ics, name?}
 *   GET|PUT|DELETE /__mock/accounts/:appleId/calendars/:calendar/events/:name
 *   POST   /__mock/accounts/:appleId/calendars/:calendar/events/:name/touch   new etag, same content
 *   POST   /__mock/sync-tokens/forget
 *   GET|POST|DELETE /__mock/faults, DELETE /__mock/faults/:id
 *   GET    /__mock/journal[?account=&method=&status=&since=]   DELETE /__mock/journal
 *   GET    /__mock/invitations[?to=&from=&method=&uid=]     DELETE /__mock/invitations
 *   GET|PUT /__mock/clock  {now: ISO or epoch ms}
 */
import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { decodeUtf8 } from '../http/body.js';
import { DavError } from '../http/errors.js';
import { StateError } from '../store/store.js';
import { worldToYaml } from '../world/files.js';
import { calendarSchema, eventSchema, newAccountSchema, parseWith, strict, text, WorldError, worldSchema } from '../world/schema.js';
import type { MockControl } from './control.js';
import { FaultSpecError, parseFaultSpec } from './faults.js';

type Handler = (req: Request, res: Response) => unknown;

export interface ControlAccess {
  /** Required as `Authorization: Bearer <token>` when set. */
  token?: string;
  /** Host names (lower case, IPv6 in brackets) the Host header may carry. */
  allowedHosts: () => ReadonlySet<string>;
}

/** An HTTP error for the control plane: `{ "error": message }` with this status. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const BODY_LIMIT = 16 * 1024 * 1024;
const noBody = strict({});
const patchAccount = strict({ twoFactor: z.boolean({ error: 'must be true or false' }) });
const moveBody = strict({ partition: z.number().int().min(1).optional() });
const newAppPassword = strict({ label: text.optional(), password: text.optional() });
const clockBody = strict({ now: z.union([z.string(), z.number()], { error: 'must be an ISO time or epoch ms' }) });

/** `file:` names a file on the mock's own disk: fine in a world file, not from a remote client. */
function inlineOnly(events: Array<{ file?: string }> | undefined, where: string): void {
  const i = (events ?? []).findIndex((e) => e.file !== undefined);
  if (i >= 0) throw new ControlError(400, `${where}.events[${i}]: "file" reads the mock's own disk; over HTTP send the iCalendar inline as "ics"`);
}

/** Validates a request body against `schema`, or a 400 naming the key and the problem. */
function body<T extends z.ZodType>(req: Request, schema: T): z.output<T> {
  return parseWith(schema, req.body ?? {}, 'body', (message) => new ControlError(400, message));
}

export function controlRouter(control: () => MockControl, access: ControlAccess): express.Router {
  const router = express.Router();
  router.use(guard(access));
  router.use(express.raw({ type: () => true, limit: BODY_LIMIT }));
  router.use((req: Request, _res: Response, next: NextFunction) => {
    // Bodies are JSON in UTF-8 (the guard checked the type); an empty one is {}.
    const raw = req.body as unknown;
    if (!Buffer.isBuffer(raw) || raw.length === 0) {
      req.body = undefined;
      return next();
    }
    try {
      req.body = JSON.parse(decodeUtf8(raw, (reason) => new DavError(400, reason)));
    } catch (error) {
      return next(new ControlError(400, error instanceof DavError ? error.reason : `request body is not valid JSON: ${(error as Error).message}`));
    }
    next();
  });

  const route = (fn: Handler) => (req: Request, res: Response) => {
    const result = fn(req, res);
    if (!res.headersSent) res.status(result === undefined ? 204 : req.method === 'POST' ? 201 : 200).json(result ?? undefined);
  };
  const c = control;
  const p = (req: Request, name: string) => String(req.params[name]);

  router.get(
    '/health',
    route((req) => {
      // ?gc=1 collects garbage first when the process runs with --expose-gc (load benchmarks).
      const gc = (globalThis as { gc?: () => void }).gc;
      if (req.query.gc === '1' && gc) gc();
      const memory = process.memoryUsage();
      return { ok: true, accounts: c().listAccounts().length, heapUsedBytes: memory.heapUsed, rssBytes: memory.rss, gcAvailable: !!gc };
    }),
  );
  router.post(
    '/reset',
    route((req) => void (body(req, noBody), c().reset())),
  );
  router.get(
    '/world',
    route((req, res) => {
      const world = c().exportWorld();
      if (req.query.format === 'yaml') res.type('application/yaml').send(worldToYaml(world));
      else return world;
    }),
  );
  router.put(
    '/world',
    route((req) => {
      const world = parseWith(worldSchema, req.body ?? {}, 'world', (message) => new ControlError(400, message));
      world.accounts.forEach((a, i) => (a.calendars ?? []).forEach((cal, j) => 'events' in cal && inlineOnly(cal.events, `accounts[${i}] (${a.appleId}).calendars[${j}]`)));
      c().importWorld(world);
    }),
  );

  router.get(
    '/accounts',
    route(() => c().listAccounts()),
  );
  router.post(
    '/accounts',
    route((req) => c().createAccount(body(req, newAccountSchema))),
  );
  router.get(
    '/accounts/:appleId',
    route((req) => c().getAccount(p(req, 'appleId'))),
  );
  router.patch(
    '/accounts/:appleId',
    route((req) => {
      return c().setTwoFactor(p(req, 'appleId'), body(req, patchAccount).twoFactor);
    }),
  );
  router.post(
    '/accounts/:appleId/move',
    route((req) => c().moveAccount(p(req, 'appleId'), body(req, moveBody))),
  );
  router.post(
    '/accounts/:appleId/upgrade-reminders',
    route((req) => (body(req, noBody), { removed: c().upgradeReminders(p(req, 'appleId')) })),
  );
  router.post(
    '/accounts/:appleId/app-passwords',
    route((req) => c().issueAppPassword(p(req, 'appleId'), body(req, newAppPassword))),
  );
  router.delete(
    '/accounts/:appleId/app-passwords/:password',
    route((req) => void c().revokeAppPassword(p(req, 'appleId'), p(req, 'password'))),
  );

  router.get(
    '/accounts/:appleId/calendars',
    route((req) => c().listCalendars(p(req, 'appleId'))),
  );
  router.post(
    '/accounts/:appleId/calendars',
    route((req) => {
      const calendar = body(req, calendarSchema);
      if ('events' in calendar) inlineOnly(calendar.events, 'body');
      return c().addCalendar(p(req, 'appleId'), calendar);
    }),
  );
  router.delete(
    '/accounts/:appleId/calendars/:calendar',
    route((req) => void c().deleteCalendar(p(req, 'appleId'), p(req, 'calendar'))),
  );

  const events = '/accounts/:appleId/calendars/:calendar/events';
  router.get(
    events,
    route((req) => c().listEvents(p(req, 'appleId'), p(req, 'calendar'))),
  );
  const event = (req: Request) => {
    const e = body(req, eventSchema);
    if (e.file !== undefined) throw new ControlError(400, 'body: "file" reads the mock\'s own disk; over HTTP send the iCalendar inline as "ics"');
    return e;
  };
  router.post(
    events,
    route((req) => c().addEvent(p(req, 'appleId'), p(req, 'calendar'), event(req))),
  );
  router.get(
    `${events}/:name`,
    route((req) => c().getEvent(p(req, 'appleId'), p(req, 'calendar'), p(req, 'name'))),
  );
  router.put(
    `${events}/:name`,
    route((req) => {
      const e = event(req);
      if (e.name !== undefined && e.name !== p(req, 'name')) throw new ControlError(400, `body: "name" is ${e.name} but the path names ${p(req, 'name')}`);
      return c().addEvent(p(req, 'appleId'), p(req, 'calendar'), { ...e, name: p(req, 'name') });
    }),
  );
  router.delete(
    `${events}/:name`,
    route((req) => void c().deleteEvent(p(req, 'appleId'), p(req, 'calendar'), p(req, 'name'))),
  );
  router.post(
    `${events}/:name/touch`,
    route((req) => (body(req, noBody), c().touchEvent(p(req, 'appleId'), p(req, 'calendar'), p(req, 'name')))),
  );

  router.post(
    '/sync-tokens/forget',
    route((req) => void (body(req, noBody), c().forgetSyncTokens())),
  );
  router.get(
    '/faults',
    route(() => c().listFaults()),
  );
  router.post(
    '/faults',
    route((req) => c().addFault(parseFaultSpec(req.body ?? {}, 'body'))),
  );
  router.delete(
    '/faults',
    route(() => void c().clearFaults()),
  );
  router.delete(
    '/faults/:id',
    route((req) => void c().removeFault(p(req, 'id'))),
  );
  router.get(
    '/journal',
    route((req) =>
      c().journal({
        account: req.query.account as string | undefined,
        method: req.query.method as string | undefined,
        status: req.query.status === undefined ? undefined : Number(req.query.status),
        since: req.query.since === undefined ? undefined : Number(req.query.since),
      }),
    ),
  );
  router.delete(
    '/journal',
    route(() => void c().clearJournal()),
  );
  router.get(
    '/invitations',
    route((req) =>
      c().invitations({
        to: req.query.to as string | undefined,
        from: req.query.from as string | undefined,
        method: req.query.method as string | undefined,
        uid: req.query.uid as string | undefined,
      }),
    ),
  );
  router.delete(
    '/invitations',
    route(() => void c().clearInvitations()),
  );
  router.get(
    '/clock',
    route(() => ({ now: new Date(c().now()).toISOString() })),
  );
  router.put(
    '/clock',
    route((req) => {
      const raw = body(req, clockBody).now;
      const ms = typeof raw === 'number' ? raw : Date.parse(raw);
      if (!Number.isFinite(ms)) throw new ControlError(400, 'body: "now" must be an ISO time or epoch ms');
      c().setClock(ms);
      return { now: new Date(ms).toISOString() };
    }),
  );

  router.use((req: Request, res: Response) => {
    res.status(404).json({ error: `no control route ${req.method} ${req.baseUrl}${req.path}` });
  });
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = controlStatus(error);
    if (error instanceof ControlError) for (const [k, v] of Object.entries(error.headers)) res.setHeader(k, v);
    res.status(status).json({ error: error instanceof Error ? error.message : String(error) });
  });
  return router;
}

/** Host, token and content type, checked before a body is read or a route runs. */
function guard(access: ControlAccess) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const host = hostName(req.headers.host);
    const allowed = access.allowedHosts();
    if (host === undefined || !allowed.has(host)) {
      return next(new ControlError(403, `Host "${req.headers.host ?? ''}" is not an address this mock serves (${[...allowed].join(', ')}): the control plane answers only to those`));
    }
    if (access.token !== undefined && !(req.method === 'GET' && req.path === '/health') && !bearerMatches(req.headers.authorization, access.token)) {
      return next(
        new ControlError(401, 'the control plane needs "Authorization: Bearer <token>" with the token the mock was started with', { 'WWW-Authenticate': 'Bearer realm="mock-icloud control"' }),
      );
    }
    // A body-less POST with a valid token cannot come from a browser on another site (it never
    // attaches a bearer token on its own); without a token it could, so it must say JSON too.
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const writes = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
    const json = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
    if ((hasBody || (writes && access.token === undefined)) && !json) {
      return next(
        new ControlError(415, `the control plane takes application/json bodies only, not ${req.headers['content-type'] ? `"${req.headers['content-type']}"` : 'a body without a Content-Type'}`),
      );
    }
    next();
  };
}

/** `127.0.0.1:8443` → `127.0.0.1`, `[::1]:8443` → `[::1]`, lower case; undefined when malformed. */
export function hostName(header: string | undefined): string | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/\s@]+)(?::\d{1,5})?$/.exec((header ?? '').trim());
  return m ? m[1].toLowerCase().replace(/\.$/, '') : undefined;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function controlStatus(error: unknown): number {
  if (error instanceof ControlError) return error.status;
  if (error instanceof StateError) return error.code === 'not-found' ? 404 : error.code === 'conflict' ? 409 : 400;
  if (error instanceof WorldError || error instanceof FaultSpecError) return 400;
  const status = (error as { status?: number })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return status; // body-parser errors (bad JSON, too large)
  return 500;
}
