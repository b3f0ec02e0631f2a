import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../common/project-root.js';
import { EXPECTATIONS } from '../expectations/index.js';
import { STEPS } from '../steps/index.js';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchema, scenarioJsonSchemaText } from './scenario-json-schema.js';
import { stepTable, withStepTable } from './step-table.js';

const root = projectRoot();

describe('generated from the step and matcher definitions (npm run schemas)', () => {
  it('the committed scenario JSON Schema is current', () => {
    expect(readFileSync(join(root, SCENARIO_SCHEMA_FILE), 'utf8')).toBe(scenarioJsonSchemaText());
  });

  it("the README's step table is current", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toBe(withStepTable(readme));
  });

  it('the JSON Schema has every step, the shorthand forms, and strict mappings', () => {
    const schema = scenarioJsonSchema() as { properties: { steps: { items: { anyOf: Array<{ properties: Record<string, Record<string, unknown>>; additionalProperties: boolean }> } } } };
    const items = schema.properties.steps.items.anyOf;
    expect(items.map((i) => Object.keys(i.properties)[0])).toEqual(STEPS.map((s) => s.name));
    const sync = items.find((i) => 'sync' in i.properties)!.properties.sync as { anyOf: Array<Record<string, unknown>> };
    expect(sync.anyOf[0]).toMatchObject({ type: 'string' });
    expect(sync.anyOf[1]).toMatchObject({ type: 'object', additionalProperties: false, required: ['user'] });
  });

  it('the table lists every step and matcher with its arguments', () => {
    const table = stepTable();
    for (const s of STEPS) expect(table).toContain(`| \`${s.name}\` |`);
    for (const e of EXPECTATIONS) expect(table).toContain(`| \`${e.name}\` |`);
    expect(table).toContain('| `nameSlot` | `{ as, user, title, start? }` |');
    expect(table).toContain('| `sync` | `{ user, interruptAfterRequests?, loseAnswerOf? }` or `sync: <user>` |');
  });
});
