// `rafcast report` (evaluation/report.ts) on evaluations built here from 200 members with set
// scores and labels, two models' (a run's), a hand-written candidate list and outreach list: a
// self-contained page that a real browser (Debian's Chromium, driven by playwright-core) shows with
// every chart and table and no error, every model in it, no symbol left unexplained, and the
// candidate list's expected dollars beside the measured ones. The screenshot is kept as a test
// artefact. And the page when the year after the as-of year is not in the data; and the
// three-column illustration of the outreach members from a suspects folder and a known history.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { listMetrics, rankOrder } from '../models/metrics.ts';
import { tempDir } from '../test/temp-dir.ts';
import type { Evaluation, ListEvaluation } from './evaluation-types.ts';
import { candidateTotals } from './report-candidates.ts';
import { PAPER, renderReport, writeReport } from './report.ts';
import { growthRatio, listRevenue, type MemberScores } from './revenue.ts';
import { compareLists, comparisonSentence } from './verdict.ts';
import { CHROMIUM } from '../test/test-tools.ts';
import { openDuckDb, sqlString } from '../data/duckdb.ts';

/**
 * A rafcast align folder for performance year 2026: 6 aligned (claims 3, both 2, voluntary 1)
 * against a standard ACO's 5,000, in two practices. The section's own figures are tested in
 * report-aco.test.ts; here, that the report places it and a browser shows its charts.
 */
function alignFolder(): string {
  const dir = tempDir('align');
  const window = (py: number) => ({ performanceYear: py, start: `${py}-01-01`, from: `${py - 3}-07-01`, middle: `${py - 2}-07-01`, to: `${py - 1}-07-01` });
  const summary = {
    performanceYear: 2026, acoType: 'standard', window: window(2026), nextWindow: window(2027), members: 8, eligible: 8, excludedBy: {},
    byAlignment: { claims: 3, both: 2, voluntary: 1, none: 2 }, aligned: 6, voluntaryRemoved: 0, minimum: { minimum: 5000, source: 'ACO REACH Participation Agreement 5.03.A' },
    marginOverMinimum: -4994, projection: { aligned_now: 5, at_risk: 1, on_track: 1, not_aligned: 1 }, practices: 2, notes: [], files: [],
  };
  writeFileSync(join(dir, 'align-summary.json'), JSON.stringify(summary));
  writeFileSync(join(dir, 'practices.csv'), 'tin,aligned,claims,voluntary,both_aligned,at_risk,on_track,projected_next\n111111111,4,2,1,1,1,1,5\n222222222,2,1,0,1,0,0,1\n');
  return dir;
}

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const BASE = 10402.34;

/**
 * 200 members: RAF_T rising with i, a sweep gain on every third, a sweep loss on every seventh,
 * RAF_{T+1} growing on every fifth (none with `nextYear` false), every eleventh member leaving
 * in June of T+1.
 */
function evaluation(model: string, seed: number, nextYear = true): Evaluation {
  const n = 200;
  const members: MemberScores[] = Array.from({ length: n }, (_, i) => {
    const rafT = 0.5 + i / 100;
    const rafInitT = i % 3 === 0 ? rafT - 0.1 : i % 7 === 0 ? rafT + 0.05 : rafT;
    return { rafT, rafInitT, rafNext: !nextYear ? NaN : i % 5 === 0 ? rafT * 1.3 : rafT, monthsPaid: i % 11 === 0 ? 6 : 12 };
  });
  const labels = Uint8Array.from(members, (_, i) => (i >= 160 ? 1 : 0));
  const growth = growthRatio(members, 2024);
  const scoreOf: Record<string, (i: number) => number> = {
    model: (i) => ((i * (37 + seed)) % 200) / 200 + i / 200,
    naive: (i) => i,
    analyst: (i) => i + (i % 4 === 0 ? 30 : 0),
    dollars: (i) => (i * 13) % 200,
    perfect: (i) => i + (i % 5 === 0 ? 100 : 0),
    ceiling: (i) => (i % 5 === 0 ? 1000 + i : i),
  };
  const lists: ListEvaluation[] = (['model', 'dollars', 'naive', 'analyst', 'perfect', 'ceiling'] as const).map((name) => {
    const score = Float64Array.from({ length: n }, (_, i) => scoreOf[name]!(i));
    const list = Array.from(rankOrder(score).subarray(0, 40));
    // A description as evaluate-run writes them, with a symbol the report must put in words.
    // 'analyst' is a list name only once evaluation/lists.ts's kinds are in: cast for either.
    // Continuing and new members apart (evaluation/lists.ts), set by hand: 28 of 35 listed
    // continuing members in the top 20% (80.0%), 28 of its 30 (93.3%); 2 of 5 new (40.0%), 2 of 10
    // (20.0%), no AUC.
    const groups = {
      continuing: { members: 160, positives: 30, listed: 35, hits: 28, precision: 0.8, recall: 28 / 30, auc: 0.9 },
      new: { members: 40, positives: 10, listed: 5, hits: 2, precision: 0.4, recall: 0.2, auc: null },
    };
    return { name: name as ListEvaluation['name'], description: `top 20% by RAF_2023 (${name})`, metrics: listMetrics(score, labels, 0.2), revenue: listRevenue(members, list, growth, BASE, 2025), groups };
  });
  // Shares of the references' dollars as evaluate-run computes them; expected dollars set by hand.
  const ref = (name: string) => lists.find((l) => l.name === name)!.revenue;
  const share = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
  for (const l of lists) {
    l.captured = Object.fromEntries(
      (['perfect', 'ceiling'] as const).map((r) => [r, { accelerated: share(l.revenue.accelerated.total, ref(r).accelerated.total), incremental: share(l.revenue.incremental.total, ref(r).incremental.total) }]),
    );
  }
  lists[1]!.expected = { accelerated: 1234.5, incremental: 5678 };
  const comparisons = [lists[2]!, lists[3]!].map((b) => compareLists(lists[0]!, b));
  return {
    asOf: 2024,
    paymentYear: 2025,
    annualBaseRate: BASE,
    run: { id: model, model, seed, backend: 'wasm', fingerprint: '0'.repeat(64) },
    truthFingerprint: null,
    members: n,
    withBothYears: growth.withBothYears,
    c: growth.c,
    cNotMeasurable: growth.notMeasurable,
    listSize: 40,
    lists,
    verdict: comparisons.map(comparisonSentence).join(' '),
    comparisons,
  };
}

/** The page's text outside the definitions, where every symbol must already be in words. */
const bodyText = (html: string): string =>
  html
    .replace(/<dl data-section="definitions">[\s\S]*?<\/dl>/, '')
    .replace(/<svg[\s\S]*?<\/svg>/g, '')
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ');

describe('writeReport', () => {
  it('renders a self-contained report of every model that a real browser shows with every chart and table and no error', async () => {
    const dirs = [tempDir('evaluation'), tempDir('evaluation')];
    const es = [evaluation('mlp', 1), evaluation('logistic', 2)];
    dirs.forEach((d, k) => writeFileSync(join(d, 'evaluation.json'), JSON.stringify(es[k])));
    const candidates = tempDir('candidates');
    const rows = Array.from({ length: 12 }, (_, k) => `${k + 1},M${k},${(1000 - k * 10).toFixed(2)},0.91234${k},${k + 1},1234567890,Diabetes coded in 2023 (worth $900 a year) | RAF rose 0.40 in 2023,1,V28 HCC 37 Diabetes (last coded 2023-05-01)`);
    writeFileSync(join(candidates, 'outreach.csv'), ['priority,member_id,expected_dollars,probability,list_rank,member_provider_npi,reasons,hccs_to_recapture,hccs', ...rows].join('\n') + '\n');
    // 40 members, expected accelerated 100.10 each (4,004.00), incremental 250.25 each (10,010.00),
    // expected_dollars their sum, 350.35 each (14,014.00).
    const listed = Array.from({ length: 40 }, (_, k) => `M${k},${k + 1},0.5,100.10,250.25,350.35`);
    writeFileSync(join(candidates, 'candidates.csv'), ['member_id,rank,probability,expected_accelerated,expected_incremental,expected_dollars', ...listed].join('\n') + '\n');
    const html = join(tempDir('report'), 'report.html');
    await writeReport(dirs, html, candidates, 10, undefined, undefined, { alignment: alignFolder() });
    expect(statSync(html).mode & 0o777).toBe(0o600);
    const text = readFileSync(html, 'utf8');
    // Self-contained: no script and nothing fetched at view time.
    expect(text).not.toMatch(/<script|<link|src="http|href="http|@import/);
    // No symbol unexplained outside the definitions: no RAF_y, no T, no bare "c =".
    const body = bodyText(text);
    expect(body).not.toMatch(/RAF_|\bT\b|\bT[+-]1\b|(?<!ratio )\bc = /);
    expect(body).toContain('the risk score of 2023');
    expect(body).toContain(`The paper: ${PAPER.citation}.`);
    // c with its population.
    const mlp = es[0]!;
    expect(body).toContain(`The growth ratio c = ${mlp.c!.toFixed(4)}: the mean risk score of 2025 divided by the mean risk score of 2024, over the 200 members of the plan`);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (err) => errors.push(String(err)));
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(html).href);
      for (const chart of ['lift', 'gain', 'precision', 'dollars', 'cash', 'aco-alignment', 'aco-projection']) {
        const svg = page.locator(`figure[data-chart="${chart}"] svg`);
        await expect(svg.count(), chart).resolves.toBe(1);
        expect((await svg.boundingBox())!.width, chart).toBeGreaterThan(200);
      }
      // Four headline rows; one revenue row and one row of groups per list: both models, dollars, naive,
      // analyst, perfect, ceiling; ten deciles; twelve months; the three expected columns of candidates.csv; the top 10 of the
      // 12 outreach rows.
      const counts: Record<string, number> = { headline: 4, revenue: 7, groups: 7, deciles: 10, cash: 12, candidates: 3, outreach: 10, 'aco-practices': 2 };
      for (const [table, rowsExpected] of Object.entries(counts)) {
        await expect(page.locator(`table[data-table="${table}"] tbody tr`).count(), table).resolves.toBe(rowsExpected);
      }
      // Every model: its column in the headline, its row, its verdict.
      await expect(page.locator('table[data-table="headline"] thead th').allTextContents()).resolves.toEqual(['', "the mlp model's list", "the logistic model's list", 'the paper (2014-2015 data predicting 2016)']);
      // The paper's case as DOMAIN.md section 4 gives it: 41% (2,048) with unrealized potential, $12.69M
      // incremental, about $5M accelerated.
      await expect(page.locator('table[data-table="headline"] tbody tr td:last-child').allTextContents()).resolves.toEqual([
        '41.0% (2,048)', 'not given', '$12,690,000', 'about $5,000,000',
      ]);
      await expect(page.locator('table[data-table="revenue"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-list')))).resolves.toEqual(['mlp', 'logistic', 'dollars', 'naive', 'analyst', 'perfect', 'ceiling']);
      // The dollars list's shares of the references' dollars and its expected dollars, in its row's last three cells.
      const dollarsList = mlp.lists[1]!;
      const shareCell = (r: 'perfect' | 'ceiling') =>
        `${(100 * dollarsList.captured![r]!.accelerated!).toFixed(1)}% / ${(100 * dollarsList.captured![r]!.incremental!).toFixed(1)}%`;
      await expect(page.locator('table[data-table="revenue"] tr[data-list="dollars"] td').allTextContents().then((t) => t.slice(-3))).resolves.toEqual([shareCell('perfect'), shareCell('ceiling'), '$1,235 / $5,678']);
      // The ceiling's share of itself: all of it.
      await expect(page.locator('table[data-table="revenue"] tr[data-list="ceiling"] td').nth(11).textContent()).resolves.toBe('100.0% / 100.0%');
      // Why each member is listed: the reasons one a line.
      await expect(page.locator('table[data-table="outreach"] tbody tr').first().locator('td.why').innerHTML()).resolves.toBe('Diabetes coded in 2023 (worth $900 a year)<br>RAF rose 0.40 in 2023');
      for (const [k, key] of ['mlp', 'logistic'].entries()) await expect(page.locator(`.verdict[data-model="${key}"] span`).textContent()).resolves.toBe(es[k]!.verdict);
      await expect(page.locator('table[data-table="groups"] tbody tr').first().locator('td').allTextContents()).resolves.toEqual([
        "the mlp model's list", '35', '80.0%', '93.3%', '0.900', '5', '40.0%', '20.0%', 'none',
      ]);
      // Each row's dollars are its own list's.
      const logisticRow = page.locator('table[data-table="revenue"] tr[data-list="logistic"] td');
      await expect(logisticRow.nth(4).textContent()).resolves.toBe(`$${Math.round(es[1]!.lists[0]!.revenue.accelerated.total).toLocaleString('en-US')}`);
      // Probabilities with 4 digits: 0.912340 -> 0.9123.
      await expect(page.locator('table[data-table="outreach"] tbody tr').first().locator('td').nth(3).textContent()).resolves.toBe('0.9123');
      // The negative lump sums explained where the August lump sum is shown, with the list's figures.
      const r = mlp.lists[0]!.revenue;
      expect(r.accelerated.negative.members).toBeGreaterThan(0);
      const note = (await page.locator('p[data-note="lump-sum"]').textContent())!.replace(/\s+/g, ' ');
      expect(note).toContain(`It is negative for a member whose mid-year score came out below the initial one`);
      expect(note).toContain(`taken back from ${r.accelerated.negative.members} members`);
      // The cash view's August lump sum = the accelerated revenue + the negative lump sums, to the cent.
      expect(Math.round(r.cash[7]!.lumpSum * 100)).toBe(Math.round(r.accelerated.total * 100) + Math.round(r.accelerated.negative.total * 100));
      // Candidates: 4,004 expected accelerated against the mlp list's measured figure, the difference signed.
      const accRow = page.locator('table[data-table="candidates"] tbody tr').first().locator('td');
      await expect(accRow.allTextContents()).resolves.toEqual([
        'accelerated (moved to January) (expected_accelerated)',
        '$4,004',
        `$${Math.round(r.accelerated.total).toLocaleString('en-US')}`,
        `${4004 - r.accelerated.total < 0 ? '-' : '+'}$${Math.round(Math.abs(4004 - r.accelerated.total)).toLocaleString('en-US')}`,
      ]);
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(html).href]);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('says "not measurable", with the reason, when the year after the as-of year is not in the data; one folder still works', async () => {
    const e = evaluation('mlp', 1, false);
    expect(e.c).toBeNull();
    const dir = tempDir('evaluation');
    // As evaluation.json holds it (JSON has no NaN: c is null, not a number).
    writeFileSync(join(dir, 'evaluation.json'), JSON.stringify(e));
    const html = join(tempDir('report'), 'report.html');
    await writeReport(dir, html);
    const body = bodyText(readFileSync(html, 'utf8'));
    expect(body).toContain('The growth ratio c is not measurable: no member has a risk score for 2025: the data ends before 2025.');
    expect(body).toContain('incremental revenue not measurable (no member has a risk score for 2025: the data ends before 2025)');
    expect(body).not.toMatch(/NaN|null|undefined/);
    // Every list's incremental cell says so; none shows $0.
    const rows = body.split(/top 20% by the risk score of 2023/).slice(1);
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row).toMatch(/^ \(\w+\)\s+40\s+[\d.]+%\s+[\d.]+\s+\$[\d,]+\s+\d+\s+\$[\d,]+ \(\d+\)\s+not measurable\s+not measurable\s+40 /);
  });

  it('puts a providers folder\'s section (rafcast providers) before the definitions, and names the file a folder lacks', async () => {
    const dir = tempDir('evaluation');
    writeFileSync(join(dir, 'evaluation.json'), JSON.stringify(evaluation('mlp', 1)));
    const providers = tempDir('providers');
    writeFileSync(
      join(providers, 'providers.csv'),
      'npi,name,practice_name,partner,members_attributed,open_dollars,suspect_dollars,total_dollars,prior_hccs,recaptured,recapture_rate\n1000000001,Dr X,North,true,4,5000.00,0.00,5000.00,4,3,0.75\n',
    );
    const summary = { asOf: 2024, dataThrough: '2024-01-01', window: { from: '2023-01-01', through: '2023-12-31' }, priorWindow: { from: '2022-01-01', through: '2022-12-31' }, attribution: 'plurality', membersAttributed: 4, clinicians: 1, practices: 1, dollars: { openAttributed: 5000, suspectAttributed: 0, openUnattributed: 0, suspectUnattributed: 0 }, partnerComparison: [] };
    writeFileSync(join(providers, 'providers-summary.json'), JSON.stringify(summary));
    const html = join(tempDir('report'), 'report.html');
    await writeReport(dir, html, undefined, 20, providers);
    const text = readFileSync(html, 'utf8');
    expect(text.indexOf('data-section="providers"')).toBeGreaterThan(text.indexOf('data-table="outreach"'));
    expect(text.indexOf('data-section="providers"')).toBeLessThan(text.indexOf('data-section="definitions"'));
    expect(text).toContain('<tr data-npi="1000000001"><td>Dr X (1000000001)</td>');
    await expect(writeReport(dir, html, undefined, 20, tempDir('empty'))).rejects.toThrow(/providers\.csv is missing: --providers must be a folder from rafcast providers/);
  });

  it('puts the ACO REACH section (rafcast align) after the providers and before the definitions; without it, a note says how to add it', async () => {
    const dir = tempDir('evaluation');
    writeFileSync(join(dir, 'evaluation.json'), JSON.stringify(evaluation('mlp', 1)));
    const html = join(tempDir('report'), 'report.html');
    await writeReport(dir, html, undefined, 20, undefined, undefined, { alignment: alignFolder() });
    const text = readFileSync(html, 'utf8');
    expect(text.indexOf('<section data-section="aco">')).toBeGreaterThan(text.indexOf('data-table="outreach"'));
    expect(text.indexOf('<section data-section="aco">')).toBeLessThan(text.indexOf('data-section="definitions"'));
    expect(bodyText(text)).toContain('6 beneficiaries align to the entity for performance year 2026');
    expect(text).not.toContain('data-note="no-aco"');
    await writeReport(dir, html);
    const without = readFileSync(html, 'utf8');
    expect(without).not.toContain('<section data-section="aco">');
    expect(bodyText(without)).toContain('No ACO REACH alignment was given: rafcast report --alignment DIR (a rafcast align folder)');
  });

  it('shows the three columns of the outreach members shown, from --suspects and --known-history, and refuses suspects of another as-of', async () => {
    // The member of evaluation/explain/three-columns.test.ts, figures worked there by hand: x1, a man
    // of 71 in 2024, non-dual, community, as-of 2025 (payment year 2026, base rate $10,402.34): HCC
    // 226 coded in 2024 (280 in 2023 only, a drop-off), suspects 226 recapture, 280 drop_off, 38
    // medication. x2 has no history row in 2023 or 2024: not shown, and said so.
    const dir = tempDir('evaluation');
    writeFileSync(join(dir, 'evaluation.json'), JSON.stringify({ ...evaluation('mlp', 1), asOf: 2025, paymentYear: 2026 }));
    const candidates = tempDir('candidates');
    writeFileSync(join(candidates, 'outreach.csv'), 'priority,member_id,expected_dollars,probability,member_provider_npi,reasons,hccs\n1,x1,900.00,0.9,,,\n2,x2,800.00,0.8,,,\n');
    const suspects = tempDir('suspects');
    writeFileSync(join(suspects, 'suspects.csv'), 'member_id,hcc,description,evidence_type,detail,dollars\nx1,226,HF,recapture,,1\nx1,280,COPD,drop_off,,1\nx1,38,Diabetes,medication,,1\nx2,38,Diabetes,lab,,1\n');
    writeFileSync(join(suspects, 'suspects-summary.json'), JSON.stringify({ asOf: 2025, dataThrough: '2025-01-01', annualBaseRate: BASE }));
    const known = tempDir('known');
    writeFileSync(join(known, 'history.json'), JSON.stringify({ dataThrough: '2025-01-01' }));
    const db = await openDuckDb();
    await db.connection.run(`COPY (SELECT * FROM (VALUES ('x1', 2024, 'V28', 226), ('x1', 2023, 'V28', 280), ('x1', 2024, 'V24', 85), ('x2', 2024, 'V28', 226)) t(member_id, year, model, hcc))
      TO ${sqlString(join(known, 'raf_hcc.parquet'))} (FORMAT parquet)`);
    await db.connection.run(`COPY (SELECT 'x1' AS member_id, 2024 AS year, 'M' AS sex, 71 AS age, '0' AS orec, 'none' AS dual_status, false AS institutional)
      TO ${sqlString(join(known, 'raf_history.parquet'))} (FORMAT parquet)`);
    db.close();
    const html = join(tempDir('report'), 'report.html');
    await writeReport(dir, html, candidates, 10, undefined, { suspects, knownHistory: known });
    const text = readFileSync(html, 'utf8');
    expect(text.indexOf('data-section="three-columns"')).toBeGreaterThan(text.indexOf('data-table="outreach"'));
    const row = bodyText(text.slice(text.indexOf('<tr data-member="x1">'), text.indexOf('</tr>', text.indexOf('<tr data-member="x1">')))).trim().split(/\s+/);
    // Demographics only 0.349, $302.53, $3,630.42; plus HCC 226 0.667, $578.20, $6,938.36; with
    // every suspect (38, 226, 280 and the interactions) 1.262, $1,093.98, $13,127.75.
    expect(row.slice(0, 11)).toEqual(['x1', '226', '0.349', '$302.53', '$3,630.42', '0.667', '$578.20', '$6,938.36', '1.262', '$1,093.98', '$13,127.75']);
    expect(text).not.toContain('data-member="x2"');
    expect(text).toContain('1 of the 2 members have no history row in 2023 or 2024');
    writeFileSync(join(suspects, 'suspects-summary.json'), JSON.stringify({ asOf: 2024, dataThrough: '2024-01-01', annualBaseRate: BASE }));
    await expect(writeReport(dir, html, candidates, 10, undefined, { suspects, knownHistory: known })).rejects.toThrow(/holds the suspects of as-of 2024, not of the evaluation's as-of 2025/);
  });

  it('sums the candidate list\'s expected columns to the cent', () => {
    // 0.29 + 0.58 = 0.87 in cents (29 + 58 = 87); added as dollars x 100 it is 0.8699999999999999.
    // The column not named expected_* is not summed.
    expect(candidateTotals('member_id,expected_dollars,other\nA,0.29,5\nB,0.58,6\n')).toEqual({ members: 2, expected: { expected_dollars: 0.87 }, rankBy: 'probability' });
    expect(candidateTotals('member_id,expected_dollars,rank_by\nA,0.29,dollars\n').rankBy).toBe('dollars');
  });

  it('sets a list ranked by dollars beside the dollars-ranked list\'s measured figures, not the model\'s', async () => {
    const e = evaluation('mlp', 1);
    const dollarsList = e.lists.find((l) => l.name === 'dollars')!;
    expect(dollarsList.revenue.accelerated.total).not.toBe(e.lists[0]!.revenue.accelerated.total);
    const html = await renderReport(e, [], { members: 40, expected: { expected_accelerated: 100 }, rankBy: 'dollars' });
    const section = bodyText(html.slice(html.indexOf('data-section="candidates"'))).replace(/\s+/g, ' ');
    expect(section).toContain('the same members as the list ranked by dollars above (its top 20% by expected dollars)');
    // $100 expected against the dollars list's measured accelerated dollars.
    expect(section).toContain(`$100 $${Math.round(dollarsList.revenue.accelerated.total).toLocaleString('en-US')}`);
  });
});
