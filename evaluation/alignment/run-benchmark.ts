// `rafcast benchmark` from a data folder (issue 19): the rules of the performance year
// (data/reference/alignment/benchmark_by_performance_year.csv), the user's rates (benchmark-rates.ts),
// the alignment (`rafcast align`'s folder, or computed here by runAlign into <out>/alignment), the
// payment scores of the complete history (`rafcast history`'s raf_history.parquet: service year PY-1
// for the performance year, the reference year's year before for the reference score; the history
// is computed into <out>/history by computeHistory when none is given and <data>/history has none),
// and, optionally, `rafcast suspects`'s dollars; then the benchmark (benchmark.ts) and its files
// (write-benchmark.ts).
import { existsSync, readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { prepareOutputFolder } from '../../data/atomic-file.ts';
import { openDuckDb, sqlString } from '../../data/duckdb.ts';
import { ConfigError } from '../../data/errors.ts';
import { loadBenchmarkRules } from '../../data/reference/alignment-rules.ts';
import { computeHistory } from '../../scoring/history/compute-history.ts';
import type { HistoryManifest } from '../../scoring/history/write-history.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { benchmarkRows, benchmarkTotals, effortRanking, MissingHistoricalError, populationCap, type AlignedBeneficiary, type AlignmentKind } from './benchmark.ts';
import { readRates } from './benchmark-rates.ts';
import { runAlign } from './run-align.ts';
import { writeBenchmarkFiles, type BenchmarkSummary, type ScoreSource } from './write-benchmark.ts';

export interface RunBenchmarkOptions {
  data: string;
  performanceYear: number;
  out: string;
  /** The rates CSV (default <data>/rates.csv). */
  rates?: string;
  /** `rafcast align`'s output folder for this performance year (computed into <out>/alignment otherwise). */
  alignment?: string;
  /** The complete history (default <data>/history; computed into <out>/history when that has none). */
  history?: string;
  /** `rafcast suspects`'s folder of as-of PY-1 (paying in PY). */
  suspects?: string;
  memoryLimit?: string;
}

/**
 * Each member's score gain from its priced suspects in `rafcast suspects`'s suspects.csv: one row
 * per member, HCC and evidence type, so an HCC counts once (its largest score_with - score_without),
 * then the member's HCCs add up; unpriced suspects (blank scores) count nothing.
 */
export async function readSuspectGains(conn: DuckDBConnection, suspectsCsv: string): Promise<Map<string, number>> {
  const gains = (
    await conn.runAndReadAll(
      `WITH s AS (SELECT member_id, hcc, max(TRY_CAST(score_with AS DOUBLE) - TRY_CAST(score_without AS DOUBLE)) AS gain
                  FROM read_csv(${sqlString(suspectsCsv)}, header = true, all_varchar = true) GROUP BY member_id, hcc)
       SELECT member_id, sum(gain) AS gain FROM s WHERE gain IS NOT NULL GROUP BY member_id`,
    )
  ).getRowObjectsJson();
  return new Map(gains.map((g) => [String(g.member_id), Number(g.gain)]));
}

/** The history's plan of `serviceYear`, checked to be there. */
function scoreSource(manifest: HistoryManifest, dir: string, serviceYear: number, what: string): ScoreSource {
  const p = manifest.plans.find((x) => x.serviceYear === serviceYear);
  if (p === undefined) throw new ConfigError(`the history in ${dir} covers ${manifest.years[0]}-${manifest.years[1]}, not service year ${serviceYear} (${what}): run rafcast history with --years covering it, or give --history`);
  return {
    serviceYear,
    paymentYear: p.paymentYear,
    tablesYear: p.tablesYear as Record<string, number>,
    blend: p.blend as Record<string, number>,
    normalization: p.normalization as Record<string, number>,
    codingAdjustment: p.codingAdjustment,
  };
}

export async function runBenchmark(o: RunBenchmarkOptions, onProgress: (stage: string) => void = () => undefined): Promise<BenchmarkSummary> {
  const PY = o.performanceYear;
  // Rules and rates first: a year without rules or a bad rates row fails before any work.
  const rules = loadBenchmarkRules(PY);
  const ratesFile = o.rates ?? join(o.data, 'rates.csv');
  if (!existsSync(ratesFile)) throw new ConfigError(`no rates file ${ratesFile}: give --rates (evaluation/alignment/README.md "Rates" gives its columns)`);
  const rates = readRates(ratesFile);
  let suspectsCsv: string | undefined;
  if (o.suspects !== undefined) {
    suspectsCsv = join(o.suspects, 'suspects.csv');
    const summaryFile = join(o.suspects, 'suspects-summary.json');
    if (!existsSync(suspectsCsv) || !existsSync(summaryFile)) throw new ConfigError(`${o.suspects} has no suspects.csv and suspects-summary.json: give rafcast suspects's --out folder`);
    const paymentYear = (JSON.parse(readFileSync(summaryFile, 'utf8')) as { paymentYear?: number }).paymentYear;
    if (paymentYear !== PY) throw new ConfigError(`the suspects in ${o.suspects} price payment year ${paymentYear ?? 'unknown'}, not the performance year ${PY}: run rafcast suspects --as-of ${PY - 1}`);
  }
  await prepareOutputFolder(o.out, 'the --out folder');
  const notes: string[] = [];

  // The alignment.
  let alignmentDir = o.alignment;
  if (alignmentDir !== undefined) {
    const summaryFile = join(alignmentDir, 'align-summary.json');
    if (!existsSync(join(alignmentDir, 'alignment.csv')) || !existsSync(summaryFile)) throw new ConfigError(`${alignmentDir} has no alignment.csv and align-summary.json: give rafcast align's --out folder`);
    const alignedYear = (JSON.parse(readFileSync(summaryFile, 'utf8')) as { performanceYear?: number }).performanceYear;
    if (alignedYear !== PY) throw new ConfigError(`the alignment in ${alignmentDir} is for performance year ${alignedYear ?? 'unknown'}, not ${PY}`);
  } else {
    alignmentDir = join(o.out, 'alignment');
    onProgress('aligning');
    const aligned = await runAlign({ data: o.data, performanceYear: PY, out: alignmentDir, acoType: 'standard', ...(o.memoryLimit !== undefined ? { memoryLimit: o.memoryLimit } : {}) }, (s) => onProgress(`aligning: ${s}`));
    notes.push(`alignment computed into ${alignmentDir} (rafcast align's rules; its minimum is a standard ACO's)`, ...aligned.notes.filter((n) => n.includes(' rows read = ')).map((n) => `alignment input ${n}`));
  }

  // The complete history: the payment scores of service years PY-1 and referenceYear-1.
  const years: [number, number] = [rules.referenceYear - 1, PY - 1];
  let historyDir = o.history ?? join(o.data, 'history');
  if (o.history === undefined && !existsSync(join(historyDir, 'history.json'))) {
    historyDir = join(o.out, 'history');
    onProgress('scoring the history');
    const scored = await computeHistory(
      { data: o.data, firstYear: years[0], lastYear: years[1], out: historyDir, annualBaseRate: DEMO_BASE_RATE_ANNUAL, procedureListPolicy: 'nearest', ...(o.memoryLimit !== undefined ? { memoryLimit: o.memoryLimit } : {}) },
      (s) => onProgress(`history: ${s}`),
    );
    notes.push(
      `history computed into ${historyDir} for service years ${years[0]}-${years[1]} (rafcast history's defaults: CMS's blend, normalisation and MA coding adjustment of each payment year)`,
      ...scored.loaded.map((l) => `history input ${l.table}: ${l.read} rows read = ${l.accepted} accepted + ${l.rejected} rejected${l.rejected > 0 ? ` (${l.quarantine})` : ''}`),
    );
  }
  const manifestFile = join(historyDir, 'history.json');
  const historyFile = join(historyDir, 'raf_history.parquet');
  if (!existsSync(manifestFile) || !existsSync(historyFile)) throw new ConfigError(`${historyDir} has no history.json and raf_history.parquet: run rafcast history first, or give --history`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as HistoryManifest;
  // A payment year's score is the history's row of the service year before (its payment score, raf).
  const pyScores = scoreSource(manifest, historyDir, years[1], `the ${PY} payment score`);
  const refScores = scoreSource(manifest, historyDir, years[0], `the reference year ${rules.referenceYear}'s payment score`);
  if (manifest.dataThrough !== null) notes.push(`the history is as known on ${manifest.dataThrough}, not complete`);

  onProgress('reading scores');
  const db = await openDuckDb(o.memoryLimit !== undefined ? { memoryLimit: o.memoryLimit } : {});
  let members: AlignedBeneficiary[];
  let suspectGain: Map<string, number> | undefined;
  try {
    const conn = db.connection;
    const hist = `read_parquet(${sqlString(historyFile)})`;
    const rows = (
      await conn.runAndReadAll(
        `WITH a AS (SELECT member_id, alignment, nullif(aligned_tin, '') AS tin FROM read_csv(${sqlString(join(alignmentDir, 'alignment.csv'))}, header = true, all_varchar = true)
                    WHERE alignment IN ('claims', 'voluntary', 'both')),
              p AS (SELECT member_id::VARCHAR AS member_id, raf FROM ${hist} WHERE year = ${pyScores.serviceYear}),
              r AS (SELECT member_id::VARCHAR AS member_id, raf FROM ${hist} WHERE year = ${refScores.serviceYear})
         SELECT a.member_id, a.alignment, a.tin, p.raf AS score, r.raf AS reference_score
         FROM a LEFT JOIN p USING (member_id) LEFT JOIN r USING (member_id) ORDER BY a.member_id`,
      )
    ).getRowObjectsJson();
    members = rows.map((r) => ({
      memberId: String(r.member_id),
      alignment: String(r.alignment) as AlignmentKind,
      tin: r.tin === null ? null : String(r.tin),
      score: r.score === null ? null : Number(r.score),
      referenceScore: r.reference_score === null ? null : Number(r.reference_score),
    }));
    if (suspectsCsv !== undefined) {
      suspectGain = await readSuspectGains(conn, suspectsCsv);
      notes.push(`suspects: ${suspectGain.size} members with priced suspects in ${suspectsCsv}; a member's suspects' score gains add up (each priced alone, so interactions between them are not counted)`);
    }
  } finally {
    db.close();
  }

  onProgress('pricing');
  let rows;
  try {
    rows = benchmarkRows(members, rates, rules);
  } catch (e) {
    if (e instanceof MissingHistoricalError) {
      throw new ConfigError(`${e.count} claims-aligned beneficiaries have no historical expenditure in ${ratesFile}: give historical_expenditure on the entity row, or on their practice's or their own row`);
    }
    throw e;
  }
  const unscored = members.filter((m) => m.score === null);
  const totals = benchmarkTotals(rows);
  const effort = effortRanking(rows, suspectGain);
  const aligned: Record<string, number> = {};
  for (const m of members) aligned[m.alignment] = (aligned[m.alignment] ?? 0) + 1;
  const historicalFrom: Record<string, number> = {};
  for (const r of rows) if (r.historicalLevel !== null) historicalFrom[r.historicalLevel] = (historicalFrom[r.historicalLevel] ?? 0) + 1;
  const effortSummary = (['at_cap', 'under_cap', 'voluntary', 'no_reference'] as const).map((group) => {
    const es = effort.filter((e) => e.group === group);
    return { group, beneficiaries: es.length, dollars: es.reduce((s, e) => s + Math.round(e.value * 100), 0) / 100 };
  });
  if (unscored.length > 0) notes.push(`${unscored.length} aligned beneficiaries have no ${PY - 1} row in the history (not enrolled and alive on January 1 of ${PY - 1}): listed in beneficiaries.csv with in_benchmark false`);
  onProgress('writing');
  return writeBenchmarkFiles(o.out, rows, unscored, totals, effort, {
    performanceYear: PY,
    rules,
    scores: { performanceYear: pyScores, referenceYear: refScores, history: historyDir },
    alignment: alignmentDir,
    rates: {
      file: ratesFile,
      regionalRate: rates.regionalRate,
      trend: rates.trend,
      entityHistorical: rates.entityHistorical,
      practiceRows: rates.practiceHistorical.size,
      beneficiaryRows: rates.beneficiaryHistorical.size,
    },
    aligned,
    withoutScore: unscored.length,
    withoutReference: rows.filter((r) => r.type === 'claims' && r.referenceScore === null).length,
    historicalFrom,
    totals,
    populationCap: populationCap(rows, rules),
    effort: effortSummary,
    suspects: o.suspects ?? null,
    notes,
  });
}
