// Which claims count for risk adjustment, in SQL (DOMAIN.md 1.1; data/reference/eligibility/).
// Inpatient facility claims of a listed bill type count whatever their procedures; outpatient
// facility claims of a listed bill type and professional claims count when a procedure of the
// list for the year of service is on them; any other facility claim counts for nothing. Then the
// exclusions by the record's source (ra_diagnosis_source_exclusions.csv, PY2027: audio-only
// encounters and unlinked chart reviews) take out the diagnoses of the claims they match, for the
// years of service the rule is in force. The same reference data as isRiskAdjustmentEligible and
// excludedBy (data/reference/eligibility.ts), which compute-history.test.ts holds equal to this
// SQL on a generated population.
import type { DuckDBConnection } from '@duckdb/node-api';
import { CLAIMS } from '../../data/contract.ts';
import { isList } from '../../data/contract-field-checks.ts';
import { sqlString } from '../../data/duckdb.ts';
import { firstServiceYear, type BillTypeRule, type DiagnosisSourceExclusion } from '../../data/reference/eligibility.ts';

/**
 * Creates the rule tables the eligible-claims view reads: `_elig_cpt` (year, code), the eligible
 * procedure codes for dates of service in each year of `proceduresByYear`, and `_elig_bill`
 * (setting, prefix, needs_cpt), the facility bill types.
 */
export async function createEligibilityTables(
  conn: DuckDBConnection,
  proceduresByYear: ReadonlyMap<number, Iterable<string>>,
  billTypes: readonly BillTypeRule[],
): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE _elig_cpt (year INTEGER, code VARCHAR)`);
  for (const [y, procedures] of proceduresByYear) {
    const codes = [...procedures];
    for (let k = 0; k < codes.length; k += 5000) {
      await conn.run(`INSERT INTO _elig_cpt SELECT ${y}, unnest([${codes.slice(k, k + 5000).map(sqlString).join(', ')}])`);
    }
  }
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _elig_bill AS SELECT * FROM (VALUES ${billTypes
      .map((r) => `(${sqlString(r.setting)}, ${sqlString(r.prefix)}, ${r.needsEligibleProcedure})`)
      .join(', ')}) t(setting, prefix, needs_cpt)`,
  );
}

/**
 * SQL naming the first rule of `rules` (in order) that takes a claim's diagnoses out, or NULL:
 * a rule matches a claim whose year of service (year of thru_date) is one it is in force for and
 * whose field holds one of its values (a list field: any of them).
 */
export function exclusionSql(rules: readonly DiagnosisSourceExclusion[]): string {
  if (rules.length === 0) return 'NULL::VARCHAR';
  const when = rules.map((r) => {
    const spec = CLAIMS.fields.find((f) => f.name === r.field);
    if (spec === undefined) throw new Error(`exclusion rule ${r.rule} names ${r.field}, which is not a claims field`);
    const values = r.values.map(sqlString).join(', ');
    const match = isList(spec) ? `list_has_any(coalesce("${spec.name}", []), [${values}]::VARCHAR[])` : `"${spec.name}" IN (${values})`;
    return `WHEN year(thru_date) >= ${firstServiceYear(r)} AND ${match} THEN ${sqlString(r.rule)}`;
  });
  return `CASE ${when.join(' ')} END`;
}

/**
 * Marks the eligible claims of `source` (a query or table with a unique integer `_row` and
 * claim_type, bill_type, thru_date, procedure_codes, and the fields `exclusions` name) as the view
 * `view` with every column, `excluded_by` (the exclusion rule that takes out a claim that passes
 * the bill type and procedure rules, or NULL) and `eligible`: the claim passes those rules and no
 * exclusion takes it out. The date of service is thru_date; its year picks the CPT/HCPCS list and
 * the exclusions in force. A bill type's leading zeros are dropped before it is matched. Needs
 * createEligibilityTables; also creates the table `<view>_cpt` (the claims with an eligible
 * procedure), for the caller to drop with the view.
 */
export async function createEligibleClaimsView(
  conn: DuckDBConnection,
  source: string,
  view: string,
  exclusions: readonly DiagnosisSourceExclusion[] = [],
): Promise<void> {
  // Claims with an eligible procedure, by row number: an integer set, not one of claim ids.
  await conn.run(
    `CREATE OR REPLACE TABLE ${view}_cpt AS
     SELECT DISTINCT _row FROM (SELECT _row, year(thru_date) AS year, unnest(procedure_codes) AS code FROM ${source}) p
     JOIN _elig_cpt e ON e.year = p.year AND e.code = p.code`,
  );
  await conn.run(
    `CREATE OR REPLACE TEMP VIEW ${view} AS
     SELECT * EXCLUDE (passes), passes AND excluded_by IS NULL AS eligible
     FROM (SELECT *, CASE WHEN passes THEN ${exclusionSql(exclusions)} END AS excluded_by
           FROM (SELECT c.* EXCLUDE (bill),
                   CASE WHEN c.claim_type = 'professional' THEN c._row IN (SELECT _row FROM ${view}_cpt)
                        WHEN b.prefix IS NULL THEN false
                        ELSE NOT b.needs_cpt OR c._row IN (SELECT _row FROM ${view}_cpt) END AS passes
                 FROM (SELECT *, ltrim(coalesce(bill_type, ''), '0') AS bill FROM ${source}) c
                 LEFT JOIN _elig_bill b ON b.setting = c.claim_type AND length(c.bill) = 3 AND starts_with(c.bill, b.prefix)))`,
  );
}
