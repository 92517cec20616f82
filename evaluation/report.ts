// `rafcast report`: one self-contained HTML file (no script, no network at view time) from one
// evaluation or several (a run's models, each an evaluation folder), written for a finance
// analyst: every term in plain words, every denominator stated, accelerated and incremental
// dollars never added. It holds the verdicts, the headline figures beside the paper's, lift and
// cumulative-gain curves, precision at k, the decile table, every model's and baseline list's
// dollars, the monthly cash view, the candidate list's expected dollars beside the measured ones,
// the top of the outreach list (with the three-column illustration of its members when the
// suspects and the known history are given: report-three-columns.ts), and the definitions. Charts are Vega-Lite specifications rendered
// to inline SVG in Node by Vega.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomically } from '../data/atomic-file.ts';
import { ConfigError } from '../data/errors.ts';
import type { Evaluation, ListEvaluation } from './evaluation-types.ts';
import { dollars, percent, plainWords, signedDollars } from './format.ts';
import { MONTHS_EARLIER } from './revenue.ts';
import { colorScale, lineChart, shownLists, svg, type Shown } from './report-charts.ts';
import { candidateTotals, outreachRows, type CandidateTotals, type OutreachRow } from './report-candidates.ts';
import { providersSection, readProviders } from './report-providers.ts';
import { acoSection, NO_ACO_NOTE, readAco, type AcoDirs } from './report-aco.ts';
import { threeColumnsSection, type IllustrationInputs } from './report-three-columns.ts';


const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const money = (x: number): string => dollars(x, 0);
const count = (x: number): string => x.toLocaleString('en-US');
const pct = percent;

/**
 * The method paper's case (DOMAIN.md section 4): 2014-2015 data predicting 2016. The project
 * records no title for the paper (DOMAIN.md section 3 calls it "the paper in the seeds"), so the
 * report cites it by that description.
 */
export const PAPER = {
  citation: 'the early-prediction method paper described in DOMAIN.md section 3 (the project records no title for it)',
  shareWithPotential: 0.41,
  membersWithPotential: 2048,
  incrementalDollars: 12_690_000,
  acceleratedDollars: 5_000_000,
};

/** What the report shows of a group's metrics (evaluation-types.ts's GroupMetrics). */
interface GroupFigures {
  listed: number;
  precision: number | null;
  recall: number | null;
  auc: number | null;
}

/** A list's share of a reference list's dollars, by kind ("n/a" when the reference brought none or it is not measurable); empty for evaluations without shares. */
const sharesText = (l: ListEvaluation, ref: 'perfect' | 'ceiling'): string => {
  const c = l.captured?.[ref];
  if (c === undefined) return '';
  const f = (x: number | null) => (x === null ? 'n/a' : pct(x));
  return `${f(c.accelerated)} / ${f(c.incremental)}`;
};

/** Incremental dollars, or "not measurable". */
const incrementalText = (l: ListEvaluation): string => (l.revenue.incremental.total === null ? 'not measurable' : money(l.revenue.incremental.total));

/**
 * The report's HTML: one evaluation, or several (a run's models; the first gives the baselines, the cash view and the candidates);
 * `providers`, the provider section's HTML (report-providers.ts), goes before the definitions;
 * `illustration`, the three-column section's HTML (report-three-columns.ts), after the outreach list;
 * `aco`, the ACO REACH section's HTML (report-aco.ts), after the providers ('': a note that none was given).
 */
export async function renderReport(
  given: Evaluation | readonly Evaluation[],
  outreach: readonly OutreachRow[] = [],
  candidates: CandidateTotals | null = null,
  providers = '',
  illustration = '',
  aco = '',
): Promise<string> {
  const evaluations: readonly Evaluation[] = Array.isArray(given) ? given : [given as Evaluation];
  const e = evaluations[0];
  if (e === undefined) throw new ConfigError('a report needs at least one evaluation');
  const T = e.asOf;
  const PY = e.paymentYear;
  const lists = shownLists(evaluations);
  const models = lists.filter((s) => s.list.name === 'model');
  const first = models[0];
  if (first === undefined) throw new ConfigError("the evaluation has no model's list");

  const curve = (f: (l: ListEvaluation, d: number) => number) => lists.flatMap((s) => s.list.metrics.deciles.map((_, d) => ({ list: s.key, x: (d + 1) / 10, value: f(s.list, d) })));
  const cumulative = (l: ListEvaluation, d: number) => {
    let pos = 0;
    let mem = 0;
    for (let k = 0; k <= d; k++) {
      pos += l.metrics.deciles[k]!.positives;
      mem += l.metrics.deciles[k]!.members;
    }
    return mem === 0 ? 0 : pos / mem;
  };
  const lift = await svg(lineChart('Lift by decile', lists, 'lift', curve((l, d) => l.metrics.deciles[d]!.lift).map((r) => ({ ...r, lift: r.value }))));
  const gainValues = [...lists.map((s) => ({ list: s.key, x: 0, 'cumulative gain': 0 })), ...curve((l, d) => l.metrics.deciles[d]!.cumulativeGain).map((r) => ({ list: r.list, x: r.x, 'cumulative gain': r.value }))];
  const gain = await svg(lineChart('Cumulative gain', lists, 'cumulative gain', gainValues, '.0%'));
  const precision = await svg(lineChart('Precision at k', lists, 'precision', curve(cumulative).map((r) => ({ ...r, precision: r.value })), '.0%'));
  const dollarsChart = await svg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Dollars by list, payment year ${PY} (two kinds, not added)`,
    width: 460,
    height: 240,
    data: {
      values: lists.flatMap((s) => [
        { list: s.key, kind: 'accelerated (moved to January)', dollars: s.list.revenue.accelerated.total },
        // Not measurable is left out of the chart, not drawn as 0.
        ...(s.list.revenue.incremental.total === null ? [] : [{ list: s.key, kind: 'incremental (gained)', dollars: s.list.revenue.incremental.total }]),
      ]),
    },
    mark: 'bar',
    encoding: {
      x: { field: 'kind', type: 'nominal', title: null },
      xOffset: { field: 'list' },
      y: { field: 'dollars', type: 'quantitative', axis: { format: '$,.0f' } },
      color: { field: 'list', type: 'nominal', scale: colorScale(lists) },
    },
  } as TopLevelSpec);
  const fm = first.list.revenue;
  const cash = await svg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Cash by month for ${first.label}, payment year ${PY}`,
    width: 520,
    height: 240,
    data: {
      values: fm.cash.flatMap((m) => [
        { month: m.month, run: 'initial score', dollars: m.initial },
        { month: m.month, run: 'mid-year score', dollars: m.midYear },
        { month: m.month, run: 'August lump sum', dollars: m.lumpSum },
      ]),
    },
    mark: 'bar',
    encoding: {
      x: { field: 'month', type: 'ordinal', title: null },
      y: { field: 'dollars', type: 'quantitative', stack: 'zero', axis: { format: '$,.0f' } },
      color: { field: 'run', type: 'nominal', scale: { domain: ['initial score', 'mid-year score', 'August lump sum'], range: ['#8b949e', '#1f6feb', '#bf8700'] } },
    },
  } as TopLevelSpec);

  // Plain words for the symbols (no T, c or RAF_y unexplained).
  const cText =
    e.c === null
      ? `The growth ratio c is not measurable: ${esc(plainWords(e.cNotMeasurable ?? `the data has no risk scores for ${T + 1}`))}. Incremental revenue, which needs it, is not measurable either (shown as "not measurable", never as $0).`
      : `The growth ratio c = ${e.c.toFixed(4)}: the mean risk score of ${T + 1} divided by the mean risk score of ${T}, over the ${count(e.withBothYears)} members of the plan (not only of a list) with a score in both years.`;
  const withPotential = (s: Shown) => {
    const inc = s.list.revenue.incremental;
    return inc.members === null ? 'not measurable' : `${pct(inc.share!)} (${count(inc.members)} of ${count(s.list.revenue.members)})`;
  };
  const withPotentialBoth = (s: Shown) => {
    const inc = s.list.revenue.incremental;
    return inc.members === null ? 'not measurable' : `${pct(inc.shareOfBothYears!)} (${count(inc.members)} of ${count(inc.withBothYears)})`;
  };
  const headline = `
    <table data-table="headline">
      <thead><tr><th></th>${models.map((s) => `<th>${esc(s.label)}</th>`).join('')}<th>the paper (2014-2015 data predicting 2016)</th></tr></thead>
      <tbody>
        <tr><td>members of the list with unrealized potential, over the whole list</td>${models.map((s) => `<td>${withPotential(s)}</td>`).join('')}<td>${pct(PAPER.shareWithPotential)} (${count(PAPER.membersWithPotential)})</td></tr>
        <tr><td>the same, over the list's members with a risk score in both ${T} and ${T + 1}</td>${models.map((s) => `<td>${withPotentialBoth(s)}</td>`).join('')}<td>not given</td></tr>
        <tr><td>incremental dollars (gained)</td>${models.map((s) => `<td>${incrementalText(s.list)}</td>`).join('')}<td>${money(PAPER.incrementalDollars)}</td></tr>
        <tr><td>accelerated dollars (paid in January instead of August)</td>${models.map((s) => `<td>${money(s.list.revenue.accelerated.total)}</td>`).join('')}<td>about ${money(PAPER.acceleratedDollars)}</td></tr>
      </tbody>
    </table>`;
  const revenueTable = `
    <table data-table="revenue">
      <thead><tr><th>list</th><th>members</th><th>precision (top 20%)</th><th>AUC</th><th>accelerated: moved to January</th><th>members with a lump sum</th><th>lump sums not paid (not enrolled in August ${PY})</th>` +
    `<th>incremental: gained</th><th>members above c: of the list / of those with both years</th><th>members with no risk score for ${T + 1} (died or left)</th>` +
    `<th>share of the perfect-knowledge list's dollars: accelerated / incremental</th><th>share of the ceiling list's dollars: accelerated / incremental</th><th>expected on January 1: accelerated / incremental</th></tr></thead>
      <tbody>${lists
        .map((s) => {
          const r = s.list.revenue;
          const inc = r.incremental;
          const above = inc.members === null ? 'not measurable' : `${count(inc.members)}: ${pct(inc.share!)} / ${pct(inc.shareOfBothYears!)} of ${count(inc.withBothYears)}`;
          return (
            `<tr data-list="${esc(s.key)}"><td>${esc(s.label)}<br><span class="sub">${esc(plainWords(s.list.description))}</span></td><td>${count(r.members)}</td><td>${pct(s.list.metrics.precision)}</td><td>${s.list.metrics.auc.toFixed(3)}</td>` +
            `<td>${money(r.accelerated.total)}</td><td>${count(r.accelerated.members)}</td><td>${money(r.accelerated.notEnrolledInAugust.dollars)} (${count(r.accelerated.notEnrolledInAugust.members)})</td>` +
            `<td>${incrementalText(s.list)}</td><td>${above}</td><td>${count(inc.noNextYear)}</td>` +
            `<td>${sharesText(s.list, 'perfect')}</td><td>${sharesText(s.list, 'ceiling')}</td><td>${s.list.expected === undefined ? '' : `${money(s.list.expected.accelerated)} / ${money(s.list.expected.incremental)}`}</td></tr>`
          );
        })
        .join('')}</tbody>
    </table>`;
  const verdicts = evaluations
    .map((ev, k) => {
      const s = models[k];
      return s === undefined ? '' : `<p class="verdict" data-model="${esc(s.key)}"><strong>${esc(s.key)}:</strong> <span>${esc(plainWords(ev.verdict))}</span></p>`;
    })
    .join('\n');
  // Continuing and new members apart (evaluation/lists.ts), when the evaluation has them.
  const groupsOf = (l: ListEvaluation): { continuing: GroupFigures; new: GroupFigures } | undefined => (l as { groups?: { continuing: GroupFigures; new: GroupFigures } }).groups;
  const groupRows = lists.filter((s) => groupsOf(s.list) !== undefined);
  const groupCell = (v: number | null, f: (x: number) => string) => (v === null ? 'none' : f(v));
  const groups =
    groupRows.length === 0
      ? ''
      : `<h2>Continuing and new members apart</h2>
    <p>Continuing members have a risk score for ${T - 1}; new members joined in ${T} and have none. The label is the same for both: a risk score of ${T} in the top 20% of all members.</p>
    <table data-table="groups">
      <thead><tr><th>list</th><th>continuing: listed</th><th>precision</th><th>recall</th><th>AUC</th><th>new: listed</th><th>precision</th><th>recall</th><th>AUC</th></tr></thead>
      <tbody>${groupRows
        .map((s) => {
          const g = groupsOf(s.list)!;
          const cells = (x: GroupFigures) => `<td>${count(x.listed)}</td><td>${groupCell(x.precision, pct)}</td><td>${groupCell(x.recall, pct)}</td><td>${groupCell(x.auc, (a) => a.toFixed(3))}</td>`;
          return `<tr><td>${esc(s.label)}</td>${cells(g.continuing)}${cells(g.new)}</tr>`;
        })
        .join('')}</tbody>
    </table>`;
  const deciles = `
    <table data-table="deciles">
      <thead><tr><th>decile</th>${lists.map((s) => `<th>${esc(s.key)}: members</th><th>${esc(s.key)}: in top 20%</th><th>${esc(s.key)}: lift</th>`).join('')}</tr></thead>
      <tbody>${first.list.metrics.deciles
        .map((_, d) => `<tr><td>${d + 1}</td>${lists.map((s) => { const r = s.list.metrics.deciles[d]; return r === undefined ? '<td></td><td></td><td></td>' : `<td>${r.members}</td><td>${r.positives}</td><td>${r.lift.toFixed(2)}</td>`; }).join('')}</tr>`)
        .join('')}</tbody>
    </table>`;
  const yearTotal = fm.cash.reduce((a, m) => a + Math.round(m.total * 100), 0) / 100;
  const cashTable = `
    <table data-table="cash">
      <thead><tr><th>month</th><th>initial score</th><th>mid-year score</th><th>August lump sum (net)</th><th>total</th></tr></thead>
      <tbody>${fm.cash.map((m) => `<tr><td>${m.month}</td><td>${money(m.initial)}</td><td>${money(m.midYear)}</td><td>${money(m.lumpSum)}</td><td>${money(m.total)}</td></tr>`).join('')}</tbody>
      <tfoot><tr><th>year ${PY}</th><th></th><th></th><th></th><th>${money(yearTotal)}</th></tr></tfoot>
    </table>`;
  const august = fm.cash[7]?.lumpSum ?? 0;
  const lumpNote = `<p data-note="lump-sum">The August lump sum is, for each member, 6 x (mid-year monthly payment - initial monthly payment): the January-June difference paid at once.
    It is negative for a member whose mid-year score came out below the initial one: CMS takes back what it overpaid for January-June.
    The August figure above is net: ${money(fm.accelerated.total)} of positive lump sums paid to ${count(fm.accelerated.members)} members (the list's accelerated revenue)
    ${fm.accelerated.negative.members === 0 ? 'and no negative one' : `and ${money(fm.accelerated.negative.total)} taken back from ${count(fm.accelerated.negative.members)} members`}, ${money(august)} in all.
    Members are paid only in the months they are enrolled and alive (counted from January); ${count(fm.accelerated.notEnrolledInAugust.members)} members of the list
    whose lump sum would have been positive (${money(fm.accelerated.notEnrolledInAugust.dollars)}) are not enrolled in August ${PY} and are paid none.</p>`;
  const candidateSection = candidatesText(candidates, first, e);
  const outreachTable =
    outreach.length === 0
      ? '<p data-table="outreach">No outreach list was given (rafcast report --candidates DIR adds its top).</p>'
      : `<table data-table="outreach">
      <thead><tr><th>priority</th><th>member</th><th>expected dollars</th><th>probability of the top 20%</th><th>member's provider</th><th>why listed</th><th>HCCs to recapture</th></tr></thead>
      <tbody>${outreach.map((o) => `<tr><td>${esc(o.priority)}</td><td>${esc(o.member)}</td><td>${esc(o.dollars)}</td><td>${esc(o.probability)}</td><td>${esc(o.provider)}</td><td class="why">${esc(o.reasons).replace(/ \| /g, '<br>')}</td><td>${esc(o.hccs)}</td></tr>`).join('')}</tbody>
    </table>`;
  const definitions = `
    <dl data-section="definitions">
      <dt>As-of year (${T})</dt><dd>The list is drawn up on January 1, ${T}, from data dated before then; this backtest checks it against what ${T} and ${T + 1} turned out to be.</dd>
      <dt>Risk score of a year (RAF_${T} is the risk score of ${T})</dt><dd>The member's CMS-HCC payment score from the diagnoses with dates of service in that year; the risk score of ${T} sets the payments of payment year ${PY}.</dd>
      <dt>Top 20%</dt><dd>The members whose risk score of ${T} is in the highest fifth of all members enrolled in ${T}: what each list tries to find.</dd>
      <dt>Payment year ${PY}</dt><dd>January-June are paid at the initial score (dates of service July ${T - 1}-June ${T}), July-December at the mid-year score (all of ${T}), and in August a lump sum settles January-June.</dd>
      <dt>Accelerated revenue (dollars moved earlier)</dt><dd>The positive August lump sums of the list's members enrolled and alive in August ${PY}. The plan receives them anyway, in August; documenting the conditions in the first half of ${T} would have paid them from January, ${MONTHS_EARLIER} months earlier. Not added to incremental revenue.</dd>
      <dt>Incremental revenue (dollars gained)</dt><dd>For a listed member whose risk score grew faster than the plan's, from ${T} to ${T + 1}, by more than the growth ratio c: (risk score of ${T + 1} - c x risk score of ${T}) x the base rate. Money the plan did not receive for ${T}; counted over the list's members with a score in both years, its share given over them and over the whole list.</dd>
      <dt>Growth ratio c</dt><dd>The mean risk score of ${T + 1} over the mean of ${T}, over every member of the plan with a score in both years.</dd>
      <dt>Months enrolled and alive</dt><dd>The data gives months enrolled per year: a member is taken as enrolled from January of ${PY} for that many consecutive months, and never after the month of death. Monthly payments count only those months; the August lump sum only a member enrolled in August.</dd>
      <dt>Not measurable</dt><dd>A figure the data cannot give (no risk scores for ${T + 1}): shown as "not measurable" with the reason, never as $0.</dd>
      <dt>The list ranked by dollars</dt><dd>The members whose early documentation is expected to bring the most, accelerated and incremental together, from data dated before ${T} only: their open conditions priced and weighted by how often the plan codes them again, and their risk score of ${T - 1}, through two regressions fitted two years earlier on what each member then brought. Its expected dollars sit beside the measured ones.</dd>
      <dt>The ceiling list</dt><dd>The members who in fact brought the most accelerated and incremental dollars together (the positive August lump sum of ${PY} and the gap above c): no list drawn up on January 1 can know them, so it is a reference, like perfect knowledge, not a baseline. A list's share of it says how much of the reachable money the list found.</dd>
      <dt>Precision, AUC, lift</dt><dd>Precision: the share of a list's members who are in the top 20%. AUC: the chance that a member of the top 20% ranks above one who is not. Lift: a decile's share of top-20% members over the overall share.</dd>
    </dl>`;
  const figure = (name: string, body: string, caption: string) => `<figure data-chart="${name}">${body}<figcaption>${esc(caption)}</figcaption></figure>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rafcast backtest, as-of year ${T}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#1f2328;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
.sub{color:#57606a} .verdict{font-size:1.05rem;background:#f6f8fa;border-left:4px solid #1f6feb;padding:.6rem 1rem}
table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums} th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:right;vertical-align:top}
th{background:#f6f8fa} td:first-child,th:first-child{text-align:left} table[data-table=outreach] td:last-child,td.why{text-align:left;max-width:520px}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem} figure{margin:0} figcaption{color:#57606a;font-size:.85rem;max-width:520px}
dt{font-weight:600;margin-top:.5rem} dd{margin-left:1.2rem}
</style></head>
<body>
<h1>Early risk-score prediction: backtest of the list drawn up on January 1, ${T}</h1>
<p class="sub">${count(e.members)} members enrolled in ${T}; lists of ${count(e.listSize)} (the top 20%); models: ${models.map((s) => esc(s.key)).join(', ')} (run ${esc(e.run.id)}, seed ${e.run.seed}, backend ${esc(e.run.backend)});
base rate ${dollars(e.annualBaseRate)} a year per member. Payment year ${PY}.</p>
<p class="sub" data-note="c">${cText}</p>
${e.enrollmentAssumed ? `<p class="sub" data-note="enrollment">Months paid in ${PY}: ${esc(e.enrollmentAssumed.assumption)} (${count(e.enrollmentAssumed.members)} members); the dollars of ${PY} rest on it.</p>` : ''}
${verdicts}
<h2>Headline, beside the paper's</h2>
<p class="sub">The paper: ${esc(PAPER.citation)}.</p>${headline}
<h2>How well the lists rank</h2>
<div class="charts">
${figure('lift', lift, 'Share of top-20% members in each decile over the overall share.')}
${figure('gain', gain, 'Share of all top-20% members found in the top k of each list.')}
${figure('precision', precision, 'Precision of the top k% of each list.')}
</div>
${groups}
<h2>Deciles</h2>${deciles}
<h2>Dollars by list</h2>
<div class="charts">${figure('dollars', dollarsChart, `Accelerated: positive August lump sums of members enrolled in August, moved to January. Incremental: gaps above the growth ratio c, priced at the annual base rate${e.c === null ? ' (not measurable here, so not drawn)' : ''}. Two kinds of money, never added.`)}</div>
${revenueTable}
<h2>Cash by month, payment year ${PY}</h2>
<div class="charts">${figure('cash', cash, 'January-June paid at the initial score, July-December at the mid-year score, the net lump sum in August; each member only in the months enrolled and alive.')}</div>
${cashTable}
${lumpNote}
<h2>The candidate list's expected dollars beside the measured ones</h2>${candidateSection}
<h2>Top of the outreach list</h2>${outreachTable}
${illustration === '' ? '' : `<h2>Top of the outreach list: the value of complete documentation</h2>${illustration}`}
${providers}
${aco === '' ? `<h2>ACO REACH</h2>${NO_ACO_NOTE}` : aco}
<h2>Definitions</h2>${definitions}
<p class="sub">Inputs: run fingerprint ${esc(e.run.fingerprint.slice(0, 16))}${e.truthFingerprint ? `, truth ${esc(e.truthFingerprint.slice(0, 16))}` : ''}. Definitions: DOMAIN.md section 4.</p>
</body></html>
`;
}

/** What each expected column of candidates.csv is (evaluation/candidate-value.ts), in words. */
const CANDIDATE_COLUMNS: Record<string, string> = {
  expected_accelerated: 'accelerated (moved to January)',
  expected_incremental: 'incremental (gained)',
  expected_dollars: "the outreach list's ranking figure",
};

/** Why the candidate list's expected dollars and the backtest's measured dollars differ, with both. */
function candidatesText(c: CandidateTotals | null, first: Shown, e: Evaluation): string {
  if (c === null) return '<p data-section="candidates">No candidate list was given (rafcast report --candidates DIR adds its totals).</p>';
  // The candidate list is the first model's list, or (rank_by dollars) the list ranked by dollars.
  const byDollars = c.rankBy === 'dollars' ? e.lists.find((l) => l.name === 'dollars') : undefined;
  const shown = byDollars === undefined ? first : { ...first, label: 'the list ranked by dollars', list: byDollars };
  const r = shown.list.revenue;
  const T = e.asOf;
  const rows = Object.entries(c.expected).map(([col, total]) => {
    const measured = col === 'expected_accelerated' ? r.accelerated.total : col === 'expected_incremental' ? r.incremental.total : undefined;
    const kind = CANDIDATE_COLUMNS[col] ?? col.replace(/^expected_/, '');
    const m = measured === undefined ? 'not measured as such' : measured === null ? 'not measurable' : money(measured);
    const d = measured === undefined || measured === null ? '' : signedDollars(total - measured, 0);
    return `<tr><td>${esc(kind)} <span class="sub">(${esc(col)})</span></td><td>${money(total)}</td><td>${m}</td><td>${d}</td></tr>`;
  });
  const sameSize = c.members === r.members;
  return `<div data-section="candidates">
    <p>The candidate list (candidates.csv) holds ${count(c.members)} members${sameSize ? `, the same members as ${esc(shown.label)} above (its top 20% by ${byDollars === undefined ? 'probability' : 'expected dollars'})` : `; ${esc(shown.label)} above holds ${count(r.members)}`}.
    Its expected dollars are a forecast made on January 1, ${T} from the conditions coded in ${T - 2} and ${T - 1} (rafcast candidates);
    the dollars above are measured afterwards, from the risk scores of ${T} and ${T + 1}, for members enrolled and alive in ${T + 1}.
    They are not expected to agree: the forecast cannot know new conditions, who will die or leave, or the growth ratio c, and the measure does not look at which conditions were open.
    The difference below is the forecast's error on this backtest, not an error in either figure.</p>
    <table data-table="candidates">
      <thead><tr><th>expected (forecast)</th><th>total</th><th>measured in this backtest</th><th>forecast - measured</th></tr></thead>
      <tbody>${rows.join('')}</tbody>
    </table></div>`;
}

/**
 * Writes the report of one evaluation folder or several (a run's models, the first giving the
 * baselines and the cash view), and, when given, a candidates folder and a providers folder (its
 * section), the suspects and known history for the outreach members' three columns, and the ACO
 * REACH folders (align, benchmark, align-backtest: its section), to `out`, owner-only.
 */
export async function writeReport(
  evaluationDirs: string | readonly string[],
  out: string,
  candidatesDir?: string,
  top = 20,
  providersDir?: string,
  illustrationInputs?: IllustrationInputs,
  acoDirs?: AcoDirs,
): Promise<void> {
  const dirs = typeof evaluationDirs === 'string' ? [evaluationDirs] : evaluationDirs;
  const evaluations = dirs.map((d) => JSON.parse(readFileSync(join(d, 'evaluation.json'), 'utf8')) as Evaluation);
  let outreach: OutreachRow[] = [];
  let candidates: CandidateTotals | null = null;
  if (candidatesDir !== undefined) {
    const file = join(candidatesDir, 'outreach.csv');
    if (!existsSync(file)) throw new ConfigError(`${file} is missing: run rafcast candidates first`);
    outreach = outreachRows(readFileSync(file, 'utf8'), top);
    const list = join(candidatesDir, 'candidates.csv');
    if (existsSync(list)) candidates = candidateTotals(readFileSync(list, 'utf8'));
  }
  const providers = providersDir === undefined ? '' : await providersSection(readProviders(providersDir), top);
  const illustration = illustrationInputs === undefined ? '' : await threeColumnsSection(outreach.map((o) => o.member), evaluations[0]!.asOf, illustrationInputs);
  const aco = acoDirs === undefined ? '' : await acoSection(readAco(acoDirs, top), top);
  const html = await renderReport(evaluations, outreach, candidates, providers, illustration, aco);
  await mkdir(dirname(out), { recursive: true });
  await writeFileAtomically(out, html);
}
