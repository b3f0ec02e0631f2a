/**
 * `npm run schemas`: writes fixtures/scenarios/scenario.schema.json and the README's step table
 * from the step and matcher definitions. generated.test.ts fails until this has been run after a
 * definition changes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../common/project-root.js';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText } from './scenario-json-schema.js';
import { withStepTable } from './step-table.js';

const root = projectRoot();
writeFileSync(join(root, SCENARIO_SCHEMA_FILE), scenarioJsonSchemaText());
const readme = join(root, 'README.md');
writeFileSync(readme, withStepTable(readFileSync(readme, 'utf8')));
console.log(`wrote ${SCENARIO_SCHEMA_FILE} and the step table in README.md`);
