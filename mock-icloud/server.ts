/**
 * Starts the mock: one store, two HTTP servers on loopback (the gateway playing caldav.icloud.com
 * and the partition playing pNN-caldav.icloud.com), the control plane, and the world it is seeded with.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { FixedClock, systemClock, type Clock } from '../common/clock.js';
import { MockControl } from './control/control.js';
import { FaultEngine } from './control/faults.js';
import { latencyProfile, type LatencyProfileOptions } from './control/latency-profile.js';
import { Journal } from './control/journal.js';
import type { Logger } from 'pino';
import { createLogger, isLogLevel, LOG_LEVELS, logRequest, type LogLevel } from './http/request-log.js';
import { controlRouter } from './control/routes.js';
import type { ServerUrls } from './dav/context.js';
import { DEFAULT_QUIRKS, type Quirks } from './quirks.js';
import { MemoryStore } from './store/memory-store.js';
import { InvitationSink } from './scheduling/sink.js';
import { loadWorldFile } from './world/files.js';
import type { World } from './world/schema.js';
import { listen, stop } from './http/listen.js';

export interface MockICloudOptions {
  /** A world file path, or a world object. Default: no accounts. */
  world?: string | World;
  /** Directory for `file:` event paths when `world` is an object. */
  worldBaseDir?: string;
  /** Gateway port; 0 picks a free one. Default 0. */
  port?: number;
  /** Partition port; 0 picks a free one. Default 0. */
  partitionPort?: number;
  /**
   * The address both origins bind to. Default 127.0.0.1. A wildcard (`0.0.0.0`, `::`) serves every
   * interface, as inside a container, but is never advertised: without public URLs the mock then
   * advertises 127.0.0.1 (gateway) and localhost (partition).
   */
  host?: string;
  /**
   * The host name the partition is advertised under in calendar-home-set. iCloud's partition is
   * another host (pNN-caldav.icloud.com, not caldav.icloud.com), and clients such as python-caldav
   * switch hosts only when the name differs, so by default the gateway is 127.0.0.1 and the
   * partition `localhost` (served on 127.0.0.1 and, where the machine has it, [::1]).
   */
  partitionHost?: string;
  /**
   * The gateway's URL as clients reach it, when that is not where the mock listens: a container's
   * mapped port (`http://localhost:49153/`), a proxy. Returned as `gatewayUrl`. An origin only
   * (scheme, host, port); no path.
   */
  publicGatewayUrl?: string;
  /**
   * The partition's URL as clients reach it: used for every absolute href the mock writes (the
   * calendar-home-set, the principal's address set) and returned as `partitionUrl`. An origin only.
   */
  publicPartitionUrl?: string;
  /**
   * A fixed start time (epoch ms or ISO) pins the clock for deterministic etags and tokens; it then
   * moves only through the control plane. Default: the world's `now`, else the system clock.
   */
  clock?: number | string | Clock;
  quirks?: Partial<Quirks>;
  /**
   * A sync token expires once a change after it is older than this many days on the mock's clock
   * (Apple CalendarServer's `RevisionCleanup.SyncTokenLifetimeDays`: 14, the default); 0 never.
   * What an expired token gets is the `expiredSyncToken` quirk.
   */
  syncTokenLifetimeDays?: number;
  /**
   * Opt-in latency shaped like iCloud's (control/latency-profile.ts): `{ profile: 'icloud', seed }`.
   * Default: none (loopback speed).
   */
  latency?: LatencyProfileOptions;
  /**
   * The control plane's token: with it, `/__mock/` answers only requests carrying
   * `Authorization: Bearer <token>` (GET /__mock/health excepted). Required when `host` is not a
   * loopback address, since the control plane exports every password: the mock refuses to start
   * beyond loopback without one. CLI: `--control-token`, env MOCK_ICLOUD_CONTROL_TOKEN.
   */
  controlToken?: string;
  /**
   * The request log's level: one JSON line per CalDAV request on stdout (origin, account, method,
   * path, status, durationMs, fault and faultKind) at `info`. Default: the LOG_LEVEL environment
   * variable, else `silent`, so tests stay quiet unless asked (the command defaults to `info`).
   */
  logLevel?: LogLevel;
  /** A pino logger of your own for the request log (its level and destination win over logLevel). */
  logger?: Logger;
  /**
   * Keep each request's and response's body in the journal (`requestBody`, `responseBody`), at most
   * 64 kB each, a longer one ending in `…[truncated: N bytes in all]`. Off by default (memory).
   */
  journalBodies?: boolean;
  /** How injected latency waits (default setTimeout); tests may observe it instead. */
  sleep?: (ms: number) => Promise<void>;
}

export interface RunningMockICloud {
  /** `http://127.0.0.1:P/` (or `publicGatewayUrl`): give this to clients as the server URL. */
  gatewayUrl: string;
  /** `http://localhost:Q/` (or `publicPartitionUrl`): where calendar-home-set points. */
  partitionUrl: string;
  /** The ports the two origins listen on (what `port: 0` picked), whatever URLs they are advertised under. */
  ports: { gateway: number; partition: number };
  control: MockControl;
  close(): Promise<void>;
}

export async function startMockICloud(options: MockICloudOptions = {}): Promise<RunningMockICloud> {
  const host = options.host ?? '127.0.0.1';
  if (options.controlToken !== undefined && !/^[\x21-\x7e]{16,}$/.test(options.controlToken)) {
    throw new Error('controlToken: use at least 16 printable characters without spaces');
  }
  if (!isLoopback(host) && options.controlToken === undefined) {
    throw new Error(
      `host ${host} serves beyond loopback, and the control plane (/__mock/) exports every password: give a control token (controlToken, --control-token or MOCK_ICLOUD_CONTROL_TOKEN), or bind 127.0.0.1`,
    );
  }
  const loaded = typeof options.world === 'string' ? loadWorldFile(options.world) : { world: options.world ?? { accounts: [] }, baseDir: options.worldBaseDir ?? process.cwd() };
  const clock = makeClock(options.clock, loaded.world.now);
  const lifetimeDays = options.syncTokenLifetimeDays ?? 14;
  if (!(lifetimeDays >= 0)) throw new Error(`syncTokenLifetimeDays: ${lifetimeDays} is not a number of days (0: never expire)`);
  const store = new MemoryStore(clock, { syncTokenLifetimeMs: lifetimeDays > 0 ? lifetimeDays * 86_400_000 : undefined });
  const journal = new Journal();
  const logger = options.logger ?? createLogger(logLevel(options.logLevel ?? (process.env.LOG_LEVEL || undefined)));
  const invitations = new InvitationSink();
  const faults = new FaultEngine();
  const control = new MockControl({ store, journal, faults, clock, invitations });
  control.loadWorld(loaded.world, loaded.baseDir);

  let urls: ServerUrls = { gateway: '', partition: '' };
  let allowedHosts: ReadonlySet<string> = new Set();
  const deps = {
    store,
    clock,
    journal,
    faults,
    invitations,
    quirks: { ...DEFAULT_QUIRKS, ...options.quirks },
    urls: () => urls,
    latency: options.latency ? latencyProfile(options.latency) : undefined,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
    journalBodies: options.journalBodies ?? false,
    onRequest: logger.isLevelEnabled('info') || logger.isLevelEnabled('error') ? (entry: Parameters<typeof logRequest>[1]) => logRequest(logger, entry) : undefined,
    control: controlRouter(() => control, { token: options.controlToken, allowedHosts: () => allowedHosts }),
  };
  // A wildcard address serves every interface but is no address a client can use: advertise loopback.
  const wildcard = WILDCARD_HOSTS.has(host);
  const advertisedHost = wildcard ? '127.0.0.1' : host;
  const partitionHost = options.partitionHost ?? (advertisedHost === '127.0.0.1' ? 'localhost' : advertisedHost);
  const publicGateway = options.publicGatewayUrl === undefined ? undefined : publicOrigin('publicGatewayUrl', options.publicGatewayUrl);
  const publicPartition = options.publicPartitionUrl === undefined ? undefined : publicOrigin('publicPartitionUrl', options.publicPartitionUrl);
  const partitionApp = createApp('partition', deps);
  // A second partition host, where accounts moved with control.moveAccount are served (one move
  // away from the first; moving again brings them back).
  const movedPartition = createServer(createApp('partition', deps, 'moved'));
  const gateway = createServer(createApp('gateway', deps));
  const partition = createServer(partitionApp);
  const partitionV6 = createServer(partitionApp);
  try {
    // The partition first: once the gateway accepts a connection (GET /__mock/health), both do.
    await listen(partition, options.partitionPort ?? 0, host);
    if (partitionHost === 'localhost' && (host === '127.0.0.1' || host === '0.0.0.0')) {
      // `localhost` may resolve to ::1 first; serve it there too when this machine has IPv6 loopback.
      await listen(partitionV6, (partition.address() as AddressInfo).port, '::1').catch(() => undefined);
    }
    await listen(movedPartition, 0, host);
    await listen(gateway, options.port ?? 0, host);
  } catch (error) {
    await Promise.all([stop(gateway), stop(partition), stop(partitionV6), stop(movedPartition)]);
    throw error;
  }
  const port = (s: Server) => (s.address() as AddressInfo).port;
  const origin = (name: string, s: Server) => `http://${name.includes(':') ? `[${name}]` : name}:${port(s)}`;
  urls = { gateway: publicGateway ?? origin(advertisedHost, gateway), partition: publicPartition ?? origin(partitionHost, partition), movedPartition: origin(partitionHost, movedPartition) };
  // The names the control plane answers to (DNS rebinding: any other Host is refused).
  allowedHosts = new Set(
    ['127.0.0.1', 'localhost', '[::1]', ...(wildcard ? [] : [host.includes(':') && !host.startsWith('[') ? `[${host}]` : host]), new URL(urls.gateway).hostname, new URL(urls.partition).hostname].map(
      (h) => h.toLowerCase(),
    ),
  );
  return {
    gatewayUrl: `${urls.gateway}/`,
    partitionUrl: `${urls.partition}/`,
    ports: { gateway: port(gateway), partition: port(partition) },
    control,
    close: async () => {
      await Promise.all([stop(gateway), stop(partition), stop(partitionV6), stop(movedPartition)]);
    },
  };
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/** `http://localhost:49153/` → `http://localhost:49153`; anything but an http(s) origin is refused. */
export function publicOrigin(option: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${option}: "${url}" is not a URL (expected e.g. http://localhost:8443/)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${option}: "${url}" must be http:// or https://`);
  if (parsed.pathname !== '/' || parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new Error(`${option}: "${url}" must be an origin only (scheme, host, port), e.g. http://localhost:8443/: the mock serves from the root`);
  }
  if (WILDCARD_HOSTS.has(parsed.hostname) || parsed.hostname === '[::]') throw new Error(`${option}: "${url}" names a wildcard address no client can reach; give the host clients use`);
  return parsed.origin;
}

function logLevel(level: string | undefined): LogLevel {
  if (level === undefined) return 'silent';
  if (!isLogLevel(level)) throw new Error(`logLevel: "${level}" is not a level; use one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

function makeClock(option: MockICloudOptions['clock'], worldNow: string | undefined): Clock {
  if (typeof option === 'object') return option;
  if (option !== undefined) {
    const ms = typeof option === 'number' ? option : Date.parse(option);
    // A clock that is not a time would answer every request 500 later: refuse it now.
    if (!Number.isFinite(ms)) throw new Error(`clock: "${String(option)}" is not a time (epoch ms or ISO 8601, e.g. 2026-11-21T09:00:00Z)`);
    return new FixedClock(ms);
  }
  if (worldNow !== undefined) return new FixedClock(Date.parse(worldNow));
  return systemClock;
}
