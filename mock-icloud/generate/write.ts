/**
 * `npm run schemas` (after conformance's generator): the README's fault table from the fault-kind
 * records, and fixtures/worlds/world.schema.json from the world file's zod schema.
 * generated.test.ts fails until this has been run after a record or the world schema changes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../common/project-root.js';
import { withFaultTable } from './fault-table.js';
import { WORLD_SCHEMA_FILE, worldJsonSchemaText } from './world-json-schema.js';

const root = projectRoot();
const readme = join(root, 'README.md');
writeFileSync(readme, withFaultTable(readFileSync(readme, 'utf8')));
writeFileSync(join(root, WORLD_SCHEMA_FILE), worldJsonSchemaText());
console.log(`wrote the fault table in README.md and ${WORLD_SCHEMA_FILE}`);
