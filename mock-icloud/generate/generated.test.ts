import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../common/project-root.js';
import { FAULT_KINDS } from '../control/faults.js';
import { faultTable, withFaultTable } from './fault-table.js';

const root = projectRoot();

describe('generated from the mock\'s records (npm run schemas)', () => {
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
