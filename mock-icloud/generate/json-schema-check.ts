/**
 * A small JSON Schema checker for the keywords the generated schemas use (type, properties,
 * required, additionalProperties, items, anyOf, enum, const, minimum, maximum), so tests can show
 * that what an editor checks against world.schema.json agrees with what the mock accepts, without
 * a validator dependency for a test.
 */
type Schema = Record<string, unknown>;

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

/** The problems with `value` against `schema`, each with its path; empty when it fits. */
export function checkJsonSchema(schema: Schema, value: unknown, path = '$'): string[] {
  if (schema.anyOf) {
    const each = (schema.anyOf as Schema[]).map((s) => checkJsonSchema(s, value, path));
    return each.some((p) => p.length === 0) ? [] : [`${path}: fits none of ${each.length} shapes (${each.map((p) => p[0]).join('; ')})`];
  }
  if (schema.type !== undefined) {
    const types = ([] as string[]).concat(schema.type as string | string[]);
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return [`${path}: expected ${types.join(' or ')}, got ${actual}`];
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) return [`${path}: not one of ${(schema.enum as unknown[]).join(', ')}`];
  if ('const' in schema && schema.const !== value) return [`${path}: must be ${String(schema.const)}`];
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return [`${path}: below ${schema.minimum}`];
    if (typeof schema.maximum === 'number' && value > schema.maximum) return [`${path}: above ${schema.maximum}`];
  }
  const problems: string[] = [];
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => problems.push(...checkJsonSchema(schema.items as Schema, item, `${path}[${i}]`)));
  if (typeOf(value) === 'object' && (schema.properties || schema.required)) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) problems.push(`${path}: "${key}" is required`);
    for (const [key, v] of Object.entries(object)) {
      if (properties[key]) problems.push(...checkJsonSchema(properties[key]!, v, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: unknown key "${key}"`);
    }
  }
  return problems;
}
