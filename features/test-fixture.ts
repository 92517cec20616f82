// For the feature families' tests: a few hand-built rows of each source in an in-memory DuckDB,
// and one family's query run on them (the population and the T-1 claims built as in the feature
// table), so each test sees exactly the rows it wrote. Columns a test leaves out get a neutral
// value (stated beside each).
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { defaultCutoff } from '../data/received-by.ts';
import { claimCcsSql } from './claim-ccs.ts';
import type { FeatureFamily, FeatureSources } from './family.ts';
import { populationSql } from './population.ts';

export interface FixtureRows {
  /** birth_date 1950-06-15, sex F, orec 0, no death_date unless given. */
  members?: { member_id: string; birth_date?: string; sex?: 'M' | 'F'; orec?: string; death_date?: string }[];
  /** 12 months, dual_status none, not institutional unless given. */
  enrollment?: { member_id: string; year: number; months_enrolled?: number; dual_status?: string; institutional?: boolean }[];
  /** thru_date = from_date, professional, $0, no received_date (received on its thru_date) unless given. */
  claims?: { member_id: string; from_date: string; thru_date?: string; received_date?: string; claim_type?: string; paid_amount?: string; diagnosis_codes?: string[] }[];
  /** raf_history rows: segment CNA, scores 0 unless given. */
  history?: HistoryRow[];
  /** raf_hcc rows: model V28, factor 0, in_initial true unless given. */
  hcc?: HccRow[];
  /** The recapture rates' history when it is not `history` (a shard's features use the whole plan's). */
  rateHistory?: HistoryRow[];
  rateHcc?: HccRow[];
  /** ICD-10-CM code -> V28 CC pairs. */
  dxCc?: [string, number][];
  /** HCC -> factor pairs the evidence features sum (evidence.ts). */
  suspectFactors?: [number, number][];
}

export interface HistoryRow {
  member_id: string;
  year: number;
  segment?: string;
  raf?: number;
  raf_init?: number;
  raw_v24?: number;
  raw_v28?: number;
  n_hcc_v28?: number;
}

export interface HccRow {
  member_id: string;
  year: number;
  hcc: number;
  model?: 'V24' | 'V28';
  factor?: number;
  in_initial?: boolean;
  /** Null unless given (the evidence features' "coded" reads only member, year and HCC). */
  last_service_date?: string;
  provider_npi?: string;
}

type Cell = string | number | boolean | null | undefined | string[];

function literal(v: Cell): string {
  if (v === null || v === undefined) return 'NULL';
  if (Array.isArray(v)) return `[${v.map((s) => sqlString(s)).join(', ')}]::VARCHAR[]`;
  if (typeof v === 'string') return sqlString(v);
  return String(v);
}

/** CREATE TABLE name (columns) and its rows, each row's cells in the columns' order. */
function tableSql(name: string, columns: string, rows: Cell[][]): string {
  const create = `CREATE TABLE ${name} (${columns});`;
  if (rows.length === 0) return create;
  return `${create} INSERT INTO ${name} VALUES ${rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ')};`;
}

const HISTORY_COLUMNS = 'member_id VARCHAR, year INTEGER, segment VARCHAR, raf DOUBLE, raf_init DOUBLE, raw_v24 DOUBLE, raw_v28 DOUBLE, n_hcc_v28 INTEGER';
const HCC_COLUMNS = 'member_id VARCHAR, year INTEGER, model VARCHAR, hcc INTEGER, factor DOUBLE, in_initial BOOLEAN, last_service_date DATE, provider_npi VARCHAR';
const historyCells = (h: HistoryRow): Cell[] => [h.member_id, h.year, h.segment ?? 'CNA', h.raf ?? 0, h.raf_init ?? 0, h.raw_v24 ?? 0, h.raw_v28 ?? 0, h.n_hcc_v28 ?? 0];
const hccCells = (h: HccRow): Cell[] => [h.member_id, h.year, h.model ?? 'V28', h.hcc, h.factor ?? 0, h.in_initial ?? true, h.last_service_date, h.provider_npi];

/** The statements that create the fixture's tables, named as `fixtureSources` gives them. */
export function fixtureSql(rows: FixtureRows): string {
  return [
    tableSql(
      'members',
      'member_id VARCHAR, birth_date DATE, sex VARCHAR, orec VARCHAR, death_date DATE',
      (rows.members ?? []).map((m) => [m.member_id, m.birth_date ?? '1950-06-15', m.sex ?? 'F', m.orec ?? '0', m.death_date]),
    ),
    tableSql(
      'enrollment',
      'member_id VARCHAR, year INTEGER, months_enrolled INTEGER, dual_status VARCHAR, institutional BOOLEAN',
      (rows.enrollment ?? []).map((e) => [e.member_id, e.year, e.months_enrolled ?? 12, e.dual_status ?? 'none', e.institutional ?? false]),
    ),
    tableSql(
      'claims',
      'member_id VARCHAR, claim_type VARCHAR, from_date DATE, thru_date DATE, received_date DATE, paid_amount DECIMAL(14,2), diagnosis_codes VARCHAR[]',
      (rows.claims ?? []).map((c) => [c.member_id, c.claim_type ?? 'professional', c.from_date, c.thru_date ?? c.from_date, c.received_date, c.paid_amount ?? '0', c.diagnosis_codes ?? []]),
    ),
    tableSql('raf_history', HISTORY_COLUMNS, (rows.history ?? []).map(historyCells)),
    tableSql('raf_hcc', HCC_COLUMNS, (rows.hcc ?? []).map(hccCells)),
    tableSql('rate_history', HISTORY_COLUMNS, (rows.rateHistory ?? rows.history ?? []).map(historyCells)),
    tableSql('rate_hcc', HCC_COLUMNS, (rows.rateHcc ?? rows.hcc ?? []).map(hccCells)),
    tableSql('dx_cc', 'dx VARCHAR, cc INTEGER', (rows.dxCc ?? []).map(([dx, cc]) => [dx, cc])),
    tableSql('suspect_factor', 'hcc INTEGER, factor DOUBLE', (rows.suspectFactors ?? []).map(([h, f]) => [h, f])),
  ].join('\n');
}

/** The fixture's tables as a family's sources at as-of year `asOf` and data cut-off `dataThrough` (default January 1 of `asOf`). */
export function fixtureSources(asOf: number, dataThrough = defaultCutoff(asOf)): FeatureSources {
  return {
    asOf,
    dataThrough,
    members: 'members',
    enrollment: 'enrollment',
    claims: 'claims',
    history: 'raf_history',
    hcc: 'raf_hcc',
    rateHistory: 'rate_history',
    rateHcc: 'rate_hcc',
    dxCc: 'dx_cc',
    population: 'pop',
    claimCcs: 'claim_ccs',
    suspectFactors: 'suspect_factor',
  };
}

/** The population and the T-1 claims, named and built as the feature table builds them: CTEs. */
export function baseCtes(src: FeatureSources): string[] {
  return [`${src.population} AS (${populationSql(src)})`, `${src.claimCcs} AS (${claimCcsSql(src)})`];
}

/** The rows of the query `sql(src)` on the fixture's tables, and its column names. */
export async function queryFixture(
  rows: FixtureRows,
  asOf: number,
  sql: (src: FeatureSources) => string,
  dataThrough?: string,
): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  const db = await openDuckDb();
  try {
    await db.connection.run(fixtureSql(rows));
    const result = await db.connection.runAndReadAll(sql(fixtureSources(asOf, dataThrough)));
    return { columns: result.columnNames(), rows: result.getRowObjectsJson() as Record<string, unknown>[] };
  } finally {
    db.close();
  }
}

/**
 * One family's features on the fixture by member id (a row per member of the population), and
 * the query's columns (member_id, then the family's features).
 */
export async function familyRows(
  family: FeatureFamily,
  rows: FixtureRows,
  asOf: number,
  ccs: readonly number[] = [],
  dataThrough?: string,
): Promise<{ columns: string[]; byId: Record<string, Record<string, unknown>> }> {
  const r = await queryFixture(rows, asOf, (src) => `WITH ${[...baseCtes(src), `fam AS (${family.sql(src, ccs)})`].join(', ')} SELECT * FROM fam ORDER BY member_id`, dataThrough);
  return { columns: r.columns, byId: Object.fromEntries(r.rows.map((x) => [String(x.member_id), x])) };
}

/**
 * Copies a plan's members, enrollment and claims (Parquet) from `from` to `to` with every claim
 * received after `cutoff` altered: its diagnoses replaced by heart failure and diabetes with
 * complications (I5022, E1122: V28 HCCs 226 and 37) and $5,000 added to what was paid. Returns the
 * number of claims altered with dates of service before the cut-off's year (the ones a leak would
 * show in the features of that year).
 */
export async function copyPlanAlteringLateClaims(from: string, to: string, cutoff: string): Promise<number> {
  const db = await openDuckDb();
  try {
    const c = db.connection;
    for (const f of ['members', 'enrollment']) {
      await c.run(`COPY (SELECT * FROM read_parquet(${sqlString(`${from}/${f}.parquet`)})) TO ${sqlString(`${to}/${f}.parquet`)} (FORMAT parquet)`);
    }
    const late = `received_date > DATE ${sqlString(cutoff)}`;
    await c.run(
      `COPY (SELECT * REPLACE (CASE WHEN ${late} THEN ['I5022', 'E1122'] ELSE diagnosis_codes END AS diagnosis_codes,
                               CASE WHEN ${late} THEN paid_amount + 5000 ELSE paid_amount END AS paid_amount)
             FROM read_parquet(${sqlString(`${from}/claims.parquet`)})) TO ${sqlString(`${to}/claims.parquet`)} (FORMAT parquet)`,
    );
    const n = (await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(`${from}/claims.parquet`)}) WHERE ${late} AND thru_date < DATE '${cutoff.slice(0, 4)}-01-01'`)).getRowObjectsJson()[0]!.n;
    return Number(n);
  } finally {
    db.close();
  }
}
