/**
 * The control plane over HTTP, under the reserved prefix /__mock (the LocalStack/WireMock
 * pattern). JSON in, JSON out; the world can also be read and written as YAML. Every route calls
 * the same MockControl method the programmatic API exposes. No authentication: the mock binds to
 * loopback, and the prefix cannot collide with a CalDAV path.
 *
 *   GET    /__mock/health[?gc=1]                          accounts, heap and RSS (after a GC with --expose-gc)
 *   POST   /__mock/reset                                  back to the loaded world
 *   GET    /__mock/world[?format=yaml]                    export      PUT /__mock/world  import
 *   GET    /__mock/accounts                               POST /__mock/accounts
 *   GET    /__mock/accounts/:appleId                      PATCH {twoFactor}
 *   POST   /__mock/accounts/:appleId/app-passwords        {label?, password?} → {password}
 *   DELETE /__mock/accounts/:appleId/app-passwords/:password   revoke
 *   GET    /__mock/accounts/:appleId/calendars            POST {name, …} | {sharedFrom:{owner,calendar,access}} | {subscribed, name, displayName}
 *   DELETE /__mock/accounts/:appleId/calendars/:calendar
 *   GET    /__mock/accounts/:appleId/calendars/:calendar/events
 *   POST   /__mock/accounts/:appleId/calendars/:calendar/events          {ics, name?} or text/calendar
 *   GET|PUT|DELETE /__mock/accounts/:appleId/calendars/:calendar/events/:name
 *   POST   /__mock/accounts/:appleId/calendars/:calendar/events/:name/touch   new etag, same content
 *   POST   /__mock/sync-tokens/forget
 *   GET|POST|DELETE /__mock/faults, DELETE /__mock/faults/:id
 *   GET    /__mock/journal[?account=&method=&status=&since=]   DELETE /__mock/journal
 *   GET|PUT /__mock/clock  {now: ISO or epoch ms}
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { StateError } from '../store/store.js';
import { parseWorldText, worldToYaml } from '../world/files.js';
import { WorldError } from '../world/schema.js';
import type { MockControl } from './control.js';
import { FaultSpecError } from './faults.js';

type Handler = (req: Request, res: Response) => unknown;

export function controlRouter(control: () => MockControl): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '16mb' }));
  router.use(express.text({ type: ['text/*', 'application/yaml', 'application/x-yaml'], limit: '16mb' }));

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
  router.post('/reset', route(() => void c().reset()));
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
      const world = typeof req.body === 'string' ? parseWorldText(req.body, 'request body') : parseWorldText(JSON.stringify(req.body), 'request body');
      c().importWorld(world);
    }),
  );

  router.get('/accounts', route(() => c().listAccounts()));
  router.post('/accounts', route((req) => c().createAccount(req.body)));
  router.get('/accounts/:appleId', route((req) => c().getAccount(p(req, 'appleId'))));
  router.patch(
    '/accounts/:appleId',
    route((req) => {
      if (typeof req.body?.twoFactor !== 'boolean') throw new StateError('PATCH an account with {"twoFactor": true|false}', 'invalid');
      return c().setTwoFactor(p(req, 'appleId'), req.body.twoFactor);
    }),
  );
  router.post('/accounts/:appleId/app-passwords', route((req) => c().issueAppPassword(p(req, 'appleId'), req.body ?? {})));
  router.delete('/accounts/:appleId/app-passwords/:password', route((req) => void c().revokeAppPassword(p(req, 'appleId'), p(req, 'password'))));

  router.get('/accounts/:appleId/calendars', route((req) => c().listCalendars(p(req, 'appleId'))));
  router.post(
    '/accounts/:appleId/calendars',
    route((req) => {
      const body = req.body ?? {};
      const appleId = p(req, 'appleId');
      if (body.sharedFrom) return c().shareCalendar({ ...body.sharedFrom, sharee: appleId, name: body.name, displayName: body.displayName, color: body.color });
      if (body.subscribed) return c().subscribeCalendar(appleId, { name: body.name, displayName: body.displayName, source: body.subscribed, color: body.color, order: body.order });
      return c().createCalendar(appleId, body);
    }),
  );
  router.delete('/accounts/:appleId/calendars/:calendar', route((req) => void c().deleteCalendar(p(req, 'appleId'), p(req, 'calendar'))));

  const events = '/accounts/:appleId/calendars/:calendar/events';
  const icsOf = (req: Request) => (typeof req.body === 'string' ? req.body : req.body?.ics);
  router.get(events, route((req) => c().listEvents(p(req, 'appleId'), p(req, 'calendar'))));
  router.post(events, route((req) => c().putEvent(p(req, 'appleId'), p(req, 'calendar'), { ics: requireIcs(icsOf(req)), name: req.body?.name })));
  router.get(`${events}/:name`, route((req) => c().getEvent(p(req, 'appleId'), p(req, 'calendar'), p(req, 'name'))));
  router.put(`${events}/:name`, route((req) => c().putEvent(p(req, 'appleId'), p(req, 'calendar'), { ics: requireIcs(icsOf(req)), name: p(req, 'name') })));
  router.delete(`${events}/:name`, route((req) => void c().deleteEvent(p(req, 'appleId'), p(req, 'calendar'), p(req, 'name'))));
  router.post(`${events}/:name/touch`, route((req) => c().touchEvent(p(req, 'appleId'), p(req, 'calendar'), p(req, 'name'))));

  router.post('/sync-tokens/forget', route(() => void c().forgetSyncTokens()));
  router.get('/faults', route(() => c().listFaults()));
  router.post('/faults', route((req) => c().addFault(req.body)));
  router.delete('/faults', route(() => void c().clearFaults()));
  router.delete('/faults/:id', route((req) => void c().removeFault(p(req, 'id'))));
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
  router.delete('/journal', route(() => void c().clearJournal()));
  router.get('/clock', route(() => ({ now: new Date(c().now()).toISOString() })));
  router.put(
    '/clock',
    route((req) => {
      const raw = req.body?.now;
      const ms = typeof raw === 'number' ? raw : Date.parse(String(raw));
      if (!Number.isFinite(ms)) throw new StateError('PUT /__mock/clock with {"now": ISO time or epoch ms}', 'invalid');
      c().setClock(ms);
      return { now: new Date(ms).toISOString() };
    }),
  );

  router.use((req: Request, res: Response) => {
    res.status(404).json({ error: `no control route ${req.method} ${req.baseUrl}${req.path}` });
  });
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = controlStatus(error);
    res.status(status).json({ error: error instanceof Error ? error.message : String(error) });
  });
  return router;
}

function requireIcs(ics: unknown): string {
  if (typeof ics !== 'string' || ics.trim() === '') throw new StateError('send the event as text/calendar, or JSON {"ics": "BEGIN:VCALENDAR…"}', 'invalid');
  return ics;
}

function controlStatus(error: unknown): number {
  if (error instanceof StateError) return error.code === 'not-found' ? 404 : error.code === 'conflict' ? 409 : 400;
  if (error instanceof WorldError || error instanceof FaultSpecError) return 400;
  const status = (error as { status?: number })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return status; // body-parser errors (bad JSON, too large)
  return 500;
}
