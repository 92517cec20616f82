// `rafcast report`: one self-contained HTML file (no script, no network at view time) from an
// evaluation: the headline figures beside the paper's, lift and cumulative-gain curves, precision
// at k, the decile table, accelerated and incremental dollars for the model, naive and
// perfect-knowledge lists, the monthly cash view, and the top of the outreach list. Charts are
// Vega-Lite specifications rendered to inline SVG in Node by Vega.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomically } from '../data/atomic-file.ts';
import { parseCsv } from '../data/csv.ts';
import { ConfigError } from '../data/errors.ts';
import type { Evaluation, ListEvaluation } from './evaluation-types.ts';
import { dollars, percent } from './format.ts';

/** The method paper's case (DOMAIN.md section 4): 2014-2015 data predicting 2016. */
export const PAPER = { shareWithPotential: 0.41, membersWithPotential: 2048, incrementalDollars: 12_690_000, acceleratedDollars: 5_000_000 };

const COLORS = { model: '#1f6feb', naive: '#8b949e', perfect: '#2da44e' } as const;
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const money = (x: number): string => dollars(x, 0);
const pct = percent;

async function svg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const out = await view.toSVG();
  view.finalize();
  return out;
}

const colorScale = (lists: readonly ListEvaluation[]) => ({
  domain: lists.map((l) => l.name),
  range: lists.map((l) => COLORS[l.name]),
});

function lineChart(title: string, lists: readonly ListEvaluation[], y: string, values: Record<string, unknown>[], format = '.2f'): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'top share of members', axis: { format: '.0%' } },
      y: { field: y, type: 'quantitative', title: y, axis: { format } },
      color: { field: 'list', type: 'nominal', scale: colorScale(lists) },
    },
  } as TopLevelSpec;
}

export interface OutreachRow {
  priority: string;
  member: string;
  dollars: string;
  provider: string;
  hccs: string;
}

/** The report's HTML. */
export async function renderReport(e: Evaluation, outreach: readonly OutreachRow[] = []): Promise<string> {
  const lists = e.lists;
  const curve = (f: (l: ListEvaluation, d: number) => number) =>
    lists.flatMap((l) => l.metrics.deciles.map((_, d) => ({ list: l.name, x: (d + 1) / 10, value: f(l, d) })));
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
  const gainValues = [...lists.map((l) => ({ list: l.name, x: 0, 'cumulative gain': 0 })), ...curve((l, d) => l.metrics.deciles[d]!.cumulativeGain).map((r) => ({ list: r.list, x: r.x, 'cumulative gain': r.value }))];
  const gain = await svg(lineChart('Cumulative gain', lists, 'cumulative gain', gainValues, '.0%'));
  const precision = await svg(lineChart('Precision at k', lists, 'precision', curve(cumulative).map((r) => ({ ...r, precision: r.value })), '.0%'));
  const dollars = await svg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Revenue opportunity by list (payment year ${e.paymentYear})`,
    width: 420,
    height: 240,
    data: {
      values: lists.flatMap((l) => [
        { list: l.name, kind: 'accelerated', dollars: l.revenue.accelerated.total },
        { list: l.name, kind: 'incremental', dollars: l.revenue.incremental.total },
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
  const model = lists.find((l) => l.name === 'model')!;
  const cash = await svg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Cash by month for the model's list, payment year ${e.paymentYear}`,
    width: 520,
    height: 240,
    data: {
      values: model.revenue.cash.flatMap((m) => [
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

  const headline = `
    <table data-table="headline">
      <thead><tr><th></th><th>this backtest (model's list)</th><th>the paper</th></tr></thead>
      <tbody>
        <tr><td>share of the list with unrealized potential</td><td>${pct(model.revenue.incremental.share)} (${model.revenue.incremental.members.toLocaleString('en-US')} of ${model.revenue.members.toLocaleString('en-US')})</td><td>${pct(PAPER.shareWithPotential)} (${PAPER.membersWithPotential.toLocaleString('en-US')})</td></tr>
        <tr><td>incremental dollars</td><td>${money(model.revenue.incremental.total)}</td><td>${money(PAPER.incrementalDollars)}</td></tr>
        <tr><td>accelerated dollars</td><td>${money(model.revenue.accelerated.total)}</td><td>about ${money(PAPER.acceleratedDollars)}</td></tr>
      </tbody>
    </table>`;
  const revenueTable = `
    <table data-table="revenue">
      <thead><tr><th>list</th><th>precision@20%</th><th>AUC</th><th>accelerated</th><th>members with a lump sum</th><th>incremental</th><th>members above c</th><th>no RAF ${e.asOf + 1} (counted as documented)</th></tr></thead>
      <tbody>${lists
        .map(
          (l) =>
            `<tr><td>${esc(l.description)}</td><td>${pct(l.metrics.precision)}</td><td>${l.metrics.auc.toFixed(3)}</td><td>${money(l.revenue.accelerated.total)}</td><td>${l.revenue.accelerated.members}</td>` +
            `<td>${money(l.revenue.incremental.total)}</td><td>${l.revenue.incremental.members} (${pct(l.revenue.incremental.share)})</td><td>${l.revenue.incremental.noNextYear}</td></tr>`,
        )
        .join('')}</tbody>
    </table>`;
  const deciles = `
    <table data-table="deciles">
      <thead><tr><th>decile</th>${lists.map((l) => `<th>${l.name}: members</th><th>${l.name}: in top 20%</th><th>${l.name}: lift</th>`).join('')}</tr></thead>
      <tbody>${model.metrics.deciles
        .map((_, d) => `<tr><td>${d + 1}</td>${lists.map((l) => { const r = l.metrics.deciles[d]!; return `<td>${r.members}</td><td>${r.positives}</td><td>${r.lift.toFixed(2)}</td>`; }).join('')}</tr>`)
        .join('')}</tbody>
    </table>`;
  const cashTable = `
    <table data-table="cash">
      <thead><tr><th>month</th><th>initial score</th><th>mid-year score</th><th>August lump sum</th><th>total</th></tr></thead>
      <tbody>${model.revenue.cash.map((m) => `<tr><td>${m.month}</td><td>${money(m.initial)}</td><td>${money(m.midYear)}</td><td>${money(m.lumpSum)}</td><td>${money(m.total)}</td></tr>`).join('')}</tbody>
    </table>`;
  const outreachTable = outreach.length === 0
    ? '<p data-table="outreach">No outreach list was given (rafcast report --candidates DIR adds its top).</p>'
    : `<table data-table="outreach">
      <thead><tr><th>priority</th><th>member</th><th>expected dollars</th><th>member's provider</th><th>HCCs to recapture</th></tr></thead>
      <tbody>${outreach.map((o) => `<tr><td>${esc(o.priority)}</td><td>${esc(o.member)}</td><td>${esc(o.dollars)}</td><td>${esc(o.provider)}</td><td>${esc(o.hccs)}</td></tr>`).join('')}</tbody>
    </table>`;
  const figure = (name: string, body: string, caption: string) => `<figure data-chart="${name}">${body}<figcaption>${esc(caption)}</figcaption></figure>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rafcast backtest, as-of ${e.asOf}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#1f2328;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
.sub{color:#57606a} .verdict{font-size:1.05rem;background:#f6f8fa;border-left:4px solid #1f6feb;padding:.6rem 1rem}
table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums} th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:right;vertical-align:top}
th{background:#f6f8fa} td:first-child,th:first-child{text-align:left} table[data-table=outreach] td:last-child{text-align:left;max-width:520px}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem} figure{margin:0} figcaption{color:#57606a;font-size:.85rem;max-width:520px}
</style></head>
<body>
<h1>Early RAF prediction: backtest at as-of ${e.asOf}</h1>
<p class="sub">${e.members.toLocaleString('en-US')} members; lists of ${e.listSize.toLocaleString('en-US')} (the top 20%); run ${esc(e.run.id)} (${esc(e.run.model)}, seed ${e.run.seed}, backend ${esc(e.run.backend)});
base rate ${money(e.annualBaseRate)} a year; c = ${e.c.toFixed(4)} over ${e.withBothYears.toLocaleString('en-US')} members with RAF ${e.asOf} and ${e.asOf + 1}.</p>
<p class="verdict">${esc(e.verdict)}</p>
<h2>Headline, beside the paper's</h2>${headline}
<h2>How well the lists rank</h2>
<div class="charts">
${figure('lift', lift, 'Share of top-20% members in each decile over the overall share.')}
${figure('gain', gain, 'Share of all top-20% members found in the top k of each list.')}
${figure('precision', precision, 'Precision of the top k% of each list.')}
</div>
<h2>Deciles</h2>${deciles}
<h2>Revenue opportunity</h2>
<div class="charts">${figure('dollars', dollars, 'Accelerated: positive August lump sums. Incremental: gaps above c, priced at the annual base rate.')}</div>
${revenueTable}
<h2>Cash by month, payment year ${e.paymentYear}</h2>
<div class="charts">${figure('cash', cash, 'January-June paid at the initial score, July-December at the mid-year score, the lump sum in August.')}</div>
${cashTable}
<h2>Top of the outreach list</h2>${outreachTable}
<p class="sub">Inputs: run fingerprint ${esc(e.run.fingerprint.slice(0, 16))}${e.truthFingerprint ? `, truth ${esc(e.truthFingerprint.slice(0, 16))}` : ''}. Definitions: DOMAIN.md section 4.</p>
</body></html>
`;
}

/** Reads the top rows of an outreach.csv (rafcast candidates). */
export function outreachRows(csvText: string, top: number): OutreachRow[] {
  const rows: string[][] = [];
  // The header and `top` rows; then the parse stops.
  parseCsv(csvText, (fields) => {
    rows.push(fields);
    return rows.length <= top;
  });
  const head = rows[0] ?? [];
  const col = (name: string): number => head.indexOf(name);
  return rows.slice(1, top + 1).map((r) => ({
    priority: r[col('priority')] ?? '',
    member: r[col('member_id')] ?? '',
    dollars: `$${Number(r[col('expected_dollars')] ?? 0).toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
    provider: r[col('member_provider_npi')] ?? '',
    hccs: r[col('hccs')] ?? '',
  }));
}

/** Writes the report of an evaluation folder (and, when given, a candidates folder) to `out`, owner-only. */
export async function writeReport(evaluationDir: string, out: string, candidatesDir?: string, top = 20): Promise<void> {
  const e = JSON.parse(readFileSync(join(evaluationDir, 'evaluation.json'), 'utf8')) as Evaluation;
  let outreach: OutreachRow[] = [];
  if (candidatesDir !== undefined) {
    const file = join(candidatesDir, 'outreach.csv');
    if (!existsSync(file)) throw new ConfigError(`${file} is missing: run rafcast candidates first`);
    outreach = outreachRows(readFileSync(file, 'utf8'), top);
  }
  const html = await renderReport(e, outreach);
  await mkdir(dirname(out), { recursive: true });
  await writeFileAtomically(out, html);
}
