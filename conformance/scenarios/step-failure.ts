/**
 * A step that could not be carried out as the scenario describes (an unknown key, no such event, an
 * edit that makes no sense). Distinct from an error the engine under test throws: `expectError`
 * matches only the latter, so a mistyped scenario never passes by "failing as expected".
 */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly expected?: unknown,
    readonly actual?: unknown,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}
