/**
 * mock-icloud as a Testcontainers module, in the style of @testcontainers/localstack: the image
 * built from this project's Dockerfile, started on free host ports, with the public URLs set to
 * those mapped ports so calendar-home-set points where the client can follow it.
 *
 * @example
 * ```ts
 * import { MockICloudContainer } from 'icloud-caldav-mock/testcontainers';
 *
 * const mock = await new MockICloudContainer()          // image `mock-icloud` (docker build -t mock-icloud .)
 *   .withWorld('fixtures/worlds/demo.yaml')             // optional: the image serves the demo world anyway
 *   .withClock('2026-11-21T09:00:00Z')
 *   .withFault({ kind: 'unavailable', retryAfter: 30, count: 1 })
 *   .start();
 * const client = await createDAVClient({ serverUrl: mock.gatewayUrl, credentials: mock.accounts.alice, authMethod: 'Basic', defaultAccountType: 'caldav' });
 * await mock.control.listEvents('alice@example.com', 'work');
 * await mock.stop();
 * ```
 *
 * Needs `testcontainers` (a peer dependency) and a Docker engine. Ryuk, Testcontainers' reaper,
 * needs its own image from a registry: where none is reachable, set TESTCONTAINERS_RYUK_DISABLED=true.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AbstractStartedContainer, GenericContainer, getContainerRuntimeClient, ImageName, RandomPortGenerator, Wait, type StartedTestContainer } from 'testcontainers';
import { parseFaultFlag } from './cli.js';
import type { FaultSpec } from './control/faults.js';
import { MockICloudControlClient } from './control-client.js';
import { loadWorldFile, worldToYaml } from './world/files.js';
import type { World } from './world/schema.js';
import { parseQuirks, type Quirks } from './quirks.js';

/** The image the module starts unless told otherwise: `docker build -t mock-icloud .` makes it. MOCK_ICLOUD_IMAGE overrides. */
export const DEFAULT_MOCK_ICLOUD_IMAGE = 'mock-icloud:latest';
/** The ports the mock listens on inside the container. */
export const GATEWAY_PORT = 8443;
export const PARTITION_PORT = 8444;

const WORLD_PATH = '/world/world.yaml';
const FAULTS_PATH = '/world/faults.json';

/** The demo world's accounts (fixtures/worlds/demo.yaml), in tsdav's `credentials` shape. */
export const DEMO_ACCOUNTS = {
  /** Two-factor on; app-specific password accepted. */
  alice: { username: 'alice@example.com', password: 'abcd-efgh-ijkl-mnop', dsid: '10000001001' },
  /** Two-factor on; owns the `family` calendar shared with Alice. */
  bob: { username: 'bob@example.com', password: 'bbbb-cccc-dddd-eeee', dsid: '10000001002' },
  /** Two-factor off: CalDAV refuses every password, as iCloud does. */
  carol: { username: 'carol@example.com', password: 'carol-password', dsid: '10000001003' },
} as const;

export class MockICloudContainer extends GenericContainer {
  private world?: string;
  private readonly faults: FaultSpec[] = [];
  private controlToken = randomBytes(24).toString('hex');

  constructor(image: string = process.env.MOCK_ICLOUD_IMAGE || DEFAULT_MOCK_ICLOUD_IMAGE) {
    super(image);
    this.withWaitStrategy(Wait.forHttp('/__mock/health', GATEWAY_PORT).forStatusCode(200)).withStartupTimeout(60_000);
  }

  /**
   * Serve this world instead of the demo: a world file (YAML/JSON; its `file:` events are read
   * here and sent inline) or a world object.
   */
  withWorld(world: string | World): this {
    let loaded: World;
    if (typeof world === 'string') {
      const { world: parsed, baseDir } = loadWorldFile(world);
      loaded = inlineEventFiles(parsed, baseDir);
    } else {
      loaded = world;
    }
    this.world = worldToYaml(loaded);
    return this;
  }

  /** Switch a fault on from the start: a fault rule, or the `--fault` flag's text (`unavailable:retryAfter=30,count=1`). */
  withFault(spec: FaultSpec | string): this {
    this.faults.push(typeof spec === 'string' ? parseFaultFlag(spec) : spec);
    return this;
  }

  /** Pin the mock's clock (deterministic etags and sync tokens); it then moves only through the control plane. */
  withClock(now: string | number | Date): this {
    const iso = now instanceof Date ? now.toISOString() : typeof now === 'number' ? new Date(now).toISOString() : now;
    if (!Number.isFinite(Date.parse(iso))) throw new Error(`withClock: "${String(now)}" is not a time`);
    return this.withEnvironment({ CLOCK: iso });
  }

  /**
   * Quirks away from their defaults, as `startMockICloud({ quirks })` takes them; the container
   * gets them as `QUIRKS=name=choice,…` (see FIDELITY.md F81).
   */
  withQuirks(quirks: Partial<Quirks>): this {
    const text = Object.entries(quirks)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    parseQuirks([text]); // refuse a misspelt quirk here, not inside the container
    return this.withEnvironment({ QUIRKS: text });
  }

  /**
   * The control plane's token (a mock bound beyond loopback, as in a container, requires one).
   * Default: a random one, which the started container's `control` client sends.
   */
  withControlToken(token: string): this {
    this.controlToken = token;
    return this;
  }

  override async start(): Promise<StartedMockICloudContainer> {
    // The mock must know the URLs clients use before it serves, so the host ports are chosen here.
    const runtime = await getContainerRuntimeClient();
    const host = runtime.info.containerRuntime.host;
    const ports = new RandomPortGenerator();
    const gatewayPort = await ports.generatePort();
    let partitionPort = await ports.generatePort();
    while (partitionPort === gatewayPort) partitionPort = await ports.generatePort();
    // As on the mock's own defaults: on this machine the gateway is 127.0.0.1 and the partition
    // `localhost`, another host name as pNN-caldav.icloud.com is on iCloud.
    const local = host === 'localhost' || host === '127.0.0.1';
    const gatewayUrl = `http://${local ? '127.0.0.1' : bracket(host)}:${gatewayPort}/`;
    const partitionUrl = `http://${local ? 'localhost' : bracket(host)}:${partitionPort}/`;
    this.withExposedPorts({ container: GATEWAY_PORT, host: gatewayPort }, { container: PARTITION_PORT, host: partitionPort });
    this.withEnvironment({
      HOST: '0.0.0.0',
      PORT: String(GATEWAY_PORT),
      PARTITION_PORT: String(PARTITION_PORT),
      PUBLIC_GATEWAY_URL: gatewayUrl,
      PUBLIC_PARTITION_URL: partitionUrl,
      MOCK_ICLOUD_CONTROL_TOKEN: this.controlToken,
    });
    const files: { content: string; target: string }[] = [];
    if (this.world !== undefined) {
      files.push({ content: this.world, target: WORLD_PATH });
      this.withEnvironment({ WORLD: WORLD_PATH });
    }
    if (this.faults.length) {
      files.push({ content: JSON.stringify(this.faults), target: FAULTS_PATH });
      this.withEnvironment({ FAULTS: FAULTS_PATH });
    }
    if (files.length) this.withCopyContentToContainer(files.map((f) => ({ ...f, mode: 0o644 })));
    return new StartedMockICloudContainer(await super.start(), gatewayUrl, partitionUrl, this.controlToken);
  }
}

export class StartedMockICloudContainer extends AbstractStartedContainer {
  /** The control plane over HTTP: `/__mock/` on the gateway. */
  readonly control: MockICloudControlClient;
  /** The demo world's accounts, as tsdav credentials (valid unless `withWorld` replaced them). */
  readonly accounts = DEMO_ACCOUNTS;

  constructor(
    started: StartedTestContainer,
    /** Give this to CalDAV clients as the server URL (`https://caldav.icloud.com/` in production). */
    readonly gatewayUrl: string,
    /** Where calendar-home-set points (the pNN-caldav.icloud.com stand-in). */
    readonly partitionUrl: string,
    /** The control plane's token (`Authorization: Bearer …`), which `control` sends. */
    readonly controlToken: string,
  ) {
    super(started);
    this.control = new MockICloudControlClient(gatewayUrl, { token: controlToken });
  }
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Replaces each `file:` event by its `ics:` text, read relative to the world file. */
function inlineEventFiles(world: World, baseDir: string): World {
  const copy = structuredClone(world);
  for (const account of copy.accounts ?? []) {
    for (const calendar of (account.calendars ?? []) as Array<{ events?: Array<{ file?: string; ics?: string }> }>) {
      for (const event of calendar.events ?? []) {
        if (event.file !== undefined) {
          event.ics = readFileSync(resolve(baseDir, event.file), 'utf8');
          delete event.file;
        }
      }
    }
  }
  return copy;
}

/** Why no Docker engine is reachable here, or undefined when one is. For a suite's skip logic. */
export async function dockerUnavailable(): Promise<string | undefined> {
  try {
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return `no Docker engine is reachable (${(error as Error).message.split('\n')[0]})`;
  }
}

/** Why the image is not on this Docker engine (it is on no registry: build it), or undefined when it is. */
export async function mockICloudImageUnavailable(image: string = process.env.MOCK_ICLOUD_IMAGE || DEFAULT_MOCK_ICLOUD_IMAGE): Promise<string | undefined> {
  const runtime = await getContainerRuntimeClient();
  return (await runtime.image.exists(ImageName.fromString(image))) ? undefined : `the Docker image ${image} is not built`;
}
