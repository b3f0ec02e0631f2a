/**
 * Scalar shorthand: `sync: alice` means `sync: { user: alice }`, `icloudWrites: 0` means
 * `icloudWrites: { count: 0 }`, and a bare `poll:` means `poll: {}`. The schema a definition gives
 * describes the mapping; this wraps it so the scalar is accepted too, and remembers the wrapping so
 * the generated JSON Schema can offer both forms.
 */
import { z } from 'zod';

/**
 * The key a scalar fills, by the wrapper's preprocessing function (its `in` side): a described or
 * otherwise cloned copy of the wrapper shares that object, so the JSON Schema generator finds it.
 */
const SHORTHANDS = new WeakMap<object, string>();

export function shorthandOf(schema: unknown): string | undefined {
  const def = (schema as unknown as { _zod: { def: { type: string; in?: object } } })._zod.def;
  return def.type === 'pipe' && def.in ? SHORTHANDS.get(def.in) : undefined;
}

export function withShorthand(args: z.ZodType, shorthand: string | undefined): z.ZodType {
  const wrapped = z.preprocess((value) => {
    if (value === null || value === undefined) return {};
    if (shorthand !== undefined && (typeof value !== 'object' || Array.isArray(value))) return { [shorthand]: value };
    return value;
  }, args);
  if (shorthand !== undefined) SHORTHANDS.set((wrapped as unknown as { _zod: { def: { in: object } } })._zod.def.in, shorthand);
  return wrapped;
}
