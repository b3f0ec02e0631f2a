/**
 * A team's known deviations: scenarios its engine is known to fail, each with the reason, as the
 * protocol suite keeps them per server (conformance/protocol/targets/). A listed scenario that fails
 * is a DEVIATION, not a failure; one that passes is STALE and fails the run, so the list shrinks as
 * the engine improves and can never hide a scenario that works.
 *
 *   # deviations.yaml
 *   - scenario: consistency/later-iphone-edit-wins.yaml      # a file, or the end of its path
 *     reason: our engine lets the platform win every conflict (ticket ENG-123)
 *   - scenario: A FREE iCloud event is fetched but leaves the time open; a busy one blocks   # or its name
 *     reason: we import FREE events as busy
 */
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { describeIssues } from './zod-issues.js';

export interface ScenarioDeviation {
  scenario: string;
  reason: string;
}

export class DeviationsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviationsError';
  }
}

const entry = z.strictObject({
  scenario: z.string().trim().min(1, 'a scenario file (or the end of its path, such as consistency/x.yaml) or a scenario name'),
  reason: z.string().trim().min(1, 'say why the engine deviates, for whoever reads the report'),
});
export const deviationsSchema = z.array(entry, { error: 'expected a list of { scenario, reason }' });

export function loadDeviations(file: string): ScenarioDeviation[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DeviationsError(`${file}: cannot read the deviation list (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (error) {
    throw new DeviationsError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = deviationsSchema.safeParse(doc ?? [], { reportInput: true });
  if (!result.success) throw new DeviationsError(describeIssues(result.error, deviationsSchema, file).split('\n').join('; '));
  const seen = new Set<string>();
  for (const [i, d] of result.data.entries()) {
    if (seen.has(d.scenario)) throw new DeviationsError(`${file}[${i}].scenario: "${d.scenario}" is listed twice`);
    seen.add(d.scenario);
  }
  return result.data;
}

/** Does a list entry name this scenario: its name, its file, or the end of its path at a folder boundary? */
function names(entry: string, scenario: { file: string; name: string }): boolean {
  if (entry === scenario.name) return true;
  const wanted = entry.split('/').join(sep);
  return scenario.file === resolve(wanted) || scenario.file.endsWith(sep + wanted);
}

/**
 * Which entry each scenario (by absolute file) is listed under, and the entries that name none of
 * them. An entry naming two scenarios is refused: it would hide the one the team did not mean.
 */
export function matchDeviations(
  deviations: readonly ScenarioDeviation[],
  scenarios: ReadonlyArray<{ file: string; name: string }>,
  source = 'the deviation list',
): { byFile: Map<string, ScenarioDeviation>; unmatched: ScenarioDeviation[] } {
  const byFile = new Map<string, ScenarioDeviation>();
  const unmatched: ScenarioDeviation[] = [];
  for (const d of deviations) {
    const hits = scenarios.filter((s) => names(d.scenario, s));
    if (hits.length > 1) throw new DeviationsError(`${source}: "${d.scenario}" names ${hits.length} scenarios (${hits.map((h) => h.file).join(', ')}); give more of the path`);
    if (hits.length === 0) unmatched.push(d);
    else if (byFile.has(hits[0].file)) throw new DeviationsError(`${source}: ${hits[0].file} is listed twice ("${byFile.get(hits[0].file)!.scenario}" and "${d.scenario}")`);
    else byFile.set(hits[0].file, d);
  }
  return { byFile, unmatched };
}
