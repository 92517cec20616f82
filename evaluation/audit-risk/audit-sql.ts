// Audit-risk (overuse) alerts of payment year T (issue 17, "Overuse alerts"; the rules and their
// sources in data/reference/audit-risk/), in DuckDB SQL over the staged tables: for each V28
// payment HCC of service year T-1 in the history (what pays in T), the claims of T-1 behind it
// (risk-adjustment eligible by scoring/history/eligible-claims.ts, the history's one rule, with a
// diagnosis mapping to the HCC's CC in the V28 tables of payment year T), and one alert per rule
// those claims break:
// - single_claim: one claim;
// - unacceptable_specialty: every claim professional, and every rendering NPI in the providers
//   file with a specialty not on CMS's acceptable list (an NPI not in the file, or no NPI, is
//   not judged; without a providers file the rule is not evaluated);
// - chart_review_only: every record a chart review (record_source chart_review_*);
// - acute_outpatient_only: an acute HCC of the rule (228, 249) with no inpatient claim behind it,
//   and no inpatient claim of any year mapping to the HCC within window_days before or after one
//   of its claims (the stay overlapping [from - W, thru + W]);
// - lone_severity: one provider (NPI) codes the HCC, and a claim of another provider codes an HCC
//   it outranks in the V28 hierarchy (the children of the hierarchy table).
// The claim behind an alert is the latest of the HCC's claims (thru_date, then claim_id) that the
// rule is about. Every step is a hash join or a grouping over member, HCC and claim.
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../data/duckdb.ts';
import type { AuditRules } from '../../data/reference/audit-rules.ts';
import type { ModelTables } from '../../data/reference/cms-hcc-tables.ts';
import { availableEligibilityYears, loadDiagnosisSourceExclusions, loadEligibleBillTypes, loadEligibleProcedures } from '../../data/reference/eligibility.ts';
import { nearestYear } from '../../data/reference/tables-for.ts';
import { createEligibilityTables, createEligibleClaimsView } from '../../scoring/history/eligible-claims.ts';

/** The relations (SQL text) the alerts read. */
export interface AuditSources {
  /** The as-of year T: HCCs of service year T-1 pay in T. */
  asOf: number;
  /** The contract's claims with `_row` (data/staged-contract.ts). */
  claims: string;
  /** The providers file, when the plan has one. */
  providers?: string;
  /** raf_hcc of the history (its V28 rows of T-1 are read). */
  hcc: string;
}

/** The columns of _ar_alerts, in this order. */
export const ALERT_COLUMNS = 'member_id, hcc, rule, claim_id, provider_npi, service_date, claim_type, record_source, detail';

/** A diagnosis code as the CC map holds it (DOMAIN.md 1.1: trim, upper-case, drop the dot). */
const normalisedDx = (dx: string): string => `upper(replace(trim(${dx}), '.', ''))`;

/**
 * Creates the rule and mapping tables: _ar_dx_cc (dx, cc: `v28`'s ICD-10 to CC map), _ar_below
 * (parent, child: the V28 hierarchy), _ar_acute (hcc, window_days), _ar_ok (specialty).
 */
export async function createAuditRuleTables(conn: DuckDBConnection, rules: AuditRules, v28: ModelTables): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE _ar_dx_cc (dx VARCHAR, cc INTEGER)`);
  const pairs = [...v28.dxToCc].flatMap(([dx, ccs]) => ccs.map((cc) => `(${sqlString(dx)}, ${cc})`));
  for (let k = 0; k < pairs.length; k += 5000) await conn.run(`INSERT INTO _ar_dx_cc VALUES ${pairs.slice(k, k + 5000).join(', ')}`);
  const below = v28.hierarchy.flatMap((r) => r.children.map((c) => `(${r.parent}, ${c})`));
  await conn.run(`CREATE OR REPLACE TEMP TABLE _ar_below AS SELECT * FROM (VALUES ${below.length > 0 ? below.join(', ') : '(NULL, NULL)'}) t(parent, child) WHERE parent IS NOT NULL`);
  const acute = rules.rules.filter((r) => r.rule === 'acute_outpatient_only').flatMap((r) => r.hccs.map((h) => `(${h}, ${r.windowDays ?? 0})`));
  await conn.run(`CREATE OR REPLACE TEMP TABLE _ar_acute AS SELECT * FROM (VALUES ${acute.length > 0 ? acute.join(', ') : '(NULL, NULL)'}) t(hcc, window_days) WHERE hcc IS NOT NULL`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _ar_ok AS SELECT unnest([${[...rules.acceptableSpecialties].map(sqlString).join(', ')}]::VARCHAR[]) AS specialty`);
}

/**
 * Creates _ar_coded (member_id, hcc: the V28 HCCs of T-1), _ar_claim_cc (the eligible claims of T-1
 * with each CC their diagnoses map to) and _ar_support (the claims behind each coded HCC, with the
 * rendering provider's specialty and whether it is acceptable, NULL when not known).
 */
export async function createSupportTables(conn: DuckDBConnection, src: AuditSources): Promise<void> {
  const y = Math.trunc(src.asOf) - 1;
  await conn.run(`CREATE OR REPLACE TEMP TABLE _ar_coded AS SELECT DISTINCT member_id, hcc FROM ${src.hcc} WHERE model = 'V28' AND year = ${y}`);
  const listYear = nearestYear(availableEligibilityYears(), y);
  await createEligibilityTables(conn, new Map([[y, loadEligibleProcedures(listYear)]]), loadEligibleBillTypes());
  await createEligibleClaimsView(
    conn,
    `(SELECT * FROM ${src.claims} WHERE thru_date BETWEEN DATE '${y}-01-01' AND DATE '${y}-12-31')`,
    '_ar_elig',
    loadDiagnosisSourceExclusions(),
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _ar_claim_cc AS
     SELECT DISTINCT c.member_id, d.cc, c.claim_id, c.claim_type, c.from_date, c.thru_date, c.rendering_npi AS npi,
            coalesce(c.record_source, 'encounter') AS record_source
     FROM (SELECT member_id, claim_id, claim_type, from_date, thru_date, rendering_npi, record_source, unnest(diagnosis_codes) AS dx
           FROM _ar_elig WHERE eligible) c
       JOIN _ar_dx_cc d ON d.dx = ${normalisedDx('c.dx')}`,
  );
  await conn.run(`DROP VIEW _ar_elig; DROP TABLE _ar_elig_cpt`);
  const specialty = src.providers === undefined
    ? 'NULL::VARCHAR AS specialty, NULL::BOOLEAN AS acceptable'
    : `p.specialty, CASE WHEN p.specialty IS NULL THEN NULL ELSE p.specialty IN (SELECT specialty FROM _ar_ok) END AS acceptable`;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _ar_support AS
     SELECT k.member_id, k.hcc, s.claim_id, s.claim_type, s.from_date, s.thru_date, s.npi, s.record_source, ${specialty}
     FROM _ar_coded k JOIN _ar_claim_cc s ON s.member_id = k.member_id AND s.cc = k.hcc
     ${src.providers === undefined ? '' : `LEFT JOIN ${src.providers} p ON p.npi = s.npi`}`,
  );
}

/** The latest claim of those `filter` keeps (thru_date, then claim_id), as the alert's columns. */
const latest = (filter = 'true'): string =>
  `arg_max(claim_id, (thru_date, claim_id)) FILTER (WHERE ${filter}) AS claim_id,
   arg_max(npi, (thru_date, claim_id)) FILTER (WHERE ${filter}) AS provider_npi,
   max(thru_date) FILTER (WHERE ${filter}) AS service_date,
   arg_max(claim_type, (thru_date, claim_id)) FILTER (WHERE ${filter}) AS claim_type,
   arg_max(record_source, (thru_date, claim_id)) FILTER (WHERE ${filter}) AS record_source`;

const singleClaimSql = `SELECT member_id, hcc, 'single_claim' AS rule, ${latest()}, 'one claim in the year' AS detail
  FROM _ar_support GROUP BY member_id, hcc HAVING count(DISTINCT claim_id) = 1`;

const specialtySql = `SELECT member_id, hcc, 'unacceptable_specialty' AS rule, ${latest()},
    count(DISTINCT claim_id) || ' professional claims, specialties ' || string_agg(DISTINCT specialty, ' ' ORDER BY specialty) || ' not acceptable' AS detail
  FROM _ar_support GROUP BY member_id, hcc
  HAVING bool_and(claim_type = 'professional' AND acceptable IS NOT NULL AND NOT acceptable)`;

const chartReviewSql = `SELECT member_id, hcc, 'chart_review_only' AS rule, ${latest()},
    count(DISTINCT claim_id) || ' chart review records, no encounter' AS detail
  FROM _ar_support GROUP BY member_id, hcc HAVING bool_and(starts_with(record_source, 'chart_review'))`;

/** Acute HCCs on outpatient and professional claims alone, no inpatient claim of the HCC within the window of one. */
function acuteSql(claims: string): string {
  return `WITH acute AS (SELECT s.*, a.window_days FROM _ar_support s JOIN _ar_acute a USING (hcc)),
    stays AS (
      SELECT DISTINCT c.member_id, d.cc AS hcc, c.from_date, c.thru_date
      FROM (SELECT member_id, from_date, thru_date, unnest(diagnosis_codes) AS dx FROM ${claims}
            WHERE claim_type = 'inpatient' AND member_id IN (SELECT member_id FROM acute)) c
        JOIN _ar_dx_cc d ON d.dx = ${normalisedDx('c.dx')} JOIN _ar_acute a ON a.hcc = d.cc),
    judged AS (
      SELECT a.*, EXISTS (SELECT 1 FROM stays i WHERE i.member_id = a.member_id AND i.hcc = a.hcc
                          AND i.from_date <= a.thru_date + a.window_days AND i.thru_date >= a.from_date - a.window_days) AS near_stay
      FROM acute a)
    SELECT member_id, hcc, 'acute_outpatient_only' AS rule, ${latest()},
      count(DISTINCT claim_id) || ' outpatient/professional claims, no inpatient claim of the HCC within ' || any_value(window_days) || ' days' AS detail
    FROM judged GROUP BY member_id, hcc HAVING bool_and(claim_type <> 'inpatient') AND NOT bool_or(near_stay)`;
}

/** One provider codes the HCC; another codes an HCC it outranks. */
const loneSeveritySql = `WITH one AS (
      SELECT member_id, hcc, any_value(npi) AS npi FROM _ar_support GROUP BY member_id, hcc
      HAVING count(DISTINCT npi) = 1 AND count(*) = count(npi)),
    below_coded AS (
      SELECT o.member_id, o.hcc, string_agg(DISTINCT c.cc::VARCHAR, ' ' ORDER BY c.cc::VARCHAR) AS lower_hccs, count(DISTINCT c.npi) AS others
      FROM one o JOIN _ar_below b ON b.parent = o.hcc
        JOIN _ar_claim_cc c ON c.member_id = o.member_id AND c.cc = b.child AND c.npi IS NOT NULL AND c.npi <> o.npi
      GROUP BY o.member_id, o.hcc)
    SELECT s.member_id, s.hcc, 'lone_severity' AS rule, ${latest('true')},
      'coded by one provider; ' || any_value(l.others) || ' other provider(s) code HCC ' || any_value(l.lower_hccs) AS detail
    FROM _ar_support s JOIN below_coded l USING (member_id, hcc) GROUP BY s.member_id, s.hcc`;

/**
 * Creates _ar_alerts (ALERT_COLUMNS) from the tables createAuditRuleTables and createSupportTables
 * made; unacceptable_specialty only when `src.providers` is given.
 */
export async function createAlerts(conn: DuckDBConnection, src: AuditSources): Promise<void> {
  const queries = [singleClaimSql, chartReviewSql, acuteSql(src.claims), loneSeveritySql];
  if (src.providers !== undefined) queries.push(specialtySql);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _ar_alerts AS ${queries.map((q) => `SELECT ${ALERT_COLUMNS} FROM (${q})`).join(' UNION ALL ')}`,
  );
}
