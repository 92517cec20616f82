// `rafcast features`: one row per member enrolled in the as-of year T, from data dated before
// January 1 of T only (DOMAIN.md section 3): RAF_{T-2} and RAF_{T-1} with their change, paid
// dollars in T-1 per V28 condition category (log-scaled), dollars on claims that map to no HCC,
// HCCs coded in T-2 but not T-1 with their coefficients, visits and inpatient days, months
// enrolled, demographics and segment. Members new to the plan get explicit missing-value
// indicators. The feature names, their order and a version hash form the schema that every
// model run records and checks.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { copyAtomically, sqlString } from '../data/duckdb.ts';
import { ConfigError } from '../data/errors.ts';
import type { LoadSummary } from '../data/load-contract-file.ts';
import { ensureContractTables, openWorkDb } from '../data/staged-contract.ts';
import { SEGMENTS, availablePaymentYears, loadModelTables } from '../data/reference/cms-hcc-tables.ts';
import { findDataFiles } from '../data/contract-files.ts';

/** Bumped whenever a feature's definition changes, so that old models refuse new features. */
export const FEATURE_VERSION = 1;

/** The V28 condition categories whose T-1 dollars are features (the payment HCCs of V28). */
function dollarCcs(): number[] {
  const years = availablePaymentYears('V28');
  return [...loadModelTables('V28', years[years.length - 1]!).paymentHccs];
}

const SEGMENT_FEATURES = SEGMENTS.filter((s) => s !== 'SNPNE');

/** The features in order: names and one-line meanings. */
export function featureDefinitions(): { name: string; meaning: string }[] {
  const defs: { name: string; meaning: string }[] = [
    { name: 'age', meaning: 'age on February 1 of T + 1 (the payment year of RAF_T)' },
    { name: 'female', meaning: '1 for women' },
    { name: 'orec_disabled', meaning: 'original reason for entitlement: disability (OREC 1 or 3)' },
    { name: 'orec_esrd', meaning: 'original reason for entitlement: ESRD (OREC 2 or 3)' },
    { name: 'dual_full', meaning: 'full dual in T-1 (0 when not enrolled in T-1)' },
    { name: 'dual_partial', meaning: 'partial dual in T-1' },
    { name: 'institutional', meaning: 'long-term institutional in T-1' },
    ...SEGMENT_FEATURES.map((s) => ({ name: `segment_${s}`, meaning: `segment ${s} for RAF_{T-1}` })),
    { name: 'months_t1', meaning: 'months enrolled in T-1' },
    { name: 'months_t2', meaning: 'months enrolled in T-2' },
    { name: 'missing_t1', meaning: '1 when the member has no RAF_{T-1} (new to the plan): its RAF features are 0, not a healthy score' },
    { name: 'missing_t2', meaning: '1 when the member has no RAF_{T-2}' },
    { name: 'raf_t1', meaning: 'RAF_{T-1}: payment score from dates of service in T-1' },
    { name: 'raf_t2', meaning: 'RAF_{T-2}' },
    { name: 'raf_change', meaning: 'RAF_{T-1} - RAF_{T-2} (0 when either is missing)' },
    { name: 'raw_v24_t1', meaning: 'V24 raw score, T-1' },
    { name: 'raw_v28_t1', meaning: 'V28 raw score, T-1' },
    { name: 'raw_v24_t2', meaning: 'V24 raw score, T-2' },
    { name: 'raw_v28_t2', meaning: 'V28 raw score, T-2' },
    { name: 'raf_init_t1', meaning: 'RAF_init_{T-1}: July T-2 to June T-1' },
    { name: 'hccs_t1', meaning: 'V28 payment HCCs in T-1' },
    { name: 'hccs_t2', meaning: 'V28 payment HCCs in T-2' },
    { name: 'dropped_hccs', meaning: 'V28 HCCs coded in T-2 but not in T-1 (drop-offs)' },
    { name: 'dropped_factor', meaning: 'sum of the drop-offs\' V28 relative factors' },
    { name: 'late_hccs_t1', meaning: 'V28 HCCs of T-1 first coded in its second half (not in RAF_init_{T-1})' },
    {
      name: 'persistent_factor_t1',
      meaning: "sum over T-1's V28 HCCs of factor x the HCC's recapture rate (share of the plan's members with it in T-2 who had it again in T-1)",
    },
    { name: 'transient_factor_t1', meaning: "sum over T-1's V28 HCCs of factor x (1 - recapture rate)" },
    { name: 'log_paid_t1', meaning: 'log(1 + paid dollars on claims with dates of service in T-1)' },
    { name: 'log_paid_no_hcc_t1', meaning: 'log(1 + dollars on T-1 claims whose diagnoses map to no V28 condition category)' },
    { name: 'visits_t1', meaning: 'professional claims in T-1' },
    { name: 'outpatient_t1', meaning: 'outpatient facility claims in T-1' },
    { name: 'inpatient_days_t1', meaning: 'inpatient days in T-1 (thru - from + 1 per stay)' },
  ];
  for (const cc of dollarCcs()) {
    defs.push({ name: `log_paid_cc${cc}`, meaning: `log(1 + T-1 dollars on claims mapping to V28 CC ${cc}, a claim's dollars split evenly over its CCs)` });
  }
  return defs;
}

export interface FeatureSchema {
  version: number;
  names: string[];
  /** sha256 of the version and the names in order. */
  hash: string;
}

export function featureSchema(): FeatureSchema {
  const names = featureDefinitions().map((d) => d.name);
  const hash = createHash('sha256').update(JSON.stringify({ version: FEATURE_VERSION, names })).digest('hex');
  return { version: FEATURE_VERSION, names, hash };
}

export interface FeatureOptions {
  /** The contract's files (members, enrollment, claims). */
  data: string;
  /** Folder with raf_history.parquet and raf_hcc.parquet (`rafcast history`). */
  history: string;
  asOf: number;
  memoryLimit?: string;
  /** Work folder for staging the data when `conn` has not loaded it yet (see staged-contract.ts). */
  work?: string;
  /**
   * The history whose members give each HCC's recapture rate (default `history`). A shard's
   * features take the rates from the whole plan's history, so that they are the rows the whole
   * plan's features would have: the rates are a population figure, the rest is per member.
   */
  recaptureFrom?: string;
  /** Folders of already checked data (a queued run's shards) to read instead of loading `data`. */
  checked?: readonly string[];
}

/**
 * Loads the data (checked as by `rafcast load`) and the history on `conn`, and creates the table
 * `features_<T>` (member_id, then the schema's features in order) for the members enrolled in T.
 */
export async function createFeatureTable(conn: DuckDBConnection, opts: FeatureOptions): Promise<{ table: string; loaded: LoadSummary[] }> {
  const T = opts.asOf;
  const hist = join(opts.history, 'raf_history.parquet');
  const hcc = join(opts.history, 'raf_hcc.parquet');
  // The recapture rates' history (the whole plan's, for a shard) is checked with the member's own.
  const rates = opts.recaptureFrom ?? opts.history;
  const rateFiles = [join(rates, 'raf_history.parquet'), join(rates, 'raf_hcc.parquet')];
  for (const f of new Set([hist, hcc, ...rateFiles])) if (!existsSync(f)) throw new ConfigError(`${f} is missing: run rafcast history first`);
  const loaded = await ensureContractTables(conn, { files: () => findDataFiles(opts.data), checked: opts.checked, work: opts.work });
  const tables = await conn.runAndReadAll(`SELECT table_name AS t FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()`);
  const have = new Set(tables.getRowObjectsJson().map((r) => String(r.t)));
  const years = availablePaymentYears('V28');
  const ccTables = loadModelTables('V28', years.includes(T) ? T : years[years.length - 1]!);
  if (!have.has('_feat_dx_cc')) {
    const pairs: string[] = [];
    for (const [dx, ccs] of ccTables.dxToCc) for (const cc of ccs) pairs.push(`(${sqlString(dx)}, ${cc})`);
    await conn.run(`CREATE TEMP TABLE _feat_dx_cc (dx VARCHAR, cc INTEGER)`);
    for (let k = 0; k < pairs.length; k += 5000) await conn.run(`INSERT INTO _feat_dx_cc VALUES ${pairs.slice(k, k + 5000).join(', ')}`);
  }
  const ccs = dollarCcs();
  const table = `features_${T}`;
  const t1 = T - 1;
  const t2 = T - 2;
  const h = `read_parquet(${sqlString(hist)})`;
  const hh = `read_parquet(${sqlString(hcc)})`;
  const rh = `read_parquet(${sqlString(rateFiles[0]!)})`;
  const rhh = `read_parquet(${sqlString(rateFiles[1]!)})`;
  await conn.run(`DROP TABLE IF EXISTS ${table}`);
  await conn.run(
    `CREATE TABLE ${table} AS
     WITH pop AS (
       SELECT e.member_id, m.birth_date, m.sex, m.orec FROM enrollment e JOIN members m USING (member_id)
       WHERE e.year = ${T} AND e.months_enrolled > 0 AND (m.death_date IS NULL OR m.death_date >= DATE '${T}-01-01')),
     e1 AS (SELECT * FROM enrollment WHERE year = ${t1}),
     e2 AS (SELECT * FROM enrollment WHERE year = ${t2}),
     h1 AS (SELECT * FROM ${h} WHERE year = ${t1}),
     h2 AS (SELECT * FROM ${h} WHERE year = ${t2}),
     c1 AS (SELECT * FROM ${hh} WHERE model = 'V28' AND year = ${t1}),
     c2 AS (SELECT * FROM ${hh} WHERE model = 'V28' AND year = ${t2}),
     dropped AS (
       SELECT member_id, count(*) AS n, list_sum(list(factor ORDER BY hcc)) AS factor FROM c2
       WHERE NOT EXISTS (SELECT 1 FROM c1 WHERE c1.member_id = c2.member_id AND c1.hcc = c2.hcc) GROUP BY member_id),
     late AS (SELECT member_id, count(*) AS n FROM c1 WHERE NOT in_initial GROUP BY member_id),
     -- Each HCC's recapture rate from T-2 to T-1 over the members with a row in both years: a
     -- chronic condition is coded again, an acute one mostly not. Dates before T only.
     rc1 AS (SELECT member_id, hcc FROM ${rhh} WHERE model = 'V28' AND year = ${t1}),
     rc2 AS (SELECT member_id, hcc FROM ${rhh} WHERE model = 'V28' AND year = ${t2}),
     recapture AS (
       SELECT rc2.hcc, avg((rc1.member_id IS NOT NULL)::INTEGER) AS rate
       FROM rc2 JOIN (SELECT member_id FROM ${rh} WHERE year = ${t1}) USING (member_id)
         LEFT JOIN rc1 ON rc1.member_id = rc2.member_id AND rc1.hcc = rc2.hcc GROUP BY rc2.hcc),
     carry AS (
       SELECT c1.member_id, list_sum(list(c1.factor * coalesce(r.rate, 0) ORDER BY c1.hcc)) AS persistent,
              list_sum(list(c1.factor * (1 - coalesce(r.rate, 0)) ORDER BY c1.hcc)) AS transient
       FROM c1 LEFT JOIN recapture r USING (hcc) GROUP BY c1.member_id),
     claims_t1 AS (
       SELECT row_number() OVER () AS k, member_id, claim_type, from_date, thru_date, paid_amount AS paid, diagnosis_codes
       FROM claims WHERE thru_date BETWEEN DATE '${t1}-01-01' AND DATE '${t1}-12-31'),
     claim_ccs AS (
       SELECT k, list(DISTINCT d.cc) AS ccs FROM (SELECT k, unnest(diagnosis_codes) AS dx FROM claims_t1) u JOIN _feat_dx_cc d USING (dx) GROUP BY k),
     -- Dollars are summed exactly (cents, and a claim's share of a CC in whole micro-dollars), so the
     -- features do not depend on the order DuckDB's threads add rows in: the same bytes every run,
     -- whole plan or shard by shard. Sums of factors are taken in HCC order for the same reason.
     per_claim AS (
       SELECT c.*, coalesce(x.ccs, []) AS ccs, (c.paid * 1000000)::BIGINT // greatest(len(coalesce(x.ccs, [])), 1) AS share_micro
       FROM claims_t1 c LEFT JOIN claim_ccs x USING (k)),
     cc_dollars AS (
       SELECT member_id, ${ccs.map((cc) => `sum(share_micro) FILTER (WHERE list_contains(ccs, ${cc})) AS d${cc}`).join(', ')}
       FROM per_claim WHERE len(ccs) > 0 GROUP BY member_id),
     use AS (
       SELECT member_id, sum(paid) AS paid, sum(paid) FILTER (WHERE len(ccs) = 0) AS paid_no_hcc,
              count(*) FILTER (WHERE claim_type = 'professional') AS visits,
              count(*) FILTER (WHERE claim_type = 'outpatient') AS outpatient,
              sum(date_diff('day', from_date, thru_date) + 1) FILTER (WHERE claim_type = 'inpatient') AS inpatient_days
       FROM per_claim GROUP BY member_id)
     SELECT p.member_id,
       (${T + 1} - year(p.birth_date) - CASE WHEN strftime(p.birth_date, '%m%d') > '0201' THEN 1 ELSE 0 END)::DOUBLE AS age,
       (p.sex = 'F')::INTEGER::DOUBLE AS female,
       (p.orec IN ('1', '3'))::INTEGER::DOUBLE AS orec_disabled,
       (p.orec IN ('2', '3'))::INTEGER::DOUBLE AS orec_esrd,
       coalesce(e1.dual_status = 'full', false)::INTEGER::DOUBLE AS dual_full,
       coalesce(e1.dual_status = 'partial', false)::INTEGER::DOUBLE AS dual_partial,
       coalesce(e1.institutional, false)::INTEGER::DOUBLE AS institutional,
       ${SEGMENT_FEATURES.map((s) => `coalesce(h1.segment = '${s}', false)::INTEGER::DOUBLE AS segment_${s}`).join(',\n       ')},
       coalesce(e1.months_enrolled, 0)::DOUBLE AS months_t1,
       coalesce(e2.months_enrolled, 0)::DOUBLE AS months_t2,
       (h1.member_id IS NULL)::INTEGER::DOUBLE AS missing_t1,
       (h2.member_id IS NULL)::INTEGER::DOUBLE AS missing_t2,
       coalesce(h1.raf, 0)::DOUBLE AS raf_t1,
       coalesce(h2.raf, 0)::DOUBLE AS raf_t2,
       coalesce(h1.raf - h2.raf, 0)::DOUBLE AS raf_change,
       coalesce(h1.raw_v24, 0)::DOUBLE AS raw_v24_t1,
       coalesce(h1.raw_v28, 0)::DOUBLE AS raw_v28_t1,
       coalesce(h2.raw_v24, 0)::DOUBLE AS raw_v24_t2,
       coalesce(h2.raw_v28, 0)::DOUBLE AS raw_v28_t2,
       coalesce(h1.raf_init, 0)::DOUBLE AS raf_init_t1,
       coalesce(h1.n_hcc_v28, 0)::DOUBLE AS hccs_t1,
       coalesce(h2.n_hcc_v28, 0)::DOUBLE AS hccs_t2,
       coalesce(dropped.n, 0)::DOUBLE AS dropped_hccs,
       coalesce(dropped.factor, 0)::DOUBLE AS dropped_factor,
       coalesce(late.n, 0)::DOUBLE AS late_hccs_t1,
       coalesce(carry.persistent, 0)::DOUBLE AS persistent_factor_t1,
       coalesce(carry.transient, 0)::DOUBLE AS transient_factor_t1,
       ln(1 + coalesce(use.paid, 0)::DOUBLE)::DOUBLE AS log_paid_t1,
       ln(1 + coalesce(use.paid_no_hcc, 0)::DOUBLE)::DOUBLE AS log_paid_no_hcc_t1,
       coalesce(use.visits, 0)::DOUBLE AS visits_t1,
       coalesce(use.outpatient, 0)::DOUBLE AS outpatient_t1,
       coalesce(use.inpatient_days, 0)::DOUBLE AS inpatient_days_t1,
       ${ccs.map((cc) => `ln(1 + coalesce(cc_dollars.d${cc}, 0)::DOUBLE / 1e6)::DOUBLE AS log_paid_cc${cc}`).join(',\n       ')}
     FROM pop p
       LEFT JOIN e1 USING (member_id) LEFT JOIN e2 USING (member_id)
       LEFT JOIN h1 USING (member_id) LEFT JOIN h2 USING (member_id)
       LEFT JOIN dropped USING (member_id) LEFT JOIN late USING (member_id) LEFT JOIN carry USING (member_id)
       LEFT JOIN use USING (member_id) LEFT JOIN cc_dollars USING (member_id)
     ORDER BY p.member_id`,
  );
  // The table's columns must be the schema's, in order: a guard against the SQL and the
  // definitions drifting apart.
  const cols = (await conn.runAndReadAll(`SELECT column_name AS c FROM (DESCRIBE ${table})`)).getRowObjectsJson().map((r) => String(r.c));
  const names = featureSchema().names;
  if (JSON.stringify(cols.slice(1)) !== JSON.stringify(names)) {
    throw new Error(`the feature table's columns differ from the schema; please report this`);
  }
  return { table, loaded };
}

export interface FeatureFileSummary {
  output: string;
  members: number;
  schema: FeatureSchema;
}

/** Writes the features of as-of year T to a Parquet file, and the schema beside it. */
export async function buildFeatures(opts: FeatureOptions & { out: string }): Promise<FeatureFileSummary> {
  await mkdir(dirname(opts.out), { recursive: true, mode: 0o700 });
  const db = await openWorkDb(undefined, opts.memoryLimit);
  try {
    const { table } = await createFeatureTable(db.conn, { ...opts, work: db.work });
    await copyAtomically(db.conn, `SELECT ${opts.asOf} AS as_of, * FROM ${table} ORDER BY member_id`, opts.out, 'parquet');
    const n = Number((await db.conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${table}`)).getRowObjectsJson()[0]!.n);
    return { output: opts.out, members: n, schema: featureSchema() };
  } finally {
    await db.close();
  }
}
