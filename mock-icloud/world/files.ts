/**
 * Reading and writing world files (YAML or JSON) from disk.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import { validateWorld, type World, WorldError } from './schema.js';

export interface LoadedWorld {
  world: World;
  /** Directory that `file:` event paths are relative to. */
  baseDir: string;
}

export function parseWorldText(text: string, source = 'world'): World {
  let doc: unknown;
  try {
    doc = YAML.parse(text, { prettyErrors: true });
  } catch (error) {
    throw new WorldError(`${source}: not valid YAML/JSON: ${(error as Error).message}`);
  }
  try {
    return validateWorld(doc);
  } catch (error) {
    if (error instanceof WorldError) throw new WorldError(`${source}: ${error.message}`);
    throw error;
  }
}

export function loadWorldFile(path: string): LoadedWorld {
  const full = resolve(path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    throw new WorldError(`cannot read world file ${full}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { world: parseWorldText(text, full), baseDir: dirname(full) };
}

export function worldToYaml(world: World): string {
  return YAML.stringify(world, { lineWidth: 0, blockQuote: 'literal' });
}
