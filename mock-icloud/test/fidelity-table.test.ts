/**
 * FIDELITY.md is a checked table: every row has an ID, an evidence tag and tests that pin it, and
 * every test that names a row ID names one that exists. The dossier and the 2026-11 review it
 * cites are kept in the repository (fixtures/reference/), equal to ../shared/reference/ where
 * that exists, so every "dossier §N" in the code resolves here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIDELITY = join(ROOT, 'mock-icloud', 'FIDELITY.md');
const REFERENCES = ['icloud-caldav.md', 'icloud-fidelity-2026-11.md'];
const SHARED = join(ROOT, '..', 'shared', 'reference');
/** Where tests live (dist, node_modules and other engineers' trees are not searched). */
const TEST_DIRS = ['mock-icloud', 'icalendar', 'conformance', 'common'];

interface Row {
  id: string;
  behaviour: string;
  tag: string;
  pins: string[];
}

function rows(): Row[] {
  return readFileSync(FIDELITY, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Behaviour |'))
    .map((l) => {
      const cells = l
        .trim()
        .replace(/^\||\|$/g, '')
        .split(' | ')
        .map((c) => c.trim());
      return { behaviour: cells[0], tag: cells[4], id: cells[5], pins: (cells[6] ?? '').split(/;\s*/).filter(Boolean) };
    });
}

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Titles of `it`, `test` and `describe` calls (it.each titles included), per file. */
function titles(text: string): string[] {
  const out: string[] = [];
  const call = /\b(?:it|test|describe)(?:\.(?:each\([\s\S]*?\)|only|skip|runIf\([^)]*\)|skipIf\([^)]*\)))?\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
  for (const m of text.matchAll(call)) out.push(m[2].replace(/\\(.)/g, '$1'));
  return out;
}

const FILES = TEST_DIRS.flatMap((d) => testFiles(join(ROOT, d)));
const TITLES = new Map(FILES.map((f) => [relative(ROOT, f), titles(readFileSync(f, 'utf8'))]));
const TAGGED = [...TITLES].flatMap(([file, ts]) => ts.flatMap((t) => [...t.matchAll(/\[(F[^\]\s]*)\]/g)].map((m) => ({ file, title: t, id: m[1] }))));

describe('FIDELITY.md as a checked table', () => {
  const table = rows();

  it('gives every row a unique ID F1, F2, … in order, an evidence tag and at least one pin', () => {
    expect(table.length).toBeGreaterThan(50);
    table.forEach((r, i) => {
      expect({ row: r.behaviour, id: r.id }).toEqual({ row: r.behaviour, id: `F${i + 1}` });
      expect({ row: r.id, tag: r.tag }).toEqual({ row: r.id, tag: expect.stringMatching(/^(mock|[SRIU](\/[SRIU])*)$/) });
      expect({ row: r.id, pins: r.pins.length > 0 }).toEqual({ row: r.id, pins: true });
    });
  });

  it('finds every pinned test: an [ID] in some title, or a file holding a title with the text', () => {
    const missing: string[] = [];
    for (const r of table) {
      for (const pin of r.pins) {
        const tag = /^\[(F\d+)\]$/.exec(pin);
        if (tag) {
          if (tag[1] !== r.id && !table.some((o) => o.id === tag[1])) missing.push(`${r.id}: ${pin} names no row`);
          if (!TAGGED.some((t) => t.id === tag[1])) missing.push(`${r.id}: no test title carries ${pin}`);
          continue;
        }
        const ref = /^`?([^`:]+\.test\.ts)`?: "(.+)"$/.exec(pin);
        if (!ref) {
          missing.push(`${r.id}: cannot read the pin ${pin} (write [F12] or file.test.ts: "title text")`);
          continue;
        }
        const ts = TITLES.get(ref[1]);
        if (!ts) missing.push(`${r.id}: ${ref[1]} is not a test file`);
        else if (!ts.some((t) => t.includes(ref[2]))) missing.push(`${r.id}: no test in ${ref[1]} is titled with "${ref[2]}"`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('finds a row for every ID a test names, and no test tagged in another form', () => {
    const ids = new Set(table.map((r) => r.id));
    const orphans = TAGGED.filter((t) => !/^F\d+$/.test(t.id) || !ids.has(t.id)).map((t) => `${t.file}: "${t.title}" names [${t.id}]`);
    expect(orphans).toEqual([]);
  });
});

describe('the references the code cites', () => {
  for (const name of REFERENCES) {
    const vendored = join(ROOT, 'fixtures', 'reference', name);
    const shared = join(SHARED, name);
    if (!existsSync(shared)) {
      // Skipped only in a checkout without ../shared/ (CI has it): there is nothing to compare with.
      console.log(`fixtures/reference/${name}: no ../shared/reference/${name} here, drift check skipped`);
    }
    it.runIf(existsSync(shared))(`fixtures/reference/${name} equals ../shared/reference/${name}`, () => {
      expect(readFileSync(vendored, 'utf8')).toBe(readFileSync(shared, 'utf8'));
    });
  }

  it('resolves every "dossier §N" in the code and documents to a section of the vendored dossier', () => {
    const dossier = readFileSync(join(ROOT, 'fixtures', 'reference', 'icloud-caldav.md'), 'utf8');
    const sections = new Set([...dossier.matchAll(/^## (\d+)\. /gm)].map((m) => m[1]));
    const sources = [...TEST_DIRS.flatMap((d) => sourceFiles(join(ROOT, d))), FIDELITY];
    const unresolved: string[] = [];
    let cited = 0;
    for (const file of sources) {
      for (const m of readFileSync(file, 'utf8').matchAll(/dossier §(\d+)(?:\.(\d+))?/g)) {
        cited++;
        if (!sections.has(m[1])) unresolved.push(`${relative(ROOT, file)}: ${m[0]}`);
      }
    }
    expect(cited).toBeGreaterThan(50);
    expect(unresolved).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|md)$/.test(name)) out.push(path);
  }
  return out;
}
