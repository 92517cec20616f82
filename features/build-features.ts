// `rafcast features`: one row per member enrolled in the as-of year T, from data dated before
// January 1 of T only (DOMAIN.md section 3), and known on the run's data cut-off (default January 1
// of T): the claims received by then (data/received-by.ts) and the history as known on that date
// (known-history.ts). Each feature family is one file (demographics.ts, raf-history.ts,
// hcc-counts.ts, drop-offs.ts, recapture.ts, utilisation.ts, cc-dollars.ts); this file loads the
// sources, joins the families' queries in the schema's order (schema.ts) and writes the table.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { copyAtomically, existingRelations, sqlString } from '../data/duckdb.ts';
import { ConfigError } from '../data/errors.ts';
import type { LoadSummary } from '../data/load-contract-file.ts';
import { ensureContractTables, openWorkDb } from '../data/staged-contract.ts';
import { tablesFor, tablesYearFor } from '../data/reference/tables-for.ts';
import { findModelDataFiles } from '../data/contract-files.ts';
import { loadSuspectRules } from '../data/reference/suspect-rules.ts';
import { defaultCutoff, parseCutoff } from '../data/received-by.ts';
import { claimCcsSql } from './claim-ccs.ts';
import type { FeatureSources } from './family.ts';
import { computeKnownHistory } from './known-history.ts';
import { createCodedTables, createSuspectRuleTables } from './suspect-evidence.ts';
import { populationSql, requireMembersAt } from './population.ts';
import { FEATURE_FAMILIES, featureCcs, featureSchema, type FeatureSchema } from './schema.ts';

export interface FeatureOptions {
  /** The contract's files (members, enrollment, claims). */
  data: string;
  /**
   * The complete history (`rafcast history`): what each year was scored with (history.json), which
   * the history as known on the cut-off repeats. The features read no score of it.
   */
  history: string;
  asOf: number;
  /** The data cut-off (YYYY-MM-DD): only claims received by then count. Default January 1 of T. */
  dataThrough?: string;
  /**
   * The history as known on the cut-off for the years the features read (known-history.ts), when
   * already computed (a queued run's history stage); unset: computed in the work folder.
   */
  knownHistory?: string;
  memoryLimit?: string;
  /** Work folder for staging the data when `conn` has not loaded it yet (see staged-contract.ts). */
  work?: string;
  /**
   * The history as known on the cut-off whose members give each HCC's recapture rate (default the
   * member's own, `knownHistory`). A shard's features take the rates from the whole plan's, so that
   * they are the rows the whole plan's features would have: the rates are a population figure, the
   * rest is per member.
   */
  recaptureFrom?: string;
  /** Folders of already checked data (a queued run's shards) to read instead of loading `data`. */
  checked?: readonly string[];
  /** Where the membership of T comes from (population.ts): a shard is told the whole plan's. Unset: the enrollment decides. */
  enrollmentOfAsOf?: 'data' | 'assumed';
}

/**
 * The query of the feature table: member_id, then every family's features in the schema's order,
 * one row per member of the population, in member id order. `src.population` and `src.claimCcs`
 * are the names this query gives its population and T-1 claims.
 */
export function featureTableSql(src: FeatureSources, ccs: readonly number[]): string {
  const ctes = [
    `${src.population} AS (${populationSql(src)})`,
    `${src.claimCcs} AS (${claimCcsSql(src)})`,
    ...FEATURE_FAMILIES.map((f) => `f_${f.name} AS (${f.sql(src, ccs)})`),
  ];
  const columns = FEATURE_FAMILIES.flatMap((f) => f.definitions(ccs).map((d) => `f_${f.name}.${d.name}`));
  return `WITH ${ctes.join(',\n     ')}
     SELECT p.member_id, ${columns.join(', ')}
     FROM ${src.population} p
       ${FEATURE_FAMILIES.map((f) => `LEFT JOIN f_${f.name} USING (member_id)`).join(' ')}
     ORDER BY p.member_id`;
}

/**
 * A temporary table of the ICD-10-CM to V28 condition category map of the tables that stand for
 * payment year `paymentYear` (data/reference/tables-for.ts), created once per connection and
 * table year; returns its name.
 */
async function dxCcTable(conn: DuckDBConnection, paymentYear: number): Promise<string> {
  const year = tablesYearFor('V28', paymentYear);
  const name = `_feat_dx_cc_${year}`;
  if ((await existingRelations(conn, [name])).has(name)) return name;
  const pairs: string[] = [];
  for (const [dx, ccs] of tablesFor('V28', paymentYear).dxToCc) for (const cc of ccs) pairs.push(`(${sqlString(dx)}, ${cc})`);
  await conn.run(`CREATE TEMP TABLE ${name} (dx VARCHAR, cc INTEGER)`);
  for (let k = 0; k < pairs.length; k += 5000) await conn.run(`INSERT INTO ${name} VALUES ${pairs.slice(k, k + 5000).join(', ')}`);
  return name;
}

/**
 * The tables the evidence features read (evidence.ts): the suspect rules and "coded" of the V28
 * tables for payment year T (suspect-evidence.ts), the V28 HCCs coded in `hcc` (the history as
 * known on the cut-off), and each payment HCC's community, non-dual, aged factor
 * (SUSPECT_FACTOR_TABLE).
 */
async function createEvidenceTables(conn: DuckDBConnection, T: number, hcc: string, dataThrough: string): Promise<void> {
  const v28 = tablesFor('V28', T);
  await createSuspectRuleTables(conn, loadSuspectRules(v28), v28);
  await createCodedTables(conn, { asOf: T, dataThrough, hcc });
  const rows = v28.paymentHccs.map((h) => {
    const f = v28.coefficients.get(`CNA_HCC${h}`);
    if (f === undefined) throw new Error(`the V28 tables for ${v28.paymentYear} have no CNA_HCC${h}; please report this`);
    return `(${h}, ${f})`;
  });
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${SUSPECT_FACTOR_TABLE} AS SELECT * FROM (VALUES ${rows.join(', ')}) t(hcc, factor)`);
}

/** The evidence features' factor table (hcc, factor), created by createEvidenceTables. */
const SUSPECT_FACTOR_TABLE = '_feat_suspect_factor';

/**
 * Loads the data (checked as by `rafcast load`) and the history on `conn`, and creates the table
 * `features_<T>` (member_id, then the schema's features in order) for the members enrolled in T.
 */
export async function createFeatureTable(
  conn: DuckDBConnection,
  opts: FeatureOptions,
  log: (line: string) => void = () => undefined,
): Promise<{ table: string; loaded: LoadSummary[]; dataThrough: string }> {
  const T = opts.asOf;
  const dataThrough = parseCutoff(opts.dataThrough ?? defaultCutoff(T));
  // A cut-off before T-1 begins would leave the features nothing of T-1: surely a mistake.
  if (dataThrough < `${T - 1}-01-01`) throw new ConfigError(`the data cut-off ${dataThrough} is before ${T - 1} begins: the features of ${T} read T-1 = ${T - 1}`);
  const complete = join(opts.history, 'raf_history.parquet');
  if (!existsSync(complete)) throw new ConfigError(`${complete} is missing: run rafcast history first`);
  const loaded = await ensureContractTables(conn, { files: () => findModelDataFiles(opts.data), checked: opts.checked, work: opts.work });
  const known = opts.knownHistory ?? (await knownHistoryIn(opts, dataThrough, log));
  const hist = join(known, 'raf_history.parquet');
  const hcc = join(known, 'raf_hcc.parquet');
  // The recapture rates' history (the whole plan's, for a shard) is checked with the member's own.
  const rates = opts.recaptureFrom ?? known;
  const rateFiles = [join(rates, 'raf_history.parquet'), join(rates, 'raf_hcc.parquet')] as const;
  for (const f of new Set([hist, hcc, ...rateFiles])) if (!existsSync(f)) throw new ConfigError(`${f} is missing: the history as known on ${dataThrough} has not been computed`);
  // Claims of T-1 pay in payment year T: their diagnoses map by the tables for T.
  const dxCc = await dxCcTable(conn, T);
  const evidenceViews = await existingRelations(conn, ['pharmacy', 'labs']);
  // Only a plan with evidence needs the rule, coded and factor tables: without, the evidence
  // features are 0 for every member (evidence.ts) and read none of them.
  if (evidenceViews.size > 0) await createEvidenceTables(conn, T, `read_parquet(${sqlString(hcc)})`, dataThrough);
  const src: FeatureSources = {
    asOf: T,
    dataThrough,
    members: 'members',
    enrollment: 'enrollment',
    claims: 'claims',
    history: `read_parquet(${sqlString(hist)})`,
    hcc: `read_parquet(${sqlString(hcc)})`,
    rateHistory: `read_parquet(${sqlString(rateFiles[0])})`,
    rateHcc: `read_parquet(${sqlString(rateFiles[1])})`,
    dxCc,
    population: 'pop',
    claimCcs: 'claim_ccs',
    ...(opts.enrollmentOfAsOf !== undefined ? { enrollmentOfAsOf: opts.enrollmentOfAsOf } : {}),
    ...(evidenceViews.has('pharmacy') ? { pharmacy: 'pharmacy' } : {}),
    ...(evidenceViews.has('labs') ? { labs: 'labs' } : {}),
    suspectFactors: SUSPECT_FACTOR_TABLE,
  };
  const table = `features_${T}`;
  await conn.run(`DROP TABLE IF EXISTS ${table}`);
  await conn.run(`CREATE TABLE ${table} AS ${featureTableSql(src, featureCcs())}`);
  // The table's columns must be the schema's, in order: a guard against the SQL and the
  // definitions drifting apart.
  const cols = (await conn.runAndReadAll(`SELECT column_name AS c FROM (DESCRIBE ${table})`)).getRowObjectsJson().map((r) => String(r.c));
  const names = featureSchema().names;
  if (JSON.stringify(cols.slice(1)) !== JSON.stringify(names)) {
    throw new Error(`the feature table's columns differ from the schema; please report this`);
  }
  return { table, loaded, dataThrough };
}

/**
 * The history as known on `dataThrough` for the features of as-of T, computed in the work folder
 * (removed with it, so never stale): from the checked folder when the data is one, else the
 * contract's files. Returns its folder.
 */
export async function knownHistoryIn(
  opts: Pick<FeatureOptions, 'data' | 'history' | 'asOf' | 'work' | 'checked' | 'memoryLimit'>,
  dataThrough: string,
  log: (line: string) => void = () => undefined,
): Promise<string> {
  if (opts.work === undefined) throw new Error('no work folder to compute the history as known on the cut-off in');
  if (opts.checked !== undefined && opts.checked.length !== 1) throw new Error('the history as known on a cut-off is computed from one checked folder; pass knownHistory for several');
  const out = join(opts.work, `history-${opts.asOf}-through-${dataThrough}`);
  log(`the history as known on ${dataThrough} (claims received by then), for the features of ${opts.asOf} ...`);
  await computeKnownHistory({
    data: opts.checked?.[0] ?? opts.data,
    checked: opts.checked !== undefined,
    history: opts.history,
    asOf: opts.asOf,
    dataThrough,
    out,
    ...(opts.memoryLimit !== undefined ? { memoryLimit: opts.memoryLimit } : {}),
  });
  return out;
}

export interface FeatureFileSummary {
  output: string;
  members: number;
  schema: FeatureSchema;
  /** The data cut-off the features were built with. */
  dataThrough: string;
}

/** The Parquet metadata key under which a feature table records its data cut-off (read back by featureTableCutoff). */
export const FEATURES_CUTOFF_KEY = 'rafcast_data_through';

/** The data cut-off a feature table file records, or undefined for a file that records none (built before issue 15). */
export async function featureTableCutoff(conn: DuckDBConnection, file: string): Promise<string | undefined> {
  const rows = (
    await conn.runAndReadAll(
      `SELECT decode(value) AS v FROM parquet_kv_metadata(${sqlString(file)}) WHERE decode(key) = ${sqlString(FEATURES_CUTOFF_KEY)}`,
    )
  ).getRowObjectsJson();
  return rows.length === 0 ? undefined : String(rows[0]!.v);
}

/** Writes the features of as-of year T to a Parquet file, and the schema beside it. */
export async function buildFeatures(
  opts: FeatureOptions & { out: string; requireMembers?: boolean },
  log: (line: string) => void = () => undefined,
): Promise<FeatureFileSummary> {
  await mkdir(dirname(opts.out), { recursive: true, mode: 0o700 });
  const db = await openWorkDb(undefined, opts.memoryLimit);
  try {
    const { table, dataThrough } = await createFeatureTable(db.conn, { ...opts, work: db.work }, log);
    const n = Number((await db.conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${table}`)).getRowObjectsJson()[0]!.n);
    // A whole plan's table (rafcast features) must have members; a shard's may have none.
    if (opts.requireMembers === true) requireMembersAt(n, opts.asOf, opts.data);
    await copyAtomically(db.conn, `SELECT ${opts.asOf} AS as_of, * FROM ${table} ORDER BY member_id`, opts.out, 'parquet', { [FEATURES_CUTOFF_KEY]: dataThrough });
    return { output: opts.out, members: n, schema: featureSchema(), dataThrough };
  } finally {
    await db.close();
  }
}
