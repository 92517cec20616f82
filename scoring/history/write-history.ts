// The history's files and history.json, member ids joined back to member keys (scoring/README.md).
// raf_history.parquet, raf_hcc.parquet (each HCC with its CMS label) and raf_history.rejected.csv
// are written by DuckDB, owner-only and atomically, in member_id order so that the same input
// gives the same bytes; history.json records what each year was scored with and the diagnosis
// reconciliation.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { OUTPUT_FILE_MODE, writeFileAtomically } from '../../data/atomic-file.ts';
import { copyAtomically, sqlString } from '../../data/duckdb.ts';
import type { LoadSummary } from '../../data/load-contract-file.ts';
import { MODEL_VERSIONS, type ModelTables, type ModelVersion } from '../../data/reference/cms-hcc-tables.ts';
import { planTablesKey, type YearPlan } from './plan-years.ts';
import { HCC_CSV_COLUMNS, HISTORY_CSV_COLUMNS } from './year-scorer.ts';
import type { DiagnosisCounts, WindowDiagnoses } from './windows.ts';

/**
 * Writes raf_history.rejected.csv to `out`: the member-years that could not be scored
 * (`rejected`, CSV lines keyed by member key), with their member ids, in member_id order.
 * Returns its path.
 */
export async function writeRejected(conn: DuckDBConnection, work: string, out: string, rejected: readonly string[]): Promise<string> {
  const rejectedCsv = join(work, 'rejected.csv');
  await writeFile(rejectedCsv, rejected.join(''), { mode: OUTPUT_FILE_MODE });
  const quarantinePath = join(out, 'raf_history.rejected.csv');
  await copyAtomically(
    conn,
    `SELECT m.member_id, r.year, r.field, r.reason
     FROM read_csv(${sqlString(rejectedCsv)}, header = false, auto_detect = false,
                   columns = {'mk': 'INTEGER', 'year': 'INTEGER', 'field': 'VARCHAR', 'reason': 'VARCHAR'}) r
     JOIN _hist_members m USING (mk) ORDER BY m.member_id, r.year`,
    quarantinePath,
    'csv',
  );
  return quarantinePath;
}

export interface WrittenHistory {
  historyPath: string;
  hccPath: string;
  memberYears: number;
  members: number;
  hccRows: number;
  /** The diagnoses in the written rows: sums of n_dx and n_dx_init. */
  diagnoses: WindowDiagnoses;
}

/**
 * Writes raf_history.parquet and raf_hcc.parquet to `out` from the scorer's CSVs
 * (HISTORY_CSV_COLUMNS, HCC_CSV_COLUMNS), joined to `_hist_members` and `_hist_my`; each HCC gets
 * its CMS label from the tables its service year was scored with.
 */
export async function writeHistoryParquet(
  conn: DuckDBConnection,
  out: string,
  historyCsv: string,
  hccCsv: string,
  plans: readonly YearPlan[],
  tables: ReadonlyMap<string, ModelTables>,
): Promise<WrittenHistory> {
  // The CMS label of each HCC, by the tables each service year was scored with.
  const labels: string[] = [];
  for (const p of plans) {
    for (const m of MODEL_VERSIONS) {
      for (const [hcc, label] of tables.get(planTablesKey(m, p))!.labels) labels.push(`(${p.serviceYear}, '${m}', ${hcc}, ${sqlString(label)})`);
    }
  }
  await conn.run(`CREATE TABLE _hist_labels (year INTEGER, model VARCHAR, hcc INTEGER, description VARCHAR)`);
  if (labels.length > 0) await conn.run(`INSERT INTO _hist_labels VALUES ${labels.join(', ')}`);
  const historyPath = join(out, 'raf_history.parquet');
  const hccPath = join(out, 'raf_hcc.parquet');
  await conn.run(
    `CREATE TABLE _hist_out AS SELECT * FROM read_csv(${sqlString(historyCsv)}, header = false, auto_detect = false, columns = {${HISTORY_CSV_COLUMNS}})`,
  );
  await copyAtomically(
    conn,
    `SELECT m.member_id, h.year, h.year + 1 AS payment_year, y.months_enrolled, h.segment, h.age, y.sex, y.orec, y.dual_status,
            y.institutional, y.new_enrollee, h.n_dx, h.n_dx_init, h.raw_v24, h.raw_v28, h.raw_init_v24, h.raw_init_v28,
            h.n_hcc_v24, h.n_hcc_v28, h.raf, h.raf_init, h.monthly_payment, h.monthly_payment_init, h.august_lump_sum
     FROM _hist_out h JOIN _hist_members m USING (mk) JOIN _hist_my y ON y.mk = h.mk AND y.year = h.year
     ORDER BY m.member_id, h.year`,
    historyPath,
    'parquet',
  );
  await copyAtomically(
    conn,
    `SELECT m.member_id, h.year, h.model, h.hcc, l.description, h.factor, DATE '1970-01-01' + h.first_day AS first_service_date,
            DATE '1970-01-01' + h.last_day AS last_service_date, h.npi AS provider_npi, h.in_initial
     FROM read_csv(${sqlString(hccCsv)}, header = false, auto_detect = false, columns = {${HCC_CSV_COLUMNS}}) h JOIN _hist_members m USING (mk)
     LEFT JOIN _hist_labels l ON l.year = h.year AND l.model = h.model AND l.hcc = h.hcc
     ORDER BY m.member_id, h.year, h.model, h.hcc`,
    hccPath,
    'parquet',
  );
  const counts = (
    await conn.runAndReadAll(
      `SELECT (SELECT count(*) FROM _hist_out)::BIGINT AS my, (SELECT count(DISTINCT mk) FROM _hist_out)::BIGINT AS members,
              (SELECT count(*) FROM read_parquet(${sqlString(hccPath)}))::BIGINT AS hcc,
              (SELECT coalesce(sum(n_dx), 0) FROM _hist_out)::BIGINT AS mid, (SELECT coalesce(sum(n_dx_init), 0) FROM _hist_out)::BIGINT AS init`,
    )
  ).getRowObjectsJson()[0]!;
  return {
    historyPath,
    hccPath,
    memberYears: Number(counts.my),
    members: Number(counts.members),
    hccRows: Number(counts.hcc),
    diagnoses: { mid: Number(counts.mid), init: Number(counts.init) },
  };
}

/** What history.json records. */
export interface HistoryManifest {
  data: Record<string, string>;
  years: [number, number];
  /** The data cut-off: the history from the claims received by this date; null on complete data. */
  dataThrough: string | null;
  /** Per service year, the submission deadline each window honoured (null: none listed). */
  deadlines: readonly { serviceYear: number; initial: string | null; midYear: string | null }[];
  annualBaseRate: number;
  model: ModelVersion | null;
  plans: readonly YearPlan[];
  loaded: readonly LoadSummary[];
  memberYears: number;
  members: number;
  hccRows: number;
  rejected: number;
  diagnoses: DiagnosisCounts;
}

/** Writes history.json to `out` (atomically); returns its path. */
export async function writeManifest(out: string, manifest: HistoryManifest): Promise<string> {
  const manifestPath = join(out, 'history.json');
  const { data, years, dataThrough, deadlines, annualBaseRate, model, plans, loaded, memberYears, members, hccRows, rejected, diagnoses } = manifest;
  const json = {
    data,
    years,
    dataThrough,
    deadlines,
    annualBaseRate,
    model,
    plans,
    loaded: loaded.map(({ table, read, accepted, rejected, quarantine }) => ({ table, read, accepted, rejected, quarantine })),
    memberYears,
    members,
    hccRows,
    rejected,
    diagnoses,
  };
  await writeFileAtomically(manifestPath, `${JSON.stringify(json, null, 2)}\n`);
  return manifestPath;
}
