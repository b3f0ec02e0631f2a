/**
 * The HTML report QA opens: one self-contained page with the coverage table, each scenario's steps
 * as written, a failure's expected/actual, and the mock's journal for the failing step (what the
 * engine sent, what it got, and the fault that answered).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { toHtml } from './html-report.js';
import { runSuite, type SuiteResult } from './suite.js';
import { ALICE_SYNCED, GIVEN_ALICE, scenarioFile } from './test-support.js';

let result: SuiteResult;
let page: string;

describe('the HTML report', () => {
  beforeAll(async () => {
    // Fails at the expect after a sync that iCloud answered with a 503 fault.
    const afterFault = scenarioFile(
      `name: a fault breaks the sync\nrules: [D5]\n${GIVEN_ALICE}\nsteps:\n${ALICE_SYNCED}  - fault: { kind: unavailable, retryAfter: 60, count: 1 }\n  - sync: alice\n  - expect:\n      report: { outcome: ok }\n`,
    );
    // Fails at the step that made the requests itself.
    const refused = scenarioFile(`name: a <refused> password\nrules: [C1]\n${GIVEN_ALICE}\nsteps:\n  - connect: { user: alice, appleId: alice@example.com, appPassword: wrong-password-here }\n`);
    const passing = scenarioFile(`name: connects and syncs\nrules: [C1]\n${GIVEN_ALICE}\nsteps:\n${ALICE_SYNCED}`);
    result = await runSuite([afterFault, refused, passing], { concurrency: 3 });
    page = toHtml(result, { requireAllRules: false, title: 'rule scenarios against sync-core' });
  }, 60_000);

  it('is one self-contained page: inline CSS, no script, nothing fetched from elsewhere', () => {
    expect(page).toMatch(/^<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">/);
    expect(page).toContain('<style>');
    expect(page).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|@import|url\(/i);
    expect(page.match(/href="([^"]*)"/g)?.every((h) => h.startsWith('href="#'))).toBe(true); // only links within the page
    expect(page).toContain('<title>rule scenarios against sync-core</title>');
  });

  it('has the coverage table, linking each rule to its scenarios', () => {
    const coverage = page.slice(page.indexOf('<table class="coverage">'), page.indexOf('</table>', page.indexOf('<table class="coverage">')));
    const c1 = coverage.slice(coverage.indexOf('<td><strong>C1</strong></td>'), coverage.indexOf('</tr>', coverage.indexOf('<strong>C1</strong>')));
    expect(c1).toContain('<td><strong>C1</strong></td><td><span class="v fail">FAIL</span></td>');
    const refused = result.scenarios.find((s) => s.name === 'a <refused> password')!;
    expect(c1).toContain(`<span class="v fail">FAIL</span> <a href="#s-${refused.file.replace(/[^A-Za-z0-9]+/g, '-')}">a &lt;refused&gt; password</a>`);
    expect(c1).toMatch(/<span class="v pass">PASS<\/span> <a href="#s-[^"]+">connects and syncs<\/a>/);
    expect(page).toContain(`<section id="s-${refused.file.replace(/[^A-Za-z0-9]+/g, '-')}" class="scenario failed">`);
    expect(coverage).toContain('<td><strong>D5</strong></td><td><span class="v fail">FAIL</span>');
    expect(coverage).not.toContain('<strong>A1</strong>'); // a partial run shows only the rules it checks
  });

  it("shows each scenario's steps as written, the failing one marked and those after it not run", () => {
    const section = page.slice(page.indexOf('a fault breaks the sync</h3>'));
    expect(section).toContain('<li class="" value="4"><pre>fault:\n  kind: unavailable\n  retryAfter: 60\n  count: 1</pre></li>');
    expect(section).toContain('<li class="failed" value="6"><pre>expect:\n  report:\n    outcome: ok</pre></li>');
    const refused = page.slice(page.indexOf('a &lt;refused&gt; password</h3>'));
    expect(refused).toContain('<li class="failed" value="1"><pre>connect:\n  user: alice\n  appleId: alice@example.com\n  appPassword: wrong-password-here</pre></li>');
  });

  it("shows a failure's expected beside its actual, the differing lines marked", () => {
    const section = page.slice(page.indexOf('a fault breaks the sync</h3>'), page.indexOf('</section>', page.indexOf('a fault breaks the sync</h3>')));
    expect(section).toContain('<strong>step 6 (expect)</strong>: report: the last sync report for alice differs');
    expect(section).toMatch(
      /<table class="diff"><tr><th>expected<\/th><th>actual<\/th><\/tr><tr><td><pre><span class="only">outcome: ok<\/span><\/pre><\/td><td><pre><span class="only">outcome: (failed|partial)<\/span>/,
    );
  });

  it("holds the mock's journal for the failing step: method, path, status, and the fault", () => {
    const section = page.slice(page.indexOf('a fault breaks the sync</h3>'), page.indexOf('</section>', page.indexOf('a fault breaks the sync</h3>')));
    // The expect sent nothing: the journal is the sync's, the last step that reached iCloud.
    expect(section).toContain("The mock's journal during step 5 (sync), the last step that reached iCloud before step 6: what the engine sent iCloud and what it got");
    expect(section).toContain('<tr><th>#</th><th>method</th><th>path</th><th>status</th><th>account</th><th>reason</th><th>fault</th></tr>');
    expect(section).toMatch(
      /<tr class="fault"><td>\d+<\/td><td>(REPORT|PROPFIND)<\/td><td><code>\/[^<]+<\/code><\/td><td>503<\/td><td>alice@example.com<\/td><td>fault fault-\d+: service unavailable<\/td><td>fault-\d+<\/td><\/tr>/,
    );
    const refused = page.slice(page.indexOf('a &lt;refused&gt; password</h3>'), page.indexOf('</section>', page.indexOf('a &lt;refused&gt; password</h3>')));
    expect(refused).toContain("The mock's journal during step 1 (connect): what the engine sent iCloud and what it got");
    expect(refused).toMatch(/<tr class="error"><td>\d+<\/td><td>PROPFIND<\/td><td><code>\/<\/code><\/td><td>401<\/td><td>alice@example.com<\/td><td>wrong-password: [^<]+<\/td><td><\/td><\/tr>/);
  });

  it('puts failures first and keeps passing scenarios with their steps folded', () => {
    expect(page.indexOf('a fault breaks the sync</h3>')).toBeLessThan(page.indexOf('connects and syncs</h3>'));
    expect(page).toContain('<span class="v pass">PASS</span> 1 <span class="v fail">FAIL</span> 2');
    const passing = page.slice(page.indexOf('connects and syncs</h3>'));
    expect(passing).toContain('<details><summary>steps</summary>');
  });
});
