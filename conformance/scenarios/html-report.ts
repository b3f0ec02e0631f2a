/**
 * `--html FILE`: the suite as one page QA can open from a CI artifact or attach to a ticket. It
 * is self-contained (inline CSS, no script, no external resources), so it reads the same offline and
 * years later. It has the coverage table, then every scenario with its steps as written. A failure
 * adds what was expected beside what was found, and the mock's journal for the failing step: every
 * request the engine sent iCloud, with the answer and the fault that answered it.
 */
import YAML from 'yaml';
import type { Failure, ScenarioResult, StepJournal } from './runner.js';
import type { SuiteResult } from './suite.js';
import { verdict, type Verdict } from './verdict.js';

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
const anchor = (file: string) => `s-${file.replace(/[^A-Za-z0-9]+/g, '-')}`;
const badge = (v: Verdict | 'NONE') => `<span class="v ${v.toLowerCase()}">${v}</span>`;
const yaml = (value: unknown) => YAML.stringify(value ?? null, { lineWidth: 0 }).trimEnd();

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#1d1d1f}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}h3{font-size:1em;margin:0}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #d2d2d7;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f5f5f7}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}pre{margin:0;white-space:pre-wrap}
.v{display:inline-block;min-width:5.5em;text-align:center;border-radius:4px;padding:0 .4em;font-weight:600;font-size:12px}
.pass{background:#d8f5dd;color:#0a5c1c}.fail,.stale,.none{background:#fde2e1;color:#8a1410}.skip{background:#eee;color:#555}.deviation{background:#fff1c2;color:#6b4d00}
section.scenario{border:1px solid #d2d2d7;border-radius:6px;padding:.75em 1em;margin:1em 0}
section.scenario.failed{border-color:#e0605a}
ol.steps li{margin:.15em 0}ol.steps li.failed pre{background:#fde2e1}ol.steps li.notrun pre{color:#999}
.diff td{width:50%}.only{background:#fde2e1}
tr.error td{background:#fff4f3}tr.fault td{background:#fff1c2}
.muted{color:#6e6e73}.summary{font-size:1.1em}
`;

/** Expected and actual as two YAML columns; a line found only on one side is marked. */
function diff(expected: unknown, actual: unknown): string {
  const left = yaml(expected).split('\n');
  const right = yaml(actual).split('\n');
  const column = (lines: string[], other: string[]) => lines.map((l) => (other.includes(l) ? esc(l) : `<span class="only">${esc(l)}</span>`)).join('\n');
  return `<table class="diff"><tr><th>expected</th><th>actual</th></tr><tr><td><pre>${column(left, right)}</pre></td><td><pre>${column(right, left)}</pre></td></tr></table>`;
}

function journal(j: StepJournal, failedStep: number): string {
  const when = j.step === failedStep ? `during step ${j.step} (${esc(j.action)})` : `during step ${j.step} (${esc(j.action)}), the last step that reached iCloud before step ${failedStep}`;
  const rows = j.entries.map(
    (e) =>
      `<tr class="${e.fault ? 'fault' : e.status >= 400 ? 'error' : ''}"><td>${e.seq}</td><td>${esc(e.method)}</td><td><code>${esc(e.path)}</code></td><td>${e.status}</td><td>${esc(e.account ?? '')}</td><td>${esc(e.reason ?? '')}</td><td>${esc(e.fault ?? '')}</td></tr>`,
  );
  return `<h4>The mock's journal ${when}: what the engine sent iCloud and what it got</h4>
<table class="journal"><tr><th>#</th><th>method</th><th>path</th><th>status</th><th>account</th><th>reason</th><th>fault</th></tr>${rows.join('')}</table>`;
}

function failure(f: Failure): string {
  const parts = [`<p><strong>step ${f.step} (${esc(f.action)})</strong>: ${esc(f.message)}</p>`];
  if (f.expected !== undefined || f.actual !== undefined) parts.push(diff(f.expected, f.actual));
  f.mismatches?.forEach((m, i) => {
    parts.push(`<p>${i + 1}. ${esc(m.message)}</p>`);
    if (m.expected !== undefined || m.actual !== undefined) parts.push(diff(m.expected, m.actual));
  });
  if (f.journal) parts.push(journal(f.journal, f.step));
  return parts.join('\n');
}

function scenario(s: ScenarioResult): string {
  const v = verdict(s);
  const failedAt = s.failure?.step;
  const steps = (s.steps ?? []).map((step) => {
    const state = failedAt === undefined || s.skipped ? '' : step.index < failedAt ? '' : step.index === failedAt ? 'failed' : 'notrun';
    return `<li class="${state}" value="${step.index}"><pre>${esc(step.source)}</pre></li>`;
  });
  const notes = [
    s.skipped ? `<p class="muted">Not run: ${esc(s.skipped)}</p>` : '',
    s.deviation ? `<p>${v === 'STALE' ? 'Listed as a deviation but passed: remove it from the deviation list. It said' : 'Known deviation'}: ${esc(s.deviation.reason)}</p>` : '',
  ].join('');
  return `<section id="${anchor(s.file)}" class="scenario${v === 'FAIL' || v === 'STALE' ? ' failed' : ''}">
<h3>${badge(v)} ${esc(s.name)}</h3>
<p class="muted"><code>${esc(s.file)}</code> · rules ${esc(s.rules.join(', '))} · ${s.ms} ms</p>
${s.description ? `<p>${esc(s.description)}</p>` : ''}${notes}
${s.failure ? failure(s.failure) : ''}
${steps.length ? `<details${v === 'FAIL' || v === 'DEVIATION' ? ' open' : ''}><summary>steps</summary><ol class="steps">${steps.join('')}</ol></details>` : ''}
</section>`;
}

export function toHtml(result: SuiteResult, options: { requireAllRules: boolean; title?: string }): string {
  const title = options.title ?? 'icloud-conformance: rule scenarios';
  const counts = new Map<Verdict, number>();
  for (const s of result.scenarios) counts.set(verdict(s), (counts.get(verdict(s)) ?? 0) + 1);
  const summary = (['PASS', 'FAIL', 'DEVIATION', 'STALE', 'SKIP'] as const).map((v) => `${badge(v)} ${counts.get(v) ?? 0}`).join(' ');
  const byName = new Map(result.scenarios.map((s) => [s.name, s]));
  const rules = options.requireAllRules ? result.rules : result.rules.filter((r) => r.scenarios.length > 0);
  const coverage = rules.map((r) => {
    const links = r.scenarios.map((n) => byName.get(n)!).map((s) => `${badge(verdict(s))} <a href="#${anchor(s.file)}">${esc(s.name)}</a>`);
    return `<tr><td><strong>${esc(r.id)}</strong></td><td>${badge(r.status)}</td><td>${links.join('<br>') || '<span class="muted">no scenario checks this rule</span>'}</td></tr>`;
  });
  // Failures first: they are what the reader opened the page for.
  const order: Verdict[] = ['FAIL', 'STALE', 'DEVIATION', 'SKIP', 'PASS'];
  const scenarios = [...result.scenarios].sort((a, b) => order.indexOf(verdict(a)) - order.indexOf(verdict(b)));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="summary">${summary}</p>
${result.unknownRules.length ? `<p>Scenarios cite rule IDs that ${esc(result.rulesSource)} does not have: ${esc(result.unknownRules.join(', '))}</p>` : ''}
${result.unmatchedDeviations?.length ? `<p class="muted">The deviation list names no scenario of this run: ${esc(result.unmatchedDeviations.map((d) => d.scenario).join(', '))}</p>` : ''}
<h2>Coverage</h2>
<table class="coverage"><tr><th>rule</th><th>result</th><th>scenarios</th></tr>${coverage.join('\n')}</table>
<h2>Scenarios</h2>
${scenarios.map(scenario).join('\n')}
</body></html>
`;
}
