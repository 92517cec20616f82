// `rafcast benchmark`'s files (issue 19; every column in ./README.md): beneficiaries.csv, one row per
// aligned beneficiary with its scores, the capped score and its dollars; benchmark.csv, the totals by
// alignment; effort.csv, where documentation effort pays; benchmark-summary.json and .txt, with no
// member id. Each file is written to a temporary file and renamed, owner-only.
import { join } from 'node:path';
import { AtomicFileWriter, writeFileAtomically } from '../../data/atomic-file.ts';
import { csvField } from '../../data/csv.ts';
import type { BenchmarkRules } from '../../data/reference/alignment-rules.ts';
import type { AlignedBeneficiary, BenchmarkRow, BenchmarkTotal, EffortGroup, EffortRow } from './benchmark.ts';

export const BENCHMARK_FILES = ['beneficiaries.csv', 'benchmark.csv', 'effort.csv', 'benchmark-summary.json', 'benchmark-summary.txt'] as const;

/** What scored a year in the history (history.json's plan of the service year). */
export interface ScoreSource {
  serviceYear: number;
  paymentYear: number;
  tablesYear: Record<string, number>;
  blend: Record<string, number>;
  normalization: Record<string, number>;
  codingAdjustment: number;
}

export interface BenchmarkSummary {
  performanceYear: number;
  rules: BenchmarkRules;
  /** The payment scores read: the performance year's (service year PY-1) and the reference year's. */
  scores: { performanceYear: ScoreSource; referenceYear: ScoreSource; history: string };
  alignment: string;
  rates: { file: string; regionalRate: number; trend: number; entityHistorical: number | null; practiceRows: number; beneficiaryRows: number };
  /** Aligned beneficiaries by alignment; those with no performance-year score are out of the benchmark. */
  aligned: Record<string, number>;
  withoutScore: number;
  /** Capped-type beneficiaries without a reference-year score (nothing to cap against). */
  withoutReference: number;
  /** Claims-aligned base rates by where the historical expenditure came from. */
  historicalFrom: Record<string, number>;
  totals: BenchmarkTotal[];
  /** The cap as CMS applies it, to the claims-aligned population's mean scores (those with both scores). */
  populationCap: { beneficiaries: number; meanScore: number; meanReferenceScore: number; limit: number; cappedMeanScore: number } | null;
  effort: { group: EffortGroup; beneficiaries: number; dollars: number }[];
  suspects: string | null;
  notes: string[];
  files: string[];
}

const score = (x: number | null): string => (x === null ? '' : String(Math.round(x * 1e6) / 1e6));
const money = (x: number): string => x.toFixed(2);
const line = (fields: readonly string[]): string => `${fields.map(csvField).join(',')}\n`;

/** beneficiaries.csv's lines: the priced rows, then the aligned beneficiaries with no performance-year score (in_benchmark false), each in member_id order. */
export function* beneficiaryLines(rows: readonly BenchmarkRow[], unscored: readonly AlignedBeneficiary[]): Generator<string> {
  yield line(['member_id', 'alignment', 'benchmark_type', 'aligned_tin', 'in_benchmark', 'score', 'reference_score', 'limit', 'capped_score', 'at_cap', 'capped_by', 'base_rate', 'historical_from', 'dollars', 'uncapped_dollars', 'cap_dollars', 'headroom']);
  for (const r of rows) {
    yield line([r.memberId, r.alignment, r.type, r.tin ?? '', 'true', score(r.score), score(r.referenceScore), score(r.limit), score(r.cappedScore), String(r.atCap), r.cappedBy ?? '', money(r.baseRate), r.historicalLevel ?? '', money(r.dollars), money(r.uncappedDollars), money(r.capDollars), score(r.headroom)]);
  }
  for (const m of unscored) yield line([m.memberId, m.alignment, m.alignment === 'voluntary' ? 'voluntary' : 'claims', m.tin ?? '', 'false', '', score(m.referenceScore), '', '', '', '', '', '', '', '', '', '']);
}

export function benchmarkCsv(totals: readonly BenchmarkTotal[]): string {
  const header = ['alignment', 'beneficiaries', 'at_cap', 'raised_by_floor', 'mean_score', 'mean_capped_score', 'benchmark_dollars', 'uncapped_dollars', 'lost_to_cap', 'added_by_floor'];
  return [line(header), ...totals.map((t) => line([t.alignment, String(t.beneficiaries), String(t.atCap), String(t.raisedByFloor), score(t.meanScore), score(t.meanCappedScore), money(t.dollars), money(t.uncappedDollars), money(t.lostToCap), money(t.addedByFloor)]))].join('');
}

export function* effortLines(rows: readonly EffortRow[]): Generator<string> {
  yield line(['group', 'rank', 'member_id', 'alignment', 'basis', 'dollars']);
  for (const r of rows) yield line([r.group, String(r.rank), r.memberId, r.alignment, r.basis, money(r.value)]);
}

/** Streams `lines` into `path` (a temporary file renamed into place, owner-only): a million rows are never one string. */
async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const w = await AtomicFileWriter.open(path);
  try {
    for (const l of lines) await w.write(l);
    await w.commit();
  } catch (e) {
    await w.abort();
    throw e;
  }
}

const usd = (x: number): string => `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const plan = (s: ScoreSource): string =>
  `service year ${s.serviceYear} (payment year ${s.paymentYear}: ${Object.entries(s.blend)
    .map(([m, w]) => `${m} ${Math.round(w * 100)}% on ${s.tablesYear[m] ?? '?'} tables`)
    .join(', ')})`;

/** The summary as the terminal and benchmark-summary.txt give it: counts and dollars, never a member id. */
export function benchmarkSummaryText(s: BenchmarkSummary): string {
  const r = s.rules;
  const byType = s.totals
    .filter((t) => t.beneficiaries > 0 || t.alignment === 'total')
    .map((t) => `  ${t.alignment.padEnd(9)} ${String(t.beneficiaries).padStart(8)} beneficiaries, mean score ${score(t.meanScore)} -> ${score(t.meanCappedScore)}, benchmark ${usd(t.dollars)}; lost to the cap ${usd(t.lostToCap)} (${t.atCap} at or above it)${t.addedByFloor > 0 ? `, added by the floor ${usd(t.addedByFloor)} (${t.raisedByFloor})` : ''}`);
  const pc = s.populationCap;
  return [
    `ACO REACH benchmark for performance year ${s.performanceYear}: claims- and both-aligned scores capped at ${r.cap} x the ${r.referenceYear} score${r.floor === null ? '' : ` and raised to ${r.floor} x it`}; voluntary uncapped; claims base rate ${Math.round(r.regionalWeight * 100)}% regional + ${Math.round(r.historicalWeight * 100)}% historical x trend ${s.rates.trend}, voluntary the regional rate ${usd(s.rates.regionalRate)}`,
    `scores: the history's payment scores of ${plan(s.scores.performanceYear)} and, for the reference year, ${plan(s.scores.referenceYear)}`,
    `aligned ${Object.entries(s.aligned).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}; without a ${s.performanceYear} score (out of the benchmark) ${s.withoutScore}; capped-type without a reference score (not capped) ${s.withoutReference}`,
    ...byType,
    ...(pc === null ? [] : [`the cap on the claims-aligned population's mean, as CMS applies it: mean ${score(pc.meanScore)} against ${score(pc.limit)} (${r.cap} x ${score(pc.meanReferenceScore)}) -> ${score(pc.cappedMeanScore)}, over ${pc.beneficiaries} beneficiaries`]),
    `where effort pays: ${s.effort.map((e) => `${e.group} ${e.beneficiaries}${e.group === 'at_cap' ? '' : ` (${usd(e.dollars)})`}`).join(', ')}${s.suspects === null ? ' (headroom under the cap; no --suspects)' : ` (the suspects of ${s.suspects})`}`,
    ...s.notes,
    '',
  ].join('\n');
}

/** Writes the five files into `out` (an existing folder); returns their paths. */
export async function writeBenchmarkFiles(out: string, rows: readonly BenchmarkRow[], unscored: readonly AlignedBeneficiary[], totals: readonly BenchmarkTotal[], effort: readonly EffortRow[], summary: Omit<BenchmarkSummary, 'files'>): Promise<BenchmarkSummary> {
  const files = BENCHMARK_FILES.map((f) => join(out, f));
  await writeLines(files[0]!, beneficiaryLines(rows, unscored));
  await writeFileAtomically(files[1]!, benchmarkCsv(totals));
  await writeLines(files[2]!, effortLines(effort));
  const s: BenchmarkSummary = { ...summary, files };
  await writeFileAtomically(files[3]!, `${JSON.stringify(s, null, 2)}\n`);
  await writeFileAtomically(files[4]!, benchmarkSummaryText(s));
  return s;
}
