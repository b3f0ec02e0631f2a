/**
 * `npm run schemas` (after conformance's generator): the README's fault table from the fault-kind
 * records. generated.test.ts fails until this has been run after a record changes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../common/project-root.js';
import { withFaultTable } from './fault-table.js';

const root = projectRoot();
const readme = join(root, 'README.md');
writeFileSync(readme, withFaultTable(readFileSync(readme, 'utf8')));
console.log('wrote the fault table in README.md');
