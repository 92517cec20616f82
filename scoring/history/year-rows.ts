// A service year's member-years as the scorer reads them: demographics, codes per window (DOMAIN.md 1).
// Per member-year: the codes of the calendar-year window, each with its first and last date of
// service and the rendering NPI of the claim with the last date (on a tie, the larger NPI, so the
// choice does not depend on row order); the codes of the July-June window; the eligible
// diagnoses counted in each (with repeats); and the new-enrollee flag: the enrollment row of y
// says new_enrollee and the member was enrolled fewer than 12 months of y. A member-year whose
// demographics cannot be resolved (an age over 125 on February 1, say) is set aside with the
// reason, never dropped silently.
import type { DuckDBConnection } from '@duckdb/node-api';
import { csvField } from '../../data/csv.ts';
import { sqlString } from '../../data/duckdb.ts';
import { InputError } from '../../data/errors.ts';
import { SEGMENTS } from '../../data/reference/cms-hcc-tables.ts';
import { resolveDemographics, type Demographics } from '../demographics.ts';
import type { YearPlan } from './plan-years.ts';
import type { WindowDiagnoses } from './windows.ts';

/**
 * Creates `_hist_dx`, one row per eligible diagnosis of `_hist_eligible` (mk, dos, npi, mid_year,
 * init_year, dx) whose code is in `mappedCodes`: codes that no model maps cannot change a score,
 * and need not leave DuckDB. (They are still counted, in `_hist_counts`.)
 */
export async function createScoredCodes(conn: DuckDBConnection, mappedCodes: Iterable<string>): Promise<void> {
  await conn.run(`CREATE TABLE _hist_mapped (dx VARCHAR PRIMARY KEY)`);
  const codes = [...new Set(mappedCodes)].sort();
  for (let k = 0; k < codes.length; k += 5000) {
    await conn.run(`INSERT INTO _hist_mapped SELECT unnest([${codes.slice(k, k + 5000).map(sqlString).join(', ')}])`);
  }
  await conn.run(
    `CREATE TABLE _hist_dx AS
     SELECT mk, thru_date AS dos, npi, mid_year, init_year, dx
     FROM (SELECT mk, thru_date, npi, mid_year, init_year, unnest(dx) AS dx FROM _hist_eligible WHERE eligible)
     WHERE dx IN (SELECT dx FROM _hist_mapped)`,
  );
}

/**
 * SQL: service year y's member-years (`_hist_my`) with their codes per window from `_hist_dx`,
 * '|'-separated in code order (lists sorted after aggregating: ordered aggregates took gigabytes
 * at a million members), and their eligible diagnosis counts from `_hist_counts`. Dates are days
 * since 1970-01-01. The columns are the ones yearRows reads, in its order.
 */
export function yearSql(y: number): string {
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

/** A member-year ready to score: its demographics and, per window, its codes. */
export interface YearRow {
  mk: number;
  demographics: Demographics;
  segmentIndex: number;
  /** The calendar-year window's codes, '|'-separated in code order, and per code its first and last day and NPI. */
  dxMid: string;
  firstMid: string;
  lastMid: string;
  npiMid: string;
  /** The July-June window's codes. */
  dxInit: string;
  nDx: number;
  nDxInit: number;
}

/**
 * A chunk of yearSql's columns as rows with their demographics resolved for `plan`'s payment
 * year. A row that cannot be goes to `rejected` (a CSV line: mk, year, field, reason) and its
 * diagnoses to `unscored`.
 */
export function yearRows(cols: unknown[][], plan: YearPlan, rejected: string[], unscored: WindowDiagnoses): YearRow[] {
  const [mk, sex, orec, birth, dual, inst, ne, dx, first, last, npi, dxInit, nDx, nDxInit] = cols as [
    number[], string[], string[], string[], string[], boolean[], boolean[], string[], string[], string[], string[], string[], number[], number[],
  ];
  const rows: YearRow[] = [];
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
