// `rafcast align-backtest`'s files (issue 19; every column in ./README.md, "Backtest of the
// projection"): backtest-members.csv, one row per member, the projection beside the alignment that
// came; backtest.csv, per projection category the members by their actual alignment;
// backtest-summary.json and .txt, with no member id. Each file is written to a temporary file and
// renamed, owner-only.
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { prepareOutputFolder, writeFileAtomically } from '../../data/atomic-file.ts';
import { copyAtomically } from '../../data/duckdb.ts';
import type { AlignmentSources } from './alignment-sql.ts';
import { ACTUAL_ALIGNMENTS, PROJECTIONS, createBacktestResult, type BacktestYears } from './backtest-sql.ts';

export const BACKTEST_FILES = ['backtest-members.csv', 'backtest.csv', 'backtest-summary.json', 'backtest-summary.txt'] as const;

/** One projection category's members by what came of them. */
export interface BacktestRow {
  projection: (typeof PROJECTIONS)[number];
  members: number;
  /** Aligned to the entity for PY+1 (claims, voluntary or both). */
  aligned: number;
  /** Eligible for PY+1 and not aligned to the entity (elsewhere, or no PQEM service). */
  notAligned: number;
  /** Excluded for PY+1 (died before it, or not enrolled in PY). */
  ineligible: number;
  /** aligned / members; null for an empty category. */
  alignedShare: number | null;
  /** Members by their actual alignment for PY+1. */
  byActual: Record<string, number>;
}

export interface BacktestSummary {
  performanceYear: number;
  projectedYear: number;
  /** What the projection knew: data through this date (inclusive). */
  dataThrough: string;
  members: number;
  rows: BacktestRow[];
  /** PY+1's aligned count from the complete data, and what the projection said it would be (aligned_now + on_track). */
  actualAligned: number;
  projectedAligned: number;
  notes: string[];
  files: string[];
}

/** The backtest's rows from (projection, actual alignment, members) counts: one rule for aligned, not aligned and ineligible. */
export function backtestRows(counts: readonly { projection: string; actual: string; members: number }[]): BacktestRow[] {
  return PROJECTIONS.map((projection) => {
    const byActual: Record<string, number> = Object.fromEntries(ACTUAL_ALIGNMENTS.map((a) => [a, 0]));
    for (const c of counts) if (c.projection === projection) byActual[c.actual] = (byActual[c.actual] ?? 0) + c.members;
    const members = Object.values(byActual).reduce((s, n) => s + n, 0);
    const aligned = byActual.claims! + byActual.voluntary! + byActual.both!;
    const ineligible = byActual.ineligible!;
    return { projection, members, aligned, notAligned: members - aligned - ineligible, ineligible, alignedShare: members === 0 ? null : aligned / members, byActual };
  });
}

export interface WriteBacktestOptions {
  sources: AlignmentSources;
  dataThrough: string;
  years: BacktestYears;
  out: string;
  notes: readonly string[];
}

/** Computes the backtest (backtest-sql.ts) on `conn` and writes the files into `out`. */
export async function writeBacktest(conn: DuckDBConnection, o: WriteBacktestOptions, onStep: (step: string) => void = () => undefined): Promise<BacktestSummary> {
  await prepareOutputFolder(o.out, 'the --out folder');
  await createBacktestResult(conn, o.sources, o.dataThrough, o.years, onStep);
  onStep('writing');
  const files = BACKTEST_FILES.map((f) => join(o.out, f));
  await copyAtomically(conn, `SELECT * FROM _bt_result ORDER BY member_id`, files[0]!, 'csv');
  const counts = (await conn.runAndReadAll(`SELECT projection, actual_alignment AS actual, count(*)::INTEGER AS members FROM _bt_result GROUP BY ALL`))
    .getRowObjectsJson()
    .map((r) => ({ projection: String(r.projection), actual: String(r.actual), members: Number(r.members) }));
  const rows = backtestRows(counts);
  const header = ['projection', 'members', 'aligned', 'not_aligned', 'ineligible', 'aligned_share', ...ACTUAL_ALIGNMENTS];
  const csv = [header, ...rows.map((r) => [r.projection, r.members, r.aligned, r.notAligned, r.ineligible, r.alignedShare === null ? '' : r.alignedShare.toFixed(4), ...ACTUAL_ALIGNMENTS.map((a) => r.byActual[a])])]
    .map((l) => l.join(','))
    .join('\n');
  await writeFileAtomically(files[1]!, `${csv}\n`);
  const of = (p: string): BacktestRow => rows.find((r) => r.projection === p)!;
  const summary: BacktestSummary = {
    performanceYear: o.years.projected.now.window.performanceYear,
    projectedYear: o.years.actual.now.window.performanceYear,
    dataThrough: o.dataThrough,
    members: rows.reduce((s, r) => s + r.members, 0),
    rows,
    actualAligned: rows.reduce((s, r) => s + r.aligned, 0),
    projectedAligned: of('aligned_now').members + of('on_track').members,
    notes: [...o.notes],
    files,
  };
  await writeFileAtomically(files[2]!, `${JSON.stringify(summary, null, 2)}\n`);
  await writeFileAtomically(files[3]!, backtestSummaryText(summary));
  return summary;
}

const n = (x: number): string => x.toLocaleString('en-US');
const share = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);

/** The summary as the terminal and backtest-summary.txt give it: counts only, never a member id. */
export function backtestSummaryText(s: BacktestSummary): string {
  return [
    `ACO REACH projection backtest: the projection for ${s.projectedYear} made for performance year ${s.performanceYear} on the data known on ${s.dataThrough}, against ${s.projectedYear}'s alignment from the complete data (${n(s.members)} members)`,
    `projected to be aligned for ${s.projectedYear} (aligned now + on track): ${n(s.projectedAligned)}; aligned: ${n(s.actualAligned)}`,
    ...s.rows.map((r) => `  ${r.projection.padEnd(11)} ${n(r.members).padStart(9)}: aligned ${n(r.aligned)} (${share(r.alignedShare)}), not aligned ${n(r.notAligned)}, ineligible ${n(r.ineligible)}`),
    ...s.notes,
    '',
  ].join('\n');
}
