// `rafcast history`, step by step: each rule in its own file, chained here (DOMAIN.md sections 1-2).
// For each service year y and enrolled member: RAF_y from dates of service in calendar year y,
// RAF_init_y from July 1 of y - 1 to June 30 of y, each under V24 and V28 (with a data cut-off,
// from the claims received by then: the history as a plan knew it on that date), the payment score for
// payment year y + 1 and the August lump sum; and per HCC the first and last date of service and
// the provider. This file only chains the steps, each a rule in its own file: plan-years.ts,
// member-years.ts, windows.ts, eligible-claims.ts, year-rows.ts, year-scorer.ts, write-history.ts.
// The contract's files are loaded and checked as by `rafcast load`; scoring runs in this thread on
// the batch engine, with member keys (never member ids) on the JavaScript side.
import { requireBaseRate } from '../revenue.ts';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { AtomicFileWriter } from '../../data/atomic-file.ts';
import { findDataFiles } from '../../data/contract-files.ts';
import { ConfigError } from '../../data/errors.ts';
import { parseCutoff } from '../../data/received-by.ts';
import type { LoadSummary } from '../../data/load-contract-file.ts';
import { loadDiagnosisSourceExclusions, loadEligibleBillTypes, loadEligibleProcedures } from '../../data/reference/eligibility.ts';
import { loadSubmissionDeadlines } from '../../data/reference/submission-deadlines.ts';
import { attachCheckedData, checkedTableFolders, loadStagedContract, openWorkDb } from '../../data/staged-contract.ts';
import { createEligibilityTables, createEligibleClaimsView } from './eligible-claims.ts';
import { createMemberYears } from './member-years.ts';
import { loadPlanTables, planYears, procedureListYears, type YearPlan, type YearPlanOptions } from './plan-years.ts';
import { createScoredCodes } from './year-rows.ts';
import { scoreYears } from './year-scorer.ts';
import {
  checkAttributed,
  countDiagnoses,
  createDiagnosisCounts,
  createWindowedClaims,
  deadlinesByWindowYear,
  withUnscored,
  type DiagnosisCounts,
} from './windows.ts';
import { writeHistoryParquet, writeManifest, writeRejected } from './write-history.ts';

export interface HistoryOptions extends YearPlanOptions {
  /** Folder holding members, enrollment and claims (.parquet or .csv), as `rafcast generate` writes. */
  data: string;
  out: string;
  annualBaseRate: number;
  maxRejectedShare?: number;
  /** The folder for the input files' rejected rows, `<table>.rejected.csv` (default: `out`; the data folder is only read). */
  rejectedDir?: string;
  memoryLimit?: string;
  /**
   * The data folder holds Parquet files this product already checked (a queued run's shard, with
   * the claims' `_row`): read as they are, not checked again.
   */
  checked?: boolean;
  /**
   * The data cut-off (YYYY-MM-DD): the history as known on that date, from the claims received by
   * then (data/received-by.ts; a claim without a received_date counts as received on its
   * thru_date). Absent: every claim counts, the history on complete data.
   */
  dataThrough?: string;
}

export interface HistorySummary {
  memberYears: number;
  members: number;
  hccRows: number;
  loaded: LoadSummary[];
  files: string[];
  /** Member-years that could not be scored, with their reasons in raf_history.rejected.csv. */
  rejected: number;
  /** Per service year: what it was scored with. */
  years: YearPlan[];
  diagnoses: DiagnosisCounts;
  /** The data cut-off the history was computed with, or null (complete data). */
  dataThrough: string | null;
  /** Per service year: the submission deadline each window honoured (null: none listed for its payment year). */
  deadlines: { serviceYear: number; initial: string | null; midYear: string | null }[];
}

/**
 * With RAFCAST_TRACE set, the connection prints each statement's time and DuckDB's memory to
 * stderr (SQL text only: it holds no member data).
 */
function traced(conn: DuckDBConnection): DuckDBConnection {
  if (!process.env.RAFCAST_TRACE) return conn;
  const run = conn.run.bind(conn);
  let inside = false;
  conn.run = (async (sql: string, ...rest: unknown[]) => {
    if (inside) return (run as (...a: unknown[]) => Promise<unknown>)(sql, ...rest);
    const t = performance.now();
    const r = await (run as (...a: unknown[]) => Promise<unknown>)(sql, ...rest);
    inside = true;
    const mem = (await conn.runAndReadAll(`SELECT (sum(memory_usage_bytes) / 1e9)::DECIMAL(6,2) AS gb FROM duckdb_memory()`)).getRowObjectsJson()[0]!.gb;
    inside = false;
    process.stderr.write(`[trace] ${((performance.now() - t) / 1000).toFixed(1)} s, ${mem} GB: ${sql.replace(/\s+/g, ' ').slice(0, 100)}\n`);
    return r;
  }) as typeof conn.run;
  return conn;
}

/** Computes the history; writes raf_history.parquet, raf_hcc.parquet and history.json to `out`. */
export async function computeHistory(opts: HistoryOptions, onProgress?: (stage: string, done: number, total: number) => void): Promise<HistorySummary> {
  if (opts.firstYear > opts.lastYear) throw new ConfigError(`--years: ${opts.firstYear} is after ${opts.lastYear}`);
  requireBaseRate(opts.annualBaseRate);
  const dataThrough = opts.dataThrough === undefined ? null : parseCutoff(opts.dataThrough, 'the data cut-off (dataThrough)');
  const plans = planYears(opts);
  // A checked folder (a shard) holds each table as a folder of files (attachCheckedData).
  const files = opts.checked ? checkedTableFolders(opts.data) : findDataFiles(opts.data);
  await mkdir(opts.out, { recursive: true, mode: 0o700 });
  // Spilled pages hold member data: they go to an owner-only work folder, removed at the end.
  const db = await openWorkDb(opts.out, opts.memoryLimit);
  const work = db.work;
  const conn = traced(db.conn);
  try {
    const loaded: LoadSummary[] = [];
    if (opts.checked) await attachCheckedData(conn, [opts.data]);
    else loaded.push(...(await loadStagedContract(conn, files, work, { maxRejectedShare: opts.maxRejectedShare, rejectedDir: opts.rejectedDir ?? opts.out, onTable: (name) => onProgress?.(`loading ${name}`, 0, 1) })));
    // A plan's files with no member or no claim accepted: a history of demographic scores alone
    // would be written and read as a plan's (issue 16). A shard (checked) may hold none.
    for (const l of loaded) {
      if ((l.table === 'members' || l.table === 'claims') && l.accepted === 0) {
        throw new ConfigError(`the ${l.table} in ${l.file} have ${l.read === 0 ? 'no rows' : `no row accepted (${l.rejected} rejected)`}: a history needs members and their claims' diagnoses`);
      }
    }
    const { firstYear: a, lastYear: b } = opts;
    onProgress?.('selecting eligible claims', 0, 1);
    await createMemberYears(conn, a, b);
    const procedures = new Map<number, ReadonlySet<string>>();
    for (const [dosYear, listYear] of procedureListYears(plans)) procedures.set(dosYear, loadEligibleProcedures(listYear));
    await createEligibilityTables(conn, procedures, loadEligibleBillTypes());
    const deadlines = loadSubmissionDeadlines();
    await createWindowedClaims(conn, a, b, { dataThrough: dataThrough ?? undefined, deadlines });
    const exclusions = loadDiagnosisSourceExclusions();
    await createEligibleClaimsView(conn, '_hist_received', '_hist_eligible', exclusions);
    await createDiagnosisCounts(conn);
    const counted = await countDiagnoses(conn, a, b, exclusions);

    const tables = loadPlanTables(plans);
    const mapped = new Set<string>();
    for (const t of tables.values()) for (const code of t.dxToCc.keys()) mapped.add(code);
    await createScoredCodes(conn, mapped);
    // The loaded claims are no longer needed: free their memory before scoring.
    await conn.run(`DROP VIEW _hist_eligible; DROP TABLE _hist_eligible_cpt; DROP VIEW _hist_received; DROP VIEW _hist_claims`);

    const historyCsv = join(work, 'history.csv');
    const hccCsv = join(work, 'hcc.csv');
    const historyOut = await AtomicFileWriter.open(historyCsv);
    const hccOut = await AtomicFileWriter.open(hccCsv);
    const scored = await scoreYears(conn, plans, tables, opts.annualBaseRate, historyOut, hccOut, (done, total) =>
      onProgress?.('scoring member-years', done, total),
    );
    await historyOut.commit();
    await hccOut.commit();
    // Member-years whose demographics cannot be scored (an age over the model's range, say).
    const quarantinePath = await writeRejected(conn, work, opts.out, scored.rejected);

    onProgress?.('writing Parquet', 0, 1);
    const written = await writeHistoryParquet(conn, opts.out, historyCsv, hccCsv, plans, tables);
    const diagnoses = withUnscored(counted, scored.unscored);
    checkAttributed(diagnoses, written.diagnoses);
    const summary: HistorySummary = {
      memberYears: written.memberYears,
      members: written.members,
      hccRows: written.hccRows,
      loaded,
      rejected: scored.rejected.length,
      files: [written.historyPath, written.hccPath, quarantinePath],
      years: plans,
      diagnoses,
      dataThrough,
      deadlines: deadlinesByWindowYear(a, b, deadlines)
        .filter((d) => d.year >= a && d.year <= b)
        .map((d) => ({ serviceYear: d.year, initial: d.initial, midYear: d.midYear })),
    };
    const manifestPath = await writeManifest(opts.out, {
      data: files,
      years: [a, b],
      dataThrough,
      deadlines: summary.deadlines,
      annualBaseRate: opts.annualBaseRate,
      model: opts.model ?? null,
      plans,
      loaded,
      memberYears: summary.memberYears,
      members: summary.members,
      hccRows: summary.hccRows,
      rejected: summary.rejected,
      diagnoses,
    });
    summary.files.push(manifestPath);
    return summary;
  } finally {
    await db.close();
  }
}
