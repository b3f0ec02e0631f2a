/**
 * The package as another project gets it from `npm i -D <tarball>`: `npm pack` gives the tarball;
 * every `exports` target (code and types), `main`, `types` and every `bin` is in it; unpacked into
 * a fresh project's node_modules (its dependencies linked from ours, no registry), each entry point
 * imports with Node's own resolution through the exports map, the mock starts from it and serves,
 * each command answers --help, and a TypeScript consumer type-checks against the packed .d.ts files.
 *
 * Runs against dist/ as `npm test` builds it (pretest), so the pack skips the prepack/prepare build.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  private?: boolean;
  main: string;
  types: string;
  exports: Record<string, string | { types: string; default: string }>;
  bin: Record<string, string>;
  files: string[];
};
const ENTRY_POINTS = ['.', './mock', './sync-core', './conformance', './testcontainers'];
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
const strip = (p: string) => p.replace(/^\.\//, '');

let work: string;
let packed: Set<string>;
let project: string;
let installed: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'package-test-'));
  const [report] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT)) as [{ filename: string; files: { path: string }[] }];
  packed = new Set(report.files.map((f) => f.path));
  // A fresh project with the tarball unpacked as npm would, and our dependencies linked beside it.
  project = join(work, 'consumer');
  installed = join(project, 'node_modules', pkg.name);
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, report.filename), '-C', installed, '--strip-components=1']);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry.startsWith('.') || entry === pkg.name) continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(project, 'node_modules', entry));
  }
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('is publishable, and every exports, main, types and bin target is in the tarball', () => {
    expect(pkg.private).toBeUndefined();
    for (const entry of ENTRY_POINTS) {
      const target = pkg.exports[entry];
      expect(target, `exports["${entry}"]`).toMatchObject({ types: expect.stringMatching(/\.d\.ts$/), default: expect.stringMatching(/\.js$/) });
      const { types, default: code } = target as { types: string; default: string };
      expect(packed, `exports["${entry}"].default`).toContain(strip(code));
      expect(packed, `exports["${entry}"].types`).toContain(strip(types));
    }
    expect(packed).toContain(strip(pkg.main));
    expect(packed).toContain(strip(pkg.types));
    expect(Object.keys(pkg.bin).sort()).toEqual(['icloud-conformance', 'icloud-sync', 'mock-icloud']);
    for (const bin of Object.values(pkg.bin)) expect(packed).toContain(strip(bin));
    // Each command's compiled CLI, and the demo world the README points at.
    for (const cli of ['dist/mock-icloud/cli.js', 'dist/sync-core/cli.js', 'dist/conformance/cli.js', 'fixtures/worlds/demo.yaml']) expect(packed).toContain(cli);
  });

  it('ships no TypeScript sources, tests or benchmarks', () => {
    const unwanted = [...packed].filter((p) => (p.endsWith('.ts') && !p.endsWith('.d.ts')) || /\.test\.|(^|\/)(test|bench)\//.test(p));
    expect(unwanted).toEqual([]);
  });

  it('imports every entry point through the exports map, and the mock starts from it', () => {
    const script = `
      const mock = await import('${pkg.name}');
      const same = await import('${pkg.name}/mock');
      const core = await import('${pkg.name}/sync-core');
      const conformance = await import('${pkg.name}/conformance');
      const tc = await import('${pkg.name}/testcontainers');
      const facts = {
        startMockICloud: typeof mock.startMockICloud, same: mock.startMockICloud === same.startMockICloud,
        SyncCore: typeof core.SyncCore, runScenarioSuite: typeof conformance.runScenarioSuite, requirePeer: typeof conformance.requirePeer,
        MockICloudContainer: typeof tc.MockICloudContainer, from: import.meta.resolve('${pkg.name}/testcontainers'),
      };
      const running = await mock.startMockICloud({ world: '${join(installed, 'fixtures/worlds/demo.yaml')}', clock: '2026-11-21T09:00:00Z' });
      const res = await fetch(running.gatewayUrl, { method: 'PROPFIND', headers: { Authorization: 'Basic ' + Buffer.from('alice@example.com:abcd-efgh-ijkl-mnop').toString('base64'), Depth: '0' } });
      facts.status = res.status;
      await running.close();
      console.log(JSON.stringify(facts));`;
    writeFileSync(join(project, 'consumer.mjs'), script);
    const facts = JSON.parse(execFileSync(process.execPath, ['consumer.mjs'], { cwd: project, encoding: 'utf8', timeout: 60_000 }));
    expect(facts).toEqual({
      startMockICloud: 'function',
      same: true,
      SyncCore: 'function',
      runScenarioSuite: 'function',
      requirePeer: 'function',
      MockICloudContainer: 'function',
      from: `file://${installed}/dist/mock-icloud/testcontainers.js`,
      status: 207,
    });
  }, 60_000);

  it('answers --help from each command', () => {
    for (const [name, bin] of Object.entries(pkg.bin)) {
      const out = execFileSync(process.execPath, [join(installed, bin), '--help'], { cwd: project, encoding: 'utf8', timeout: 30_000 });
      expect(out, name).toMatch(new RegExp(`usage: ${name}`, 'i'));
    }
  });

  it('type-checks a TypeScript consumer against the packed declarations', () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { startMockICloud, type RunningMockICloud, type FaultSpec, MockControl } from '${pkg.name}';
       import { SyncCore } from '${pkg.name}/sync-core';
       import { runScenarioSuite, requirePeer } from '${pkg.name}/conformance';
       import { MockICloudContainer, type StartedMockICloudContainer } from '${pkg.name}/testcontainers';
       const fault: FaultSpec = { kind: 'unavailable', retryAfter: 30, count: 1 };
       export async function use(): Promise<void> {
         const mock: RunningMockICloud = await startMockICloud({ port: 0, publicGatewayUrl: 'http://localhost:1/' });
         const control: MockControl = mock.control;
         control.addFault(fault);
         const core = new SyncCore({ database: ':memory:' });
         void core; void runScenarioSuite; void requirePeer;
         const started: StartedMockICloudContainer = await new MockICloudContainer().withClock('2026-11-21T09:00:00Z').withFault(fault).start();
         await started.control.listAccounts();
       }`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    } catch (error) {
      output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    }
    expect(output).toBe('');
  }, 120_000);
});
