// `rafcast history`: every member's risk score history from claims (DOMAIN.md sections 1-2;
// choices in scoring/README.md). For each service year y and enrolled member: RAF_y from dates of
// service in calendar year y, RAF_init_y from July 1 of y - 1 to June 30 of y, each under V24 and
// V28, the payment score for payment year y + 1 and the August lump sum; and per HCC the first and
// last date of service and the provider. The contract's files are loaded and checked as by
// `rafcast load`; claims are filtered by the CMS eligibility rules in SQL; scoring runs in this
// thread on the batch engine, with member keys (never member ids) on the JavaScript side.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { findDataFiles } from '../../data/contract-files.ts';
import { OUTPUT_FILE_MODE, AtomicFileWriter, writeFileAtomically } from '../../data/atomic-file.ts';
import { ByteBuilder } from '../../data/byte-builder.ts';
import { csvField } from '../../data/csv.ts';
import { copyAtomically, sqlString } from '../../data/duckdb.ts';
import { ConfigError, InputError } from '../../data/errors.ts';
import type { LoadSummary } from '../../data/load-contract-file.ts';
import { attachCheckedData, loadStagedContract, openWorkDb } from '../../data/staged-contract.ts';
import {
  MODEL_VERSIONS,
  SEGMENTS,
  loadModelTables,
  loadPaymentFactors,
  type ModelTables,
  type ModelVersion,
} from '../../data/reference/cms-hcc-tables.ts';
import { nearestYear, tablesYearFor } from '../../data/reference/tables-for.ts';
import { availableEligibilityYears, loadEligibleBillTypes, loadEligibleProcedures } from '../../data/reference/eligibility.ts';
import {
  CodeDictionary,
  IdList,
  MemberBatchBuilder,
  codeCcs,
  compileModel,
  hccFactor,
  scoreBatch,
  type CompiledModel,
  type FinalHccs,
} from '../batch.ts';
import { resolveDemographics, type Demographics } from '../demographics.ts';
import { augustLumpSum } from '../payment-calendar.ts';
import { blendedModels, paymentScores, type PaymentOverrides, type PaymentParameters } from '../payment-score.ts';
import { revenue } from '../revenue.ts';
import { scoringParameters } from '../scoring-parameters.ts';

export interface HistoryOptions {
  /** Folder holding members, enrollment and claims (.parquet or .csv), as `rafcast generate` writes. */
  data: string;
  firstYear: number;
  lastYear: number;
  out: string;
  annualBaseRate: number;
  /** Score one model alone (payment blend forced to 100%). */
  model?: ModelVersion;
  overrides?: PaymentOverrides;
  /**
   * Score every service year with this payment year's tables and factors instead of y + 1 (for
   * data older than the bundled tables, such as DE-SynPUF 2008-2010).
   */
  tablesYear?: number;
  /**
   * Service years with no CMS eligible CPT/HCPCS list bundled use the nearest year's list
   * (default), or stop the run ('strict').
   */
  procedureListPolicy?: 'nearest' | 'strict';
  maxRejectedShare?: number;
  memoryLimit?: string;
  /**
   * The data folder holds Parquet files this product already checked (a queued run's shard, with
   * the claims' `_row`): read as they are, not checked again.
   */
  checked?: boolean;
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
}

export interface YearPlan {
  serviceYear: number;
  paymentYear: number;
  /** The payment year whose model tables scored each model (differs when none were bundled). */
  tablesYear: Partial<Record<ModelVersion, number>>;
  blend: Partial<Record<ModelVersion, number>>;
  normalization: Partial<Record<ModelVersion, number>>;
  codingAdjustment: number;
  /** The eligible CPT/HCPCS list's year for dates of service in y (and in the second half of y - 1). */
  procedureListYear: number;
}

/** Every diagnosis on a claim, accounted for: eligible ones land in one window of each kind. */
export interface DiagnosisCounts {
  /** Diagnoses on claims with a date of service from July 1 of the first year - 1 to the end of the last year. */
  inRange: number;
  /** Of those, on claims that fail the eligibility rules. */
  ineligible: number;
  eligible: number;
  /**
   * Eligible diagnoses landing in a member-year's calendar-year window; those whose window year
   * is outside the years asked for; those whose member was not enrolled (or had died) that year.
   */
  midYear: WindowCounts;
  /** The same for the July-June windows. */
  initial: WindowCounts;
}

export interface WindowCounts {
  attributed: number;
  outsideYears: number;
  notEnrolled: number;
  /** Of the attributed, those of member-years that could not be scored (raf_history.rejected.csv). */
  unscored: number;
}

/** What each service year is scored with; throws ConfigError when a payment year has no factors. */
export function planYears(opts: Pick<HistoryOptions, 'firstYear' | 'lastYear' | 'model' | 'overrides' | 'tablesYear' | 'procedureListPolicy'>): YearPlan[] {
  const plans: YearPlan[] = [];
  const listYears = availableEligibilityYears();
  for (let y = opts.firstYear; y <= opts.lastYear; y++) {
    const paymentYear = y + 1;
    const factorsYear = opts.tablesYear ?? paymentYear;
    let params: PaymentParameters;
    try {
      params = scoringParameters(factorsYear, opts.model, opts.overrides);
    } catch (e) {
      if (e instanceof ConfigError && opts.tablesYear === undefined) {
        const years = [...new Set(loadPaymentFactors().map((r) => r.paymentYear))].sort();
        throw new ConfigError(
          `service year ${y} pays in ${paymentYear}, which has no bundled payment factors (${years.join(', ')}): ${e.message}. ` +
            `Pass --tables-year to score every year with one payment year's tables, e.g. --tables-year 2025`,
        );
      }
      throw e;
    }
    const tablesYear: Partial<Record<ModelVersion, number>> = {};
    for (const m of MODEL_VERSIONS) tablesYear[m] = tablesYearFor(m, factorsYear);
    // The initial window reaches back into y - 1: its second half uses y - 1's list (see below).
    if (opts.procedureListPolicy === 'strict' && !listYears.includes(y)) {
      throw new ConfigError(`no eligible CPT/HCPCS list for service year ${y}; available: ${listYears.join(', ')}`);
    }
    plans.push({
      serviceYear: y,
      paymentYear,
      tablesYear,
      blend: params.blend,
      normalization: params.normalization,
      codingAdjustment: params.codingAdjustment,
      procedureListYear: nearestYear(listYears, y),
    });
  }
  return plans;
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

/**
 * Marks eligible claims in SQL with the same reference data as isRiskAdjustmentEligible (a test
 * holds the two equal): `_elig_cpt` (year, code) and `_elig_bill` (setting, prefix, needs_cpt).
 */
async function createEligibilityTables(conn: DuckDBConnection, dosYears: readonly number[], listYearOf: (y: number) => number): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE _elig_cpt (year INTEGER, code VARCHAR)`);
  for (const y of dosYears) {
    const codes = [...loadEligibleProcedures(listYearOf(y))];
    for (let k = 0; k < codes.length; k += 5000) {
      await conn.run(`INSERT INTO _elig_cpt SELECT ${y}, unnest([${codes.slice(k, k + 5000).map(sqlString).join(', ')}])`);
    }
  }
  const rules = loadEligibleBillTypes();
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _elig_bill AS SELECT * FROM (VALUES ${rules
      .map((r) => `(${sqlString(r.setting)}, ${sqlString(r.prefix)}, ${r.needsEligibleProcedure})`)
      .join(', ')}) t(setting, prefix, needs_cpt)`,
  );
}

/**
 * Marks the eligible claims of `source` (a query or table with a unique integer `_row` and
 * claim_type, bill_type, thru_date, procedure_codes) as the view `view` with every column and
 * `eligible`: the claim counts for risk adjustment. The date of service is thru_date; its year
 * picks the CPT/HCPCS list. Needs createEligibilityTables.
 */
export async function createEligibleClaimsView(conn: DuckDBConnection, source: string, view: string): Promise<void> {
  // Claims with an eligible procedure, by row number: an integer set, not one of claim ids.
  await conn.run(
    `CREATE OR REPLACE TABLE ${view}_cpt AS
     SELECT DISTINCT _row FROM (SELECT _row, year(thru_date) AS year, unnest(procedure_codes) AS code FROM ${source}) p
     JOIN _elig_cpt e ON e.year = p.year AND e.code = p.code`,
  );
  await conn.run(
    `CREATE OR REPLACE TEMP VIEW ${view} AS
     SELECT c.* EXCLUDE (bill),
       CASE WHEN c.claim_type = 'professional' THEN c._row IN (SELECT _row FROM ${view}_cpt)
            WHEN b.prefix IS NULL THEN false
            ELSE NOT b.needs_cpt OR c._row IN (SELECT _row FROM ${view}_cpt) END AS eligible
     FROM (SELECT *, ltrim(coalesce(bill_type, ''), '0') AS bill FROM ${source}) c
     LEFT JOIN _elig_bill b ON b.setting = c.claim_type AND length(c.bill) = 3 AND starts_with(c.bill, b.prefix)`,
  );
}

interface YearRow {
  mk: number;
  demographics: Demographics;
  segmentIndex: number;
  dxMid: string;
  firstMid: string;
  lastMid: string;
  npiMid: string;
  dxInit: string;
}


/** Computes the history; writes raf_history.parquet, raf_hcc.parquet and history.json to `out`. */
export async function computeHistory(opts: HistoryOptions, onProgress?: (stage: string, done: number, total: number) => void): Promise<HistorySummary> {
  if (opts.firstYear > opts.lastYear) throw new ConfigError(`--years: ${opts.firstYear} is after ${opts.lastYear}`);
  if (!(opts.annualBaseRate > 0)) throw new ConfigError(`the base rate must be positive, found ${opts.annualBaseRate}`);
  const plans = planYears(opts);
  const files = findDataFiles(opts.data);
  await mkdir(opts.out, { recursive: true, mode: 0o700 });
  // Spilled pages hold member data: they go to an owner-only work folder, removed at the end.
  const db = await openWorkDb(opts.out, opts.memoryLimit);
  const work = db.work;
  const conn = traced(db.conn);
  try {
    const loaded: LoadSummary[] = [];
    if (opts.checked) await attachCheckedData(conn, [opts.data]);
    else loaded.push(...(await loadStagedContract(conn, files, work, { maxRejectedShare: opts.maxRejectedShare, onTable: (name) => onProgress?.(`loading ${name}`, 0, 1) })));
    const { firstYear: a, lastYear: b } = opts;
    onProgress?.('selecting eligible claims', 0, 1);
    // Member keys: small integers in member_id order, so the scoring side never sees an id.
    await conn.run(`CREATE TABLE _hist_members AS SELECT (row_number() OVER (ORDER BY member_id) - 1)::INTEGER AS mk, * FROM members`);
    // A member-year exists when the member is enrolled (months > 0) and alive at its start.
    await conn.run(
      `CREATE TABLE _hist_my AS
       SELECT m.mk, e.year, e.months_enrolled, e.dual_status, e.institutional, e.new_enrollee,
              m.sex, m.orec, m.birth_date, m.death_date
       FROM enrollment e JOIN _hist_members m USING (member_id)
       WHERE e.year BETWEEN ${a} AND ${b} AND e.months_enrolled > 0
         AND (m.death_date IS NULL OR e.year <= year(m.death_date))`,
    );
    const dosYears: number[] = [];
    for (let y = a - 1; y <= b; y++) dosYears.push(y);
    const listYearOf = (y: number): number => plans.find((p) => p.serviceYear === y)?.procedureListYear ?? plans[0]!.procedureListYear;
    await createEligibilityTables(conn, dosYears, listYearOf);
    // The claims in range with their member keys and windows (a view: the claims are not copied).
    await conn.run(
      `CREATE TEMP VIEW _hist_claims AS
       SELECT c._row, m.mk, c.claim_type, c.bill_type, c.thru_date, c.rendering_npi AS npi, c.procedure_codes, c.diagnosis_codes AS dx,
              year(c.thru_date) AS mid_year, year(c.thru_date) + CASE WHEN month(c.thru_date) >= 7 THEN 1 ELSE 0 END AS init_year
       FROM claims c JOIN _hist_members m USING (member_id)
       WHERE c.thru_date BETWEEN DATE '${a - 1}-07-01' AND DATE '${b}-12-31'`,
    );
    await createEligibleClaimsView(conn, '_hist_claims', '_hist_eligible');
    await conn.run(
      `CREATE TABLE _hist_counts AS
       SELECT mk, mid_year, init_year, eligible, sum(len(dx))::BIGINT AS n FROM _hist_eligible GROUP BY ALL`,
    );
    const diagnoses = await countDiagnoses(conn, a, b);

    // Codes that some model maps: the others cannot change a score, and need not leave DuckDB.
    const tables = new Map<string, ModelTables>();
    for (const p of plans) for (const m of MODEL_VERSIONS) tables.set(`${m}/${p.tablesYear[m]}`, loadModelTables(m, p.tablesYear[m]!));
    const mapped = new Set<string>();
    for (const t of tables.values()) for (const code of t.dxToCc.keys()) mapped.add(code);
    await conn.run(`CREATE TABLE _hist_mapped (dx VARCHAR PRIMARY KEY)`);
    const codes = [...mapped].sort();
    for (let k = 0; k < codes.length; k += 5000) {
      await conn.run(`INSERT INTO _hist_mapped SELECT unnest([${codes.slice(k, k + 5000).map(sqlString).join(', ')}])`);
    }
    await conn.run(
      `CREATE TABLE _hist_dx AS
       SELECT mk, thru_date AS dos, npi, mid_year, init_year, dx
       FROM (SELECT mk, thru_date, npi, mid_year, init_year, unnest(dx) AS dx FROM _hist_eligible WHERE eligible)
       WHERE dx IN (SELECT dx FROM _hist_mapped)`,
    );
    // The loaded claims are no longer needed: free their memory before scoring.
    await conn.run(`DROP VIEW _hist_eligible; DROP TABLE _hist_eligible_cpt; DROP VIEW _hist_claims`);

    const historyCsv = join(work, 'history.csv');
    const hccCsv = join(work, 'hcc.csv');
    const historyOut = await AtomicFileWriter.open(historyCsv);
    const hccOut = await AtomicFileWriter.open(hccCsv);
    const totalRows = Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM _hist_my`)).getRowObjectsJson()[0]!.n);
    let done = 0;
    const rejected: string[] = [];
    const unscored = { mid: 0, init: 0 };
    for (const plan of plans) {
      const scorer = new YearScorer(plan, tables, opts.annualBaseRate);
      const result = await conn.stream(yearSql(plan.serviceYear));
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        const cols = chunk.getColumns();
        const rows = yearRows(cols, plan, rejected, unscored);
        const { history, hcc } = scorer.score(rows);
        await historyOut.write(history);
        await hccOut.write(hcc);
        done += chunk.rowCount;
        onProgress?.('scoring member-years', done, totalRows);
      }
    }
    await historyOut.commit();
    await hccOut.commit();
    // Member-years whose demographics cannot be scored (an age over the model's range, say).
    const rejectedCsv = join(work, 'rejected.csv');
    await writeFile(rejectedCsv, rejected.join(''), { mode: OUTPUT_FILE_MODE });
    const quarantinePath = join(opts.out, 'raf_history.rejected.csv');
    await copyAtomically(
      conn,
      `SELECT m.member_id, r.year, r.field, r.reason
       FROM read_csv(${sqlString(rejectedCsv)}, header = false, auto_detect = false,
                     columns = {'mk': 'INTEGER', 'year': 'INTEGER', 'field': 'VARCHAR', 'reason': 'VARCHAR'}) r
       JOIN _hist_members m USING (mk) ORDER BY m.member_id, r.year`,
      quarantinePath,
      'csv',
    );

    onProgress?.('writing Parquet', 0, 1);
    // The CMS label of each HCC, by the tables each service year was scored with.
    const labels: string[] = [];
    for (const p of plans) {
      for (const m of MODEL_VERSIONS) {
        for (const [hcc, label] of tables.get(`${m}/${p.tablesYear[m]}`)!.labels) labels.push(`(${p.serviceYear}, '${m}', ${hcc}, ${sqlString(label)})`);
      }
    }
    await conn.run(`CREATE TABLE _hist_labels (year INTEGER, model VARCHAR, hcc INTEGER, description VARCHAR)`);
    if (labels.length > 0) await conn.run(`INSERT INTO _hist_labels VALUES ${labels.join(', ')}`);
    const historyPath = join(opts.out, 'raf_history.parquet');
    const hccPath = join(opts.out, 'raf_hcc.parquet');
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
    diagnoses.midYear.unscored = unscored.mid;
    diagnoses.initial.unscored = unscored.init;
    if (Number(counts.mid) + unscored.mid !== diagnoses.midYear.attributed || Number(counts.init) + unscored.init !== diagnoses.initial.attributed) {
      throw new Error(`diagnoses attributed (${counts.mid}, ${counts.init}) differ from those counted (${JSON.stringify(diagnoses)}); please report this`);
    }
    const summary: HistorySummary = {
      memberYears: Number(counts.my),
      members: Number(counts.members),
      hccRows: Number(counts.hcc),
      loaded,
      rejected: rejected.length,
      files: [historyPath, hccPath, quarantinePath],
      years: plans,
      diagnoses,
    };
    const manifestPath = join(opts.out, 'history.json');
    const manifest = {
      data: files,
      years: [a, b],
      annualBaseRate: opts.annualBaseRate,
      model: opts.model ?? null,
      plans,
      loaded: loaded.map(({ table, read, accepted, rejected, quarantine }) => ({ table, read, accepted, rejected, quarantine })),
      memberYears: summary.memberYears,
      members: summary.members,
      hccRows: summary.hccRows,
      rejected: summary.rejected,
      diagnoses,
    };
    await writeFileAtomically(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    summary.files.push(manifestPath);
    return summary;
  } finally {
    await db.close();
  }
}

/** Counts every diagnosis in range by eligibility and by the window it lands in. */
async function countDiagnoses(conn: DuckDBConnection, a: number, b: number): Promise<DiagnosisCounts> {
  const window = (col: string): string => `
    coalesce(sum(n) FILTER (WHERE eligible AND ${col} NOT BETWEEN ${a} AND ${b}), 0)::BIGINT AS ${col}_outside,
    coalesce(sum(n) FILTER (WHERE eligible AND ${col} BETWEEN ${a} AND ${b} AND NOT EXISTS (
      SELECT 1 FROM _hist_my y WHERE y.mk = c.mk AND y.year = c.${col})), 0)::BIGINT AS ${col}_unenrolled`;
  const r = (
    await conn.runAndReadAll(
      `SELECT coalesce(sum(n), 0)::BIGINT AS in_range, coalesce(sum(n) FILTER (WHERE NOT eligible), 0)::BIGINT AS ineligible,
         ${window('mid_year')}, ${window('init_year')}
       FROM _hist_counts c`,
    )
  ).getRowObjectsJson()[0]!;
  const inRange = Number(r.in_range);
  const ineligible = Number(r.ineligible);
  const eligible = inRange - ineligible;
  const counts = (col: string): DiagnosisCounts['midYear'] => {
    const outsideYears = Number(r[`${col}_outside`]);
    const notEnrolled = Number(r[`${col}_unenrolled`]);
    return { attributed: eligible - outsideYears - notEnrolled, outsideYears, notEnrolled, unscored: 0 };
  };
  return { inRange, ineligible, eligible, midYear: counts('mid_year'), initial: counts('init_year') };
}

/**
 * SQL: one service year's member-years with their diagnoses per window, '|'-separated in code
 * order (lists sorted after aggregating: ordered aggregates took gigabytes at a million members).
 */
function yearSql(y: number): string {
  const field = (name: string, cast = ''): string => `array_to_string(list_transform(codes, x -> x.${name}${cast}), '|')`;
  return `
    WITH my AS (SELECT * FROM _hist_my WHERE year = ${y}),
    mid_codes AS (
      SELECT mk, dx, (min(dos) - DATE '1970-01-01')::INTEGER AS first_day, (max(dos) - DATE '1970-01-01')::INTEGER AS last_day,
             arg_max(coalesce(npi, ''), (dos, coalesce(npi, ''))) AS npi
      FROM _hist_dx WHERE mid_year = ${y} GROUP BY mk, dx),
    mid AS (
      SELECT mk, ${field('dx')} AS dx, ${field('first_day', '::VARCHAR')} AS first_days,
             ${field('last_day', '::VARCHAR')} AS last_days, ${field('npi')} AS npis
      FROM (SELECT mk, list_sort(list({'dx': dx, 'first_day': first_day, 'last_day': last_day, 'npi': npi})) AS codes FROM mid_codes GROUP BY mk)),
    init AS (SELECT mk, array_to_string(list_sort(list(DISTINCT dx)), '|') AS dx FROM _hist_dx WHERE init_year = ${y} GROUP BY mk),
    counts AS (
      SELECT mk, sum(n) FILTER (WHERE mid_year = ${y})::INTEGER AS n_dx, sum(n) FILTER (WHERE init_year = ${y})::INTEGER AS n_dx_init
      FROM _hist_counts WHERE eligible AND (mid_year = ${y} OR init_year = ${y}) GROUP BY mk)
    SELECT my.mk, my.sex, my.orec, my.birth_date::VARCHAR AS birth_date, my.dual_status, my.institutional,
           my.new_enrollee AND my.months_enrolled < 12 AS new_enrollee,
           coalesce(mid.dx, '') AS dx, coalesce(mid.first_days, '') AS first_days, coalesce(mid.last_days, '') AS last_days,
           coalesce(mid.npis, '') AS npis, coalesce(init.dx, '') AS dx_init,
           coalesce(counts.n_dx, 0) AS n_dx, coalesce(counts.n_dx_init, 0) AS n_dx_init
    FROM my LEFT JOIN mid USING (mk) LEFT JOIN init USING (mk) LEFT JOIN counts USING (mk)`;
}

interface ParsedRow extends YearRow {
  nDx: number;
  nDxInit: number;
}

/** The chunk's rows with their demographics resolved; a row that cannot be goes to `rejected` (CSV lines). */
function yearRows(cols: unknown[][], plan: YearPlan, rejected: string[], unscored: { mid: number; init: number }): ParsedRow[] {
  const [mk, sex, orec, birth, dual, inst, ne, dx, first, last, npi, dxInit, nDx, nDxInit] = cols as [
    number[], string[], string[], string[], string[], boolean[], boolean[], string[], string[], string[], string[], string[], number[], number[],
  ];
  const rows: ParsedRow[] = [];
  for (let i = 0; i < mk.length; i++) {
    let demographics: Demographics;
    try {
      demographics = resolveDemographics(
        {
          sex: sex[i] as 'M' | 'F',
          birthDate: birth[i]!,
          orec: orec[i]!,
          dualStatus: dual[i] as 'none' | 'partial' | 'full',
          institutional: inst[i]!,
          newEnrollee: ne[i]!,
        },
        plan.paymentYear,
      );
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      rejected.push(`${mk[i]},${plan.serviceYear},${csvField(e.field ?? '')},${csvField(e.reason)}\n`);
      unscored.mid += nDx[i]!;
      unscored.init += nDxInit[i]!;
      continue;
    }
    rows.push({
      mk: mk[i]!,
      demographics,
      segmentIndex: (SEGMENTS as readonly string[]).indexOf(demographics.segment),
      dxMid: dx[i]!,
      firstMid: first[i]!,
      lastMid: last[i]!,
      npiMid: npi[i]!,
      dxInit: dxInit[i]!,
      nDx: nDx[i]!,
      nDxInit: nDxInit[i]!,
    });
  }
  return rows;
}

const HISTORY_CSV_COLUMNS = [
  ['mk', 'INTEGER'],
  ['year', 'INTEGER'],
  ['segment', 'VARCHAR'],
  ['age', 'INTEGER'],
  ['n_dx', 'INTEGER'],
  ['n_dx_init', 'INTEGER'],
  ['raw_v24', 'DOUBLE'],
  ['raw_v28', 'DOUBLE'],
  ['raw_init_v24', 'DOUBLE'],
  ['raw_init_v28', 'DOUBLE'],
  ['n_hcc_v24', 'INTEGER'],
  ['n_hcc_v28', 'INTEGER'],
  ['raf', 'DOUBLE'],
  ['raf_init', 'DOUBLE'],
  ['monthly_payment', 'DECIMAL(12,2)'],
  ['monthly_payment_init', 'DECIMAL(12,2)'],
  ['august_lump_sum', 'DECIMAL(12,2)'],
]
  .map(([n, t]) => `${sqlString(n!)}: ${sqlString(t!)}`)
  .join(', ');

const HCC_CSV_COLUMNS = [
  ['mk', 'INTEGER'],
  ['year', 'INTEGER'],
  ['model', 'VARCHAR'],
  ['hcc', 'INTEGER'],
  ['factor', 'DOUBLE'],
  ['first_day', 'INTEGER'],
  ['last_day', 'INTEGER'],
  ['npi', 'VARCHAR'],
  ['in_initial', 'BOOLEAN'],
]
  .map(([n, t]) => `${sqlString(n!)}: ${sqlString(t!)}`)
  .join(', ');

/** Scores one service year's rows: both windows, both models, the payment score and lump sum. */
class YearScorer {
  private readonly compiled = new Map<ModelVersion, CompiledModel>();
  private readonly dictionary: CodeDictionary;
  private readonly params: PaymentParameters;
  private readonly into = { ccs: new Int16Array(0), from: 0, to: 0 };
  private readonly finals = new Map<string, FinalHccs>();

  constructor(
    private readonly plan: YearPlan,
    allTables: ReadonlyMap<string, ModelTables>,
    private readonly annualBaseRate: number,
  ) {
    for (const m of MODEL_VERSIONS) {
      const t = allTables.get(`${m}/${plan.tablesYear[m]}`)!;
      this.compiled.set(m, compileModel(t));
    }
    this.dictionary = new CodeDictionary();
    this.params = {
      paymentYear: plan.paymentYear,
      blend: plan.blend,
      normalization: plan.normalization,
      codingAdjustment: plan.codingAdjustment,
    };
  }

  /** A FinalHccs for n members, reused from chunk to chunk. */
  private finalHccs(key: string, n: number): FinalHccs {
    let f = this.finals.get(key);
    if (f === undefined || f.start.length < n + 1) {
      f = { hccs: f?.hccs ?? new IdList(), start: new Int32Array(n + 1) };
      this.finals.set(key, f);
    }
    f.hccs.length = 0;
    return f;
  }

  score(rows: readonly ParsedRow[]): { history: Uint8Array; hcc: Uint8Array } {
    const n = rows.length;
    const mid = new MemberBatchBuilder(this.dictionary, Math.max(1, n));
    const init = new MemberBatchBuilder(this.dictionary, Math.max(1, n));
    for (const r of rows) {
      mid.add(r.demographics, r.dxMid);
      init.add(r.demographics, r.dxInit);
    }
    const midBatch = mid.finish();
    const initBatch = init.finish();
    const raw: Record<string, Float64Array> = {};
    const counts: Record<string, Uint8Array> = {};
    const finals: Record<string, FinalHccs> = {};
    for (const m of MODEL_VERSIONS) {
      const c = this.compiled.get(m)!;
      counts[m] = new Uint8Array(n);
      finals[m] = this.finalHccs(m, n);
      finals[`init${m}`] = this.finalHccs(`init${m}`, n);
      raw[m] = scoreBatch(c, midBatch, new Float64Array(n), counts[m], finals[m]);
      raw[`init${m}`] = scoreBatch(c, initBatch, new Float64Array(n), undefined, finals[`init${m}`]);
    }
    const models = blendedModels(this.params);
    const pick = (prefix: string): Partial<Record<ModelVersion, Float64Array>> =>
      Object.fromEntries(models.map((m) => [m, raw[`${prefix}${m}`]!]));
    const pay = paymentScores(pick(''), this.params, n);
    const payInit = paymentScores(pick('init'), this.params, n);

    const y = this.plan.serviceYear;
    const history = new ByteBuilder(n * 120);
    const hcc = new ByteBuilder(n * 60);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      const d = r.demographics;
      const monthly = revenue(pay[i]!, this.annualBaseRate).pmpm;
      const monthlyInit = revenue(payInit[i]!, this.annualBaseRate).pmpm;
      history.number(r.mk).char(44).number(y).char(44).text(d.segment).char(44).number(d.age).char(44);
      history.number(r.nDx).char(44).number(r.nDxInit).char(44);
      history.number(raw.V24![i]!, 1000).char(44).number(raw.V28![i]!, 1000).char(44);
      history.number(raw.initV24![i]!, 1000).char(44).number(raw.initV28![i]!, 1000).char(44);
      history.number(counts.V24![i]!).char(44).number(counts.V28![i]!).char(44);
      history.number(pay[i]!, 1000).char(44).number(payInit[i]!, 1000).char(44);
      history.number(monthly, 100).char(44).number(monthlyInit, 100).char(44);
      history.number(augustLumpSum(payInit[i]!, pay[i]!, this.annualBaseRate), 100).char(10);
      if (r.dxMid !== '') this.writeHccs(hcc, r, i, midBatch.dxStart, midBatch.dxIds, finals);
    }
    return { history: history.bytes(), hcc: hcc.bytes() };
  }

  /** raf_hcc rows of member i: per final HCC of each model, its dates and provider. */
  private writeHccs(
    out: ByteBuilder,
    r: ParsedRow,
    i: number,
    dxStart: Int32Array,
    dxIds: Int32Array,
    finals: Record<string, FinalHccs>,
  ): void {
    let any = false;
    for (const m of MODEL_VERSIONS) if (finals[m]!.start[i + 1]! > finals[m]!.start[i]!) any = true;
    if (!any) return;
    const firsts = r.firstMid.split('|');
    const lasts = r.lastMid.split('|');
    const npis = r.npiMid.split('|');
    const nCodes = dxStart[i + 1]! - dxStart[i]!;
    if (nCodes !== firsts.length) throw new Error('history: a code list and its dates differ in length');
    const d = r.demographics;
    const sex = d.sex === 'M' ? 1 : 2;
    const into = this.into;
    for (const m of MODEL_VERSIONS) {
      const f = finals[m]!;
      const fi = finals[`init${m}`]!;
      const hccs = Array.from(f.hccs.ids.subarray(f.start[i]!, f.start[i + 1]!)).sort((x, z) => x - z);
      if (hccs.length === 0) continue;
      const first = hccs.map(() => Infinity);
      const last = hccs.map(() => -Infinity);
      const npi = hccs.map(() => '');
      const c = this.compiled.get(m)!;
      // Each code's CCs once; a CC among the member's final HCCs takes the code's dates. (A code
      // reaches a surviving HCC only through its own CCs: hierarchies remove, never add.)
      for (let k = 0; k < nCodes; k++) {
        codeCcs(c, this.dictionary, dxIds[dxStart[i]! + k]!, d.age, sex, into);
        for (let q = into.from; q < into.to; q++) {
          const h = hccs.indexOf(into.ccs[q]!);
          if (h < 0) continue;
          const fd = Number(firsts[k]);
          const ld = Number(lasts[k]);
          if (fd < first[h]!) first[h] = fd;
          if (ld > last[h]! || (ld === last[h]! && npis[k]! > npi[h]!)) {
            last[h] = ld;
            npi[h] = npis[k]!;
          }
        }
      }
      for (let h = 0; h < hccs.length; h++) {
        if (first[h] === Infinity) throw new Error(`history: HCC ${hccs[h]} (${m}) has no code behind it; please report this`);
        let inInitial = false;
        for (let k = fi.start[i]!; k < fi.start[i + 1]!; k++) if (fi.hccs.ids[k] === hccs[h]) inInitial = true;
        out.number(r.mk).char(44).number(this.plan.serviceYear).char(44).text(m).char(44).number(hccs[h]!).char(44);
        out.number(hccFactor(c, r.segmentIndex, hccs[h]!), 1000).char(44).number(first[h]!).char(44).number(last[h]!).char(44);
        out.text(npi[h]!).char(44).text(inInitial ? 'true' : 'false').char(10);
      }
    }
  }
}
