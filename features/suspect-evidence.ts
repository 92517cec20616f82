// The evidence of an uncoded condition (issue 17, "Suspects"; the rules in
// data/reference/suspects/README.md), in DuckDB SQL over staged tables: a fill, a lab result or a
// pair of coded HCCs that implies a V28 HCC that was never coded in the look-back (T-2, T-1, T so
// far). "Coded" covers the HCC itself and any HCC that outranks it in the V28 hierarchy (insulin
// suggests no diabetes HCC 38 when 37 is coded), and each evidence type keeps only the most severe
// HCC it suggests (eGFR < 30 twice suggests 327, not also 328). Fills and lab results count when
// dated from January 1 of T-1 to the data cut-off and received by the cut-off (data/received-by.ts,
// the one rule: no received_date = received on the fill or result date). The coded HCCs are the
// history as known on the cut-off (known-history.ts). Read by `rafcast suspects`
// (evaluation/suspects/suspect-sql.ts, which adds the open HCCs) and by the model's evidence
// features (evidence.ts), so that a suspect and a feature are one rule.
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../data/duckdb.ts';
import { parseCutoff, receivedBySql } from '../data/received-by.ts';
import type { ModelTables } from '../data/reference/cms-hcc-tables.ts';
import type { SuspectRules } from '../data/reference/suspect-rules.ts';

/** The relations (SQL text) the suspects read. */
export interface SuspectSources {
  asOf: number;
  /** The data cut-off, YYYY-MM-DD. */
  dataThrough: string;
  /** raf_hcc of the history as known on the cut-off, years T-2 to T (its V28 rows are read). */
  hcc: string;
  /** The pharmacy table (data/contract.ts PHARMACY), when the plan has one. */
  pharmacy?: string;
  /** The labs table (data/contract.ts LABS), when the plan has one. */
  labs?: string;
}

/** The first day of the evidence window: January 1 of T-1 (the window ends on the cut-off). */
export const evidenceFrom = (asOf: number): string => `${Math.trunc(asOf) - 1}-01-01`;

const list = (xs: readonly (string | number)[]): string => `[${xs.map((x) => (typeof x === 'number' ? String(x) : sqlString(x))).join(', ')}]`;

/**
 * Creates the rule tables (_sus_med, _sus_lab, _sus_com) and _sus_cover (hcc, coded_hcc): HCC `hcc` is
 * coded when HCC `coded_hcc` is, itself or one that outranks it in `v28`'s hierarchy.
 */
export async function createSuspectRuleTables(conn: DuckDBConnection, rules: SuspectRules, v28: ModelTables): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE _sus_med (rule VARCHAR, atc_prefix VARCHAR, hcc INTEGER, strength VARCHAR)`);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _sus_lab (rule VARCHAR, loinc VARCHAR[], units VARCHAR[], comparator VARCHAR, threshold DOUBLE, min_results INTEGER, min_days_apart INTEGER, hcc INTEGER)`,
  );
  await conn.run(`CREATE OR REPLACE TEMP TABLE _sus_com (rule VARCHAR, if_any INTEGER[], and_any INTEGER[], hcc INTEGER)`);
  const insert = async (table: string, rows: string[]): Promise<void> => {
    if (rows.length > 0) await conn.run(`INSERT INTO ${table} VALUES ${rows.join(', ')}`);
  };
  await insert('_sus_med', rules.medication.map((r) => `(${sqlString(r.rule)}, ${sqlString(r.atcPrefix)}, ${r.hcc}, ${sqlString(r.strength)})`));
  await insert(
    '_sus_lab',
    rules.lab.map(
      (r) => `(${sqlString(r.rule)}, ${list(r.loinc)}, ${list(r.units)}, ${sqlString(r.comparator)}, ${r.threshold}, ${r.minResults}, ${r.minDaysApart}, ${r.hcc})`,
    ),
  );
  await insert('_sus_com', rules.comorbidity.map((r) => `(${sqlString(r.rule)}, ${list(r.ifAnyHcc)}, ${list(r.andAnyHcc)}, ${r.hcc})`));
  await createCoverTable(conn, v28, '_sus_cover');
}

/**
 * Creates `table` (hcc, coded_hcc): HCC `hcc` counts as coded when `coded_hcc` is, itself or one
 * that outranks it in `v28`'s hierarchy. The one rule of "coded" for the suspects and the
 * providers' recapture rate (evaluation/providers).
 */
export async function createCoverTable(conn: DuckDBConnection, v28: ModelTables, table: string): Promise<void> {
  const cover = v28.paymentHccs.map((h) => `(${h}, ${h})`);
  for (const r of v28.hierarchy) for (const c of r.children) cover.push(`(${c}, ${r.parent})`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM (VALUES ${cover.join(', ')}) t(hcc, coded_hcc)`);
}

/** SQL true when `member`'s HCC `hcc` is coded in `coded` (a relation of member_id, hcc), itself or above it. */
export const codedIn = (coded: string, member: string, hcc: string): string =>
  `EXISTS (SELECT 1 FROM _sus_cover cv JOIN ${coded} cd ON cd.hcc = cv.coded_hcc WHERE cv.hcc = ${hcc} AND cd.member_id = ${member})`;

/** The columns every evidence query gives, in this order. */
export const SUSPECT_COLUMNS = 'member_id, hcc, evidence_type, rules, strength, detail, first_date, last_date, n, provider_npi';

/**
 * Creates the tables the evidence queries read: _sus_coded (member_id, hcc, last_year,
 * last_date, provider_npi: V28 HCCs coded in T-2..T as known on the cut-off) and _sus_coded_t
 * (those coded in T so far).
 */
export async function createCodedTables(conn: DuckDBConnection, src: SuspectSources): Promise<void> {
  const T = Math.trunc(src.asOf);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _sus_coded AS
     SELECT member_id, hcc, max(year) AS last_year, max(last_service_date) AS last_date,
            arg_max(provider_npi, (year, last_service_date)) AS provider_npi
     FROM ${src.hcc} WHERE model = 'V28' AND year BETWEEN ${T - 2} AND ${T} GROUP BY member_id, hcc`,
  );
  await conn.run(`CREATE OR REPLACE TEMP TABLE _sus_coded_t AS SELECT DISTINCT member_id, hcc FROM ${src.hcc} WHERE model = 'V28' AND year = ${T}`);
}

/**
 * Medication: fills in the window whose ATC code starts with a rule's prefix. A rule's prefix is an
 * ATC code of level 3, 4 or 5 (4, 5 or 7 characters): a fill is joined on its own prefixes of those
 * lengths, a hash join however many fills there are.
 */
export function medicationSql(src: SuspectSources, pharmacy: string): string {
  const C = parseCutoff(src.dataThrough);
  return `SELECT f.member_id, r.hcc, 'medication' AS evidence_type, string_agg(DISTINCT r.rule, '|' ORDER BY r.rule) AS rules,
      CASE WHEN bool_or(r.strength = 'strong') THEN 'strong' ELSE 'weak' END AS strength,
      count(DISTINCT f.fill_id) || ' fills (' || string_agg(DISTINCT f.atc_code, ' ' ORDER BY f.atc_code) || ')' AS detail,
      min(f.fill_date) AS first_date, max(f.fill_date) AS last_date, count(DISTINCT f.fill_id)::INTEGER AS n,
      arg_max(f.prescriber_npi, (f.fill_date, f.fill_id)) AS provider_npi
    FROM (SELECT *, unnest([left(atc_code, 4), left(atc_code, 5), left(atc_code, 7)]) AS atc_prefix
          FROM ${pharmacy} WHERE atc_code IS NOT NULL AND fill_date BETWEEN DATE '${evidenceFrom(src.asOf)}' AND DATE '${C}'
            AND ${receivedBySql(C, '', 'fill_date')}) f
      JOIN _sus_med r ON r.atc_prefix = f.atc_prefix AND length(f.atc_code) >= length(r.atc_prefix)
    GROUP BY f.member_id, r.hcc`;
}

/** Lab: per rule, the qualifying results in the window; the rule holds on enough results far enough apart. */
export function labSql(src: SuspectSources, labs: string): string {
  const C = parseCutoff(src.dataThrough);
  return `SELECT member_id, hcc, 'lab' AS evidence_type, string_agg(rule, '|' ORDER BY rule) AS rules, 'strong' AS strength,
      string_agg(detail, '; ' ORDER BY rule) AS detail, min(first_date) AS first_date, max(last_date) AS last_date,
      sum(n)::INTEGER AS n, arg_max(provider_npi, last_date) AS provider_npi
    FROM (
      SELECT l.member_id, r.hcc, r.rule,
        r.rule || ': ' || count(*) || ' results ' || r.comparator || ' ' || r.threshold || ', last ' || arg_max(l.value, (l.result_date, l.result_id)) || ' ' || arg_max(l.unit, (l.result_date, l.result_id)) AS detail,
        min(l.result_date) AS first_date, max(l.result_date) AS last_date, count(*) AS n,
        arg_max(l.ordering_npi, (l.result_date, l.result_id)) AS provider_npi
      FROM ${labs} l JOIN (SELECT *, unnest(loinc) AS code FROM _sus_lab) r ON r.code = l.loinc
        AND list_contains(r.units, lower(regexp_replace(l.unit, '\\s+', '', 'g')))
        AND CASE r.comparator WHEN '<' THEN l.value < r.threshold WHEN '<=' THEN l.value <= r.threshold
                              WHEN '>=' THEN l.value >= r.threshold ELSE l.value > r.threshold END
      WHERE l.result_date BETWEEN DATE '${evidenceFrom(src.asOf)}' AND DATE '${C}' AND ${receivedBySql(C, 'l', 'result_date')}
      GROUP BY l.member_id, r.hcc, r.rule, r.comparator, r.threshold, r.min_results, r.min_days_apart
      HAVING count(*) >= r.min_results AND date_diff('day', min(l.result_date), max(l.result_date)) >= r.min_days_apart)
    GROUP BY member_id, hcc`;
}

/** Comorbidity: one HCC of each of a rule's lists coded in the look-back. */
export function comorbiditySql(): string {
  return `SELECT member_id, hcc, 'comorbidity' AS evidence_type, string_agg(DISTINCT rule, '|' ORDER BY rule) AS rules, 'strong' AS strength,
      string_agg(DISTINCT detail, '; ' ORDER BY detail) AS detail, min(last_date) AS first_date, max(last_date) AS last_date,
      count(*)::INTEGER AS n, arg_max(provider_npi, last_date) AS provider_npi
    FROM (
      SELECT a.member_id, r.hcc, r.rule, r.rule || ': HCC ' || a.hcc || ' and HCC ' || b.hcc || ' coded' AS detail,
        greatest(a.last_date, b.last_date) AS last_date, CASE WHEN a.last_date >= b.last_date THEN a.provider_npi ELSE b.provider_npi END AS provider_npi
      FROM _sus_com r JOIN _sus_coded a ON list_contains(r.if_any, a.hcc) JOIN _sus_coded b ON b.member_id = a.member_id AND list_contains(r.and_any, b.hcc))
    GROUP BY member_id, hcc`;
}

/**
 * The rows of `implied` (SUSPECT_COLUMNS: evidence of an implied HCC) whose HCC was never coded in
 * the look-back (_sus_coded, createCodedTables), each the most severe of its member's and evidence
 * type's (none of the same type outranks it).
 */
export function uncodedMostSevereSql(implied: string): string {
  return `WITH uncoded AS MATERIALIZED (SELECT * FROM (${implied}) i WHERE NOT ${codedIn('_sus_coded', 'i.member_id', 'i.hcc')})
     SELECT ${SUSPECT_COLUMNS} FROM uncoded u
     WHERE NOT EXISTS (SELECT 1 FROM uncoded w JOIN _sus_cover cv ON cv.coded_hcc = w.hcc AND cv.hcc = u.hcc
                       WHERE w.member_id = u.member_id AND w.evidence_type = u.evidence_type AND w.hcc <> u.hcc)`;
}

/**
 * The implied-HCC evidence of `src`'s pharmacy and labs (when given) and, unless left out, of the
 * coded pairs, SUSPECT_COLUMNS, before uncodedMostSevereSql. Without the coded pairs a caller
 * gives pharmacy or labs (the evidence features and dollars return 0 before asking otherwise).
 */
export function impliedEvidenceSql(src: SuspectSources, withComorbidity = true): string {
  const implied = withComorbidity ? [comorbiditySql()] : [];
  if (src.pharmacy !== undefined) implied.push(medicationSql(src, src.pharmacy));
  if (src.labs !== undefined) implied.push(labSql(src, src.labs));
  if (implied.length === 0) throw new Error('no evidence to imply HCCs from: neither pharmacy nor labs, and the coded pairs left out');
  return implied.map((q) => `SELECT ${SUSPECT_COLUMNS} FROM (${q})`).join(' UNION ALL ');
}
