/**
 * Reading a zod schema's structure (zod 4's `_zod.def`): what an object's keys are, what a list
 * holds, under the wrappers (optional, default, preprocess, transform) that do not change the
 * shape. Used to name the allowed keys in an error and to write the README's argument column.
 */
import type { z } from 'zod';

export type Def = { type: string; [k: string]: unknown };
export const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

const WRAPPERS = ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'];

/** The schema an object or list really is, under optional, default, preprocess and transforms. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(s);
    if (WRAPPERS.includes(def.type)) s = def.innerType as z.ZodType;
    // preprocess is transform → schema (take the schema); `x.transform(f)` is x → transform (take x).
    else if (def.type === 'pipe') s = (defOf(def.out).type === 'transform' ? def.in : def.out) as z.ZodType;
    else return s;
  }
  return schema;
}

/** A key the YAML may leave out: optional, or with a default. */
export function isOptional(schema: z.ZodType): boolean {
  for (let s = schema, i = 0; i < 20; i++) {
    const def = defOf(s);
    if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault') return true;
    if (WRAPPERS.includes(def.type)) s = def.innerType as z.ZodType;
    else if (def.type === 'pipe') s = (defOf(def.out).type === 'transform' ? def.in : def.out) as z.ZodType;
    else return false;
  }
  return false;
}

/** The schema at a path inside another, or undefined where the path leaves the schema. */
export function schemaAt(schema: z.ZodType, path: PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (!s) return undefined;
    const def = defOf(s);
    if (def.type === 'object') s = (def.shape as Record<string, z.ZodType>)[String(segment)];
    else if (def.type === 'array') s = def.element as z.ZodType;
    else if (def.type === 'record') s = def.valueType as z.ZodType;
    else if (def.type === 'union') s = (def.options as z.ZodType[]).map(unwrap).find((o) => defOf(o).type === 'object' && String(segment) in (defOf(o).shape as object));
    else return undefined;
    s = s && unwrap(s);
  }
  return s;
}
