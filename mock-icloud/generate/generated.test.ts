import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { projectRoot } from '../../common/project-root.js';
import { FAULT_KINDS } from '../control/faults.js';
import { faultTable, withFaultTable } from './fault-table.js';
import { checkJsonSchema } from './json-schema-check.js';
import { WORLD_SCHEMA_FILE, worldJsonSchemaText } from './world-json-schema.js';

const root = projectRoot();

describe("generated from the mock's records (npm run schemas)", () => {
  it("the README's fault table is current", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toBe(withFaultTable(readme));
  });

  it('the fault table has every kind with its parameters and where it applies', () => {
    const table = faultTable();
    for (const kind of FAULT_KINDS) expect(table).toContain(`| \`${kind}\` |`);
    expect(table).toContain('| `latency` | `latencyMs`: milliseconds added before answering, 0–600000; `latencyJitterMs?`: up to this many more milliseconds, drawn from seed | every request |');
    expect(table).toContain('| `truncate-sync` | `pageSize`: sync-collection members per page | REPORT sync-collection |');
    expect(table).toContain('| `forbidden-write` |  | PUT, DELETE, PROPPATCH, MKCALENDAR, MKCOL |');
  });
});

describe('world.schema.json (npm run schemas), for editors checking world files', () => {
  const schema = JSON.parse(readFileSync(join(root, WORLD_SCHEMA_FILE), 'utf8'));
  const worlds = readdirSync(join(root, 'fixtures', 'worlds')).filter((f) => f.endsWith('.yaml'));

  it('is current', () => {
    expect(readFileSync(join(root, WORLD_SCHEMA_FILE), 'utf8')).toBe(worldJsonSchemaText());
  });

  it('accepts every world file in fixtures/worlds, each of which names it for the YAML language server', () => {
    expect(worlds.length).toBeGreaterThan(0);
    for (const file of worlds) {
      const text = readFileSync(join(root, 'fixtures', 'worlds', file), 'utf8');
      expect(text.split('\n')[0], file).toBe('# yaml-language-server: $schema=world.schema.json');
      expect(checkJsonSchema(schema, YAML.parse(text)), file).toEqual([]);
    }
  });

  it('refuses what the mock refuses: a misspelt key, a calendar of no known shape, a wrong type', () => {
    const world = YAML.parse(readFileSync(join(root, 'fixtures', 'worlds', 'demo.yaml'), 'utf8'));
    const alice = world.accounts[0];
    expect(checkJsonSchema(schema, { ...world, acounts: [] })).toEqual(['$: unknown key "acounts"']);
    expect(checkJsonSchema(schema, { accounts: [{ ...alice, calendars: [{ name: 'work', colour: '#FF0000' }] }] })[0]).toMatch(
      /^\$\.accounts\[0\]\.calendars\[0\]: fits none of 3 shapes \(\$\.accounts\[0\]\.calendars\[0\]: unknown key "colour"/,
    );
    expect(checkJsonSchema(schema, { accounts: [{ ...alice, twoFactor: 'yes' }] })).toEqual(['$.accounts[0].twoFactor: expected boolean, got string']);
    expect(checkJsonSchema(schema, { accounts: [{ appleId: 'x@example.com' }] })).toEqual(['$.accounts[0]: "fullName" is required', '$.accounts[0]: "password" is required']);
  });

  it('every scenario file names scenario.schema.json for the YAML language server', () => {
    const files = readdirSync(join(root, 'fixtures', 'scenarios'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const first = readFileSync(join(root, 'fixtures', 'scenarios', file), 'utf8').split('\n')[0];
      expect(first, file).toBe(`# yaml-language-server: $schema=${relative(dirname(join('fixtures', 'scenarios', file)), 'fixtures/scenarios/scenario.schema.json')}`);
    }
  });
});
