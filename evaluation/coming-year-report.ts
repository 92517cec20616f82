// The report of the list for the coming year (issue 14, "the list for the coming year"): on
// January 1 of T, with no data dated in T, the candidate list and what it is expected to bring in
// payment year T+1 by month (DOMAIN.md section 2), the membership of T it rests on, the last
// backtest's measured figures when a backtest run is given, and every figure that needs RAF_T or
// RAF_{T+1} marked "not yet known".
//
// By month, from candidates.csv's expected dollars (evaluation/candidate-value.ts), outreach
// assumed to document the open HCCs in January-June of T so that they are in the initial window:
// - expected_accelerated is paid in January-June of T+1 (a sixth each month) instead of in the
//   August lump sum of T+1: the August column shows it as paid later without outreach, never added;
// - expected_incremental is a year of payment that would otherwise never come: a twelfth each
//   month of T+1.
// Each split is in cents, the cents left over going to the first months, so the months add up to
// the list's totals exactly.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../data/atomic-file.ts';
import { parseCsvObjects } from '../data/csv.ts';
import { ConfigError } from '../data/errors.ts';
import type { AsOfEnrollment } from '../features/population.ts';
import { LUMP_SUM_MONTH } from './enrolled-months.ts';
import type { Evaluation } from './evaluation-types.ts';
import { dollars, listLabel, percent, probability } from './format.ts';

export const NOT_YET_KNOWN = 'not yet known';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** One month of payment year T+1: the list's expected dollars paid in it. */
export interface ExpectedMonth {
  month: string;
  /** expected_accelerated paid this month with outreach (January-June). */
  accelerated: number;
  /** Without outreach, the same dollars in the August lump sum (August only): moved, not added. */
  lumpSumWithout: number;
  /** expected_incremental paid this month (every month). */
  incremental: number;
}

/** `cents` split over `n` months: equal parts, the cents left over one each to the first months. */
function splitCents(cents: number, n: number): number[] {
  const base = Math.floor(cents / n);
  const left = cents - base * n;
  return Array.from({ length: n }, (_, i) => base + (i < left ? 1 : 0));
}

/** The list's expected dollars by month of payment year T+1 (totals in dollars, to the cent). */
export function expectedByMonth(accelerated: number, incremental: number): ExpectedMonth[] {
  const acc = splitCents(Math.round(accelerated * 100), 6);
  const inc = splitCents(Math.round(incremental * 100), 12);
  return MONTHS.map((month, i) => ({
    month,
    accelerated: (acc[i] ?? 0) / 100,
    lumpSumWithout: i === LUMP_SUM_MONTH - 1 ? Math.round(accelerated * 100) / 100 : 0,
    incremental: inc[i]! / 100,
  }));
}

/** candidates.csv's rows as the report reads them. */
interface ListRow {
  rank: number;
  probability: number;
  rafT1: string;
  openHccs: number;
  accelerated: number;
  incremental: number;
}

function readList(file: string): ListRow[] {
  if (!existsSync(file)) throw new ConfigError(`${file} is missing: the report of the coming year needs the candidate list`);
  const rows = parseCsvObjects(readFileSync(file, 'utf8'));
  for (const name of ['rank', 'probability', 'raf_t1', 'open_hccs', 'expected_accelerated', 'expected_incremental']) {
    if (rows.length > 0 && !(name in rows[0]!)) throw new ConfigError(`${file} has no ${name} column`);
  }
  return rows.map((r) => ({
    rank: Number(r.rank),
    probability: Number(r.probability),
    rafT1: r.raf_t1 ?? '',
    openHccs: Number(r.open_hccs),
    accelerated: Number(r.expected_accelerated),
    incremental: Number(r.expected_incremental),
  }));
}

export interface ComingYearReportOptions {
  asOf: number;
  /** The run's candidates folder (candidates.csv). */
  candidates: string;
  /** The membership of T the list rests on (flow.json's asOfEnrollment). */
  asOfEnrollment?: AsOfEnrollment;
  /** Evaluations of the last backtest (evaluation.json of each model), when a backtest run is given. */
  backtest?: { folder: string; evaluations: Evaluation[] };
  out: string;
}

export interface ComingYearSummary {
  listed: number;
  expectedAccelerated: number;
  expectedIncremental: number;
  months: ExpectedMonth[];
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cell = (s: string): string => `<td>${esc(s)}</td>`;

/** Writes report.html for the coming year T; returns what it shows in figures. */
export async function writeComingYearReport(o: ComingYearReportOptions): Promise<ComingYearSummary> {
  const T = o.asOf;
  const list = readList(join(o.candidates, 'candidates.csv'));
  const cents = (f: (r: ListRow) => number): number => list.reduce((a, r) => a + Math.round(f(r) * 100), 0) / 100;
  const accelerated = cents((r) => r.accelerated);
  const incremental = cents((r) => r.incremental);
  const months = expectedByMonth(accelerated, incremental);
  const e = o.asOfEnrollment;
  const membership =
    e === undefined
      ? `The members of ${T}: as the data's enrollment gives them.`
      : e.source === 'data'
        ? `The members of ${T}: the data's enrollment of ${T} (what is known on January 1), ${e.members.toLocaleString('en-US')} members.`
        : `The members of ${T}: ${e.assumption ?? ''} (${e.members.toLocaleString('en-US')} members).`;
  const unknown = (what: string, needs: string): string => `<tr>${cell(what)}${cell(`${NOT_YET_KNOWN} (needs ${needs})`)}</tr>`;
  const backtest =
    o.backtest === undefined
      ? `<p>No backtest run was given: run one (rafcast run --as-of ${T - 2} on the same data) and give its folder with --backtest to show its measured figures here.</p>`
      : `<p>Measured by the last backtest (${esc(o.backtest.folder)}), at as-of ${o.backtest.evaluations.map((v) => v.asOf).filter((v, i, a) => a.indexOf(v) === i).join(', ')}: what such a list did when the year after was known.</p>
<table><tr><th>list</th><th>precision at 20%</th><th>ROC AUC</th><th>accelerated (moved to January)</th><th>incremental</th></tr>
${o.backtest.evaluations
  .flatMap((v) => v.lists.filter((l) => l.name === 'model').map((l) => ({ label: `${v.run.model}`, l })).concat(v === o.backtest!.evaluations[0] ? v.lists.filter((l) => l.name !== 'model').map((l) => ({ label: listLabel(l.name), l })) : []))
  .map(({ label, l }) => `<tr>${cell(label)}${cell(percent(l.metrics.precision))}${cell(l.metrics.auc.toFixed(3))}${cell(dollars(l.revenue.accelerated.total))}${cell(l.revenue.incremental.total === null ? `not measurable (${l.revenue.incremental.notMeasurable ?? ''})` : dollars(l.revenue.incremental.total))}</tr>`)
  .join('\n')}
</table>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rafcast: the candidate list for ${T}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:right}td:first-child,th:first-child{text-align:left}</style></head>
<body>
<h1>The candidate list for ${T}</h1>
<p>Written on January 1 of ${T} from data dated before it: the ${list.length.toLocaleString('en-US')} members most likely to have a risk score (RAF) for ${T} in the top 20% of the plan, for early chart review and visits in January-June of ${T}. ${esc(membership)}</p>
<h2>Expected dollars, payment year ${T + 1}</h2>
<p>Expected accelerated: ${dollars(accelerated)} (paid in January-June of ${T + 1} instead of in the August lump sum: moved earlier, not added). Expected incremental: ${dollars(incremental)} (would otherwise never be paid). Both are the sums of candidates.csv's columns expected_accelerated and expected_incremental.</p>
<table><tr><th>month of ${T + 1}</th><th>accelerated, with outreach</th><th>the same, in the August lump sum without outreach</th><th>incremental</th></tr>
${months.map((m) => `<tr>${cell(m.month)}${cell(dollars(m.accelerated))}${cell(dollars(m.lumpSumWithout))}${cell(dollars(m.incremental))}</tr>`).join('\n')}
<tr>${cell('total')}${cell(dollars(accelerated))}${cell(dollars(accelerated))}${cell(dollars(incremental))}</tr>
</table>
<h2>What is not yet known</h2>
<table><tr><th>figure</th><th>value</th></tr>
${unknown(`precision, recall and ROC AUC of the list (is the member in the top 20% of RAF_${T}?)`, `the claims of ${T}`)}
${unknown(`accelerated revenue measured (the August lump sums of ${T + 1})`, `the claims of ${T} and the enrollment of ${T + 1}`)}
${unknown(`incremental revenue measured (the growth ratio c = mean(RAF_${T + 1}) / mean(RAF_${T}) over members with both)`, `the claims of ${T} and ${T + 1}`)}
${unknown(`the expected dollars against the measured (calibration)`, `the claims of ${T} and ${T + 1}`)}
</table>
<h2>The last backtest</h2>
${backtest}
<h2>The top of the list</h2>
<table><tr><th>rank</th><th>probability</th><th>risk score ${T - 1}</th><th>open HCCs</th><th>expected accelerated</th><th>expected incremental</th></tr>
${list
  .slice(0, 25)
  .map((r) => `<tr>${cell(String(r.rank))}${cell(probability(r.probability))}${cell(r.rafT1 === '' ? 'none (new member)' : r.rafT1)}${cell(String(r.openHccs))}${cell(dollars(r.accelerated))}${cell(dollars(r.incremental))}</tr>`)
  .join('\n')}
</table>
<p>The whole list: candidates/candidates.csv (finance) and candidates/outreach.csv (care managers, by expected dollars, with the HCCs to recapture).</p>
</body></html>
`;
  await writeFileAtomically(o.out, html);
  return { listed: list.length, expectedAccelerated: accelerated, expectedIncremental: incremental, months };
}
