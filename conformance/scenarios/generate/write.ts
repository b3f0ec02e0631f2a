/**
 * `npm run schemas`: writes fixtures/scenarios/scenario.schema.json and the README's step table
 * from the step and matcher definitions, and the HTTP driver protocol's JSON Schemas
 * (conformance/driver/schemas/) and PROTOCOL.md's operation table from its zod schemas.
 * generated.test.ts and http-protocol.test.ts fail until this has been run after a definition changes.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../common/project-root.js';
import { PROTOCOL_DOC, SCHEMA_DIR, schemaFiles, withOperationTable } from '../../driver/protocol-schemas.js';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText } from './scenario-json-schema.js';
import { withStepTable } from './step-table.js';

const root = projectRoot();
writeFileSync(join(root, SCENARIO_SCHEMA_FILE), scenarioJsonSchemaText());
const readme = join(root, 'README.md');
writeFileSync(readme, withStepTable(readFileSync(readme, 'utf8')));
console.log(`wrote ${SCENARIO_SCHEMA_FILE} and the step table in README.md`);

const dir = join(root, SCHEMA_DIR);
mkdirSync(dir, { recursive: true });
const files = schemaFiles();
// A schema of an operation since removed must go too, or the folder would document it still.
for (const name of readdirSync(dir)) if (!files.has(name)) rmSync(join(dir, name));
for (const [name, text] of files) writeFileSync(join(dir, name), text);
const doc = join(root, PROTOCOL_DOC);
writeFileSync(doc, withOperationTable(readFileSync(doc, 'utf8')));
console.log(`wrote ${files.size} files in ${SCHEMA_DIR} and the operation table in ${PROTOCOL_DOC}`);
