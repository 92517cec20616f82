// The provider view's building blocks (issue 17, "Provider view"; rules in ./README.md), in DuckDB
// SQL over the contract's claims, for a data cut-off C:
// - the window: the 12 months before C (dates of service, thru_date, from C minus one year to the
//   day before C), and the prior window, the 12 months before it; a claim counts when the plan
//   received it by C (data/received-by.ts, the one rule);
// - a visit: a claim of the window with a rendering NPI and an E/M code of
//   data/reference/providers/em_codes.csv on a line; one visit per member, NPI and date;
// - attribution: each member with a visit goes to the NPI with the most visits; a tie to the NPI
//   with the later last visit, then to the lower NPI;
// - coded: an HCC is coded on a claim when the claim counts for risk adjustment (the history's
//   rule, scoring/history/eligible-claims.ts) and a diagnosis maps to the V28 HCC (the V28 tables
//   of the payment year the date of service pays in, data/reference/tables-for.ts);
// - recaptured: an HCC coded in the prior window (by anyone) that the attributed clinician coded
//   in the window, itself or one that outranks it (features/suspect-evidence.ts createCoverTable).
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../data/duckdb.ts';
import { loadDiagnosisSourceExclusions, loadEligibleBillTypes, loadEligibleProcedures, availableEligibilityYears } from '../../data/reference/eligibility.ts';
import type { EmCode } from '../../data/reference/em-codes.ts';
import { nearestYear, tablesFor } from '../../data/reference/tables-for.ts';
import { parseCutoff, receivedBySql } from '../../data/received-by.ts';
import { createEligibilityTables, createEligibleClaimsView } from '../../scoring/history/eligible-claims.ts';
import { createCoverTable } from '../../features/suspect-evidence.ts';

/** The attribution window and the prior window, as YYYY-MM-DD (`to` exclusive). */
export interface ProviderWindows {
  cutoff: string;
  /** First day of the window: the cut-off minus one year (February 29 gives March 1). */
  from: string;
  /** First day of the prior window: the cut-off minus two years. */
  priorFrom: string;
}

const yearsBefore = (date: string, n: number): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y - n, m - 1, d)).toISOString().slice(0, 10);
};

/** The windows of cut-off `cutoff` (module comment). */
export function providerWindows(cutoff: string): ProviderWindows {
  const C = parseCutoff(cutoff);
  return { cutoff: C, from: yearsBefore(C, 1), priorFrom: yearsBefore(C, 2) };
}

/** What the view's tables are built from. */
export interface ProviderSources {
  /** The contract's claims with `_row` (data/staged-contract.ts). */
  claims: string;
  windows: ProviderWindows;
  emCodes: readonly EmCode[];
}

/** Service years the windows touch: the prior window's first to the day before the cut-off's. */
const serviceYears = (w: ProviderWindows): number[] => {
  const last = new Date(Date.parse(`${w.cutoff}T00:00:00Z`) - 86_400_000).getUTCFullYear();
  const ys: number[] = [];
  for (let y = Number(w.priorFrom.slice(0, 4)); y <= last; y++) ys.push(y);
  return ys;
};

/**
 * Creates the tables the views read:
 * _prov_visits (member_id, npi, visit_date): the E/M visits of the window;
 * _prov_attr (member_id, npi, visits, last_visit): each visited member's clinician;
 * _prov_seen (member_id, npi, claims): who saw whom in the window (any claim with a rendering NPI);
 * _prov_coded (member_id, npi, hcc, claims): the V28 HCCs each NPI coded in the window;
 * _prov_prior (member_id, hcc): the V28 HCCs coded in the prior window, by any provider;
 * _prov_cover (hcc, coded_hcc) and _prov_labels (hcc, description).
 */
export async function createProviderTables(conn: DuckDBConnection, src: ProviderSources): Promise<void> {
  const w = src.windows;
  const years = serviceYears(w);
  const listYears = availableEligibilityYears();
  const procedures = new Map<number, ReadonlySet<string>>();
  for (const y of years) procedures.set(y, loadEligibleProcedures(nearestYear(listYears, y)));
  await createEligibilityTables(conn, procedures, loadEligibleBillTypes());
  // Dates of service in y pay in y + 1: their diagnoses map by the V28 tables for y + 1.
  await conn.run(`CREATE OR REPLACE TEMP TABLE _prov_dx_cc (year INTEGER, dx VARCHAR, hcc INTEGER)`);
  for (const y of years) {
    const pairs: string[] = [];
    for (const [dx, ccs] of tablesFor('V28', y + 1).dxToCc) for (const cc of ccs) pairs.push(`(${y}, ${sqlString(dx)}, ${cc})`);
    for (let k = 0; k < pairs.length; k += 5000) await conn.run(`INSERT INTO _prov_dx_cc VALUES ${pairs.slice(k, k + 5000).join(', ')}`);
  }
  const v28 = tablesFor('V28', Number(w.cutoff.slice(0, 4)) + 1);
  await createCoverTable(conn, v28, '_prov_cover');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _prov_labels AS SELECT * FROM (VALUES ${[...v28.labels].map(([h, l]) => `(${h}, ${sqlString(l)})`).join(', ')}) t(hcc, description)`,
  );

  // The two windows' claims, read from the staged Parquet once: the queries below scan them five
  // times. Only the columns they and the eligibility rule read (amounts, ids and dates besides the
  // date of service stay in the Parquet).
  const exclusions = loadDiagnosisSourceExclusions();
  const columns = new Set(['_row', 'member_id', 'claim_type', 'bill_type', 'thru_date', 'procedure_codes', 'diagnosis_codes', 'rendering_npi', ...exclusions.map((r) => r.field)]);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _prov_src AS SELECT ${[...columns].map((c) => `"${c}"`).join(', ')} FROM ${src.claims}
     WHERE thru_date >= DATE '${w.priorFrom}' AND thru_date < DATE '${w.cutoff}' AND ${receivedBySql(w.cutoff)}`,
  );
  await createEligibleClaimsView(conn, '_prov_src', '_prov_elig', exclusions);
  const inWindow = `thru_date >= DATE '${w.from}'`;
  const em = `[${src.emCodes.map((c) => sqlString(c.code)).join(', ')}]::VARCHAR[]`;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _prov_visits AS
     SELECT DISTINCT member_id, rendering_npi AS npi, thru_date AS visit_date FROM _prov_src
     WHERE ${inWindow} AND rendering_npi IS NOT NULL AND list_has_any(coalesce(procedure_codes, []), ${em})`,
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _prov_attr AS
     SELECT member_id, npi, visits, last_visit FROM (
       SELECT member_id, npi, count(*) AS visits, max(visit_date) AS last_visit FROM _prov_visits GROUP BY member_id, npi)
     QUALIFY row_number() OVER (PARTITION BY member_id ORDER BY visits DESC, last_visit DESC, npi) = 1`,
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _prov_seen AS
     SELECT member_id, rendering_npi AS npi, count(*) AS claims FROM _prov_src WHERE ${inWindow} AND rendering_npi IS NOT NULL GROUP BY ALL`,
  );
  const coded = (where: string, cols: string) =>
    `SELECT ${cols} FROM (SELECT _row, member_id, rendering_npi AS npi, year(thru_date) AS year, unnest(diagnosis_codes) AS dx FROM _prov_elig WHERE eligible AND ${where}) c
     JOIN _prov_dx_cc d USING (year, dx)`;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _prov_coded AS
     ${coded(`${inWindow} AND rendering_npi IS NOT NULL`, 'c.member_id, c.npi, d.hcc, count(DISTINCT c._row) AS claims')} GROUP BY ALL`,
  );
  await conn.run(`CREATE OR REPLACE TEMP TABLE _prov_prior AS ${coded(`thru_date < DATE '${w.from}'`, 'DISTINCT c.member_id, d.hcc')}`);
  await conn.run(`DROP VIEW _prov_elig; DROP TABLE _prov_elig_cpt; DROP TABLE _prov_src`);
}

/**
 * One row per attributed member and prior-window HCC: member_id, npi (the attributed clinician),
 * hcc, recaptured (that clinician coded it, or one above it, in the window).
 */
export const recaptureRowsSql = `SELECT a.member_id, a.npi, p.hcc,
    EXISTS (SELECT 1 FROM _prov_cover cv JOIN _prov_coded k ON k.hcc = cv.coded_hcc
            WHERE cv.hcc = p.hcc AND k.member_id = a.member_id AND k.npi = a.npi) AS recaptured
  FROM _prov_attr a JOIN _prov_prior p USING (member_id)`;
