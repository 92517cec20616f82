// Which payment window of each kind a diagnosis lands in, every one counted (DOMAIN.md section 2).
// The date of service is the claim's thru_date. A date in January-June of y falls in y's calendar
// window and y's initial window; a date in July-December of y in y's calendar window and y + 1's
// initial window (scoring/payment-calendar.ts, paymentWindows, writes the same windows as dates;
// windows.test.ts holds the two equal). Every diagnosis read is accounted for: ineligible, or
// eligible and, in each kind of window, attributed to a member-year, outside the years asked for,
// or of a member-year with no row; the run checks that the rows' diagnoses add up.
import type { DuckDBConnection } from '@duckdb/node-api';
import { paymentWindows } from '../payment-calendar.ts';

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

/**
 * Creates the view `_hist_claims`: the claims (view `claims`, with `_row`) whose date of service
 * falls from the start of `firstYear`'s initial window to the end of `lastYear`, with the member
 * key (from `_hist_members`), `mid_year` (the calendar window's year) and `init_year` (the
 * July-June window's year). A view: the claims are not copied.
 */
export async function createWindowedClaims(conn: DuckDBConnection, firstYear: number, lastYear: number): Promise<void> {
  await conn.run(
    `CREATE TEMP VIEW _hist_claims AS
     SELECT c._row, m.mk, c.claim_type, c.bill_type, c.thru_date, c.rendering_npi AS npi, c.procedure_codes, c.diagnosis_codes AS dx,
            year(c.thru_date) AS mid_year, year(c.thru_date) + CASE WHEN month(c.thru_date) >= 7 THEN 1 ELSE 0 END AS init_year
     FROM claims c JOIN _hist_members m USING (member_id)
     WHERE c.thru_date BETWEEN DATE '${paymentWindows(firstYear).initial.from}' AND DATE '${paymentWindows(lastYear).midYear.to}'`,
  );
}

/**
 * Creates `_hist_counts` from the view `_hist_eligible` (the windowed claims with `eligible`):
 * the number of diagnoses (with repeats) per member, window years and eligibility.
 */
export async function createDiagnosisCounts(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    `CREATE TABLE _hist_counts AS
     SELECT mk, mid_year, init_year, eligible, sum(len(dx))::BIGINT AS n FROM _hist_eligible GROUP BY ALL`,
  );
}

/**
 * Counts every diagnosis of `_hist_counts` by eligibility and, for each kind of window, by where
 * it lands: a member-year of `_hist_my`, a window year outside `firstYear`-`lastYear`, or a year
 * in range with no member-year. `unscored` is 0 until the scoring says (withUnscored).
 */
export async function countDiagnoses(conn: DuckDBConnection, firstYear: number, lastYear: number): Promise<DiagnosisCounts> {
  const a = firstYear;
  const b = lastYear;
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
  const counts = (col: string): WindowCounts => {
    const outsideYears = Number(r[`${col}_outside`]);
    const notEnrolled = Number(r[`${col}_unenrolled`]);
    return { attributed: eligible - outsideYears - notEnrolled, outsideYears, notEnrolled, unscored: 0 };
  };
  return { inRange, ineligible, eligible, midYear: counts('mid_year'), initial: counts('init_year') };
}

/** A number of diagnoses in each kind of window: calendar-year (`mid`) and July-June (`init`). */
export interface WindowDiagnoses {
  mid: number;
  init: number;
}

/** `counts` with the diagnoses of member-years that could not be scored (a new object). */
export function withUnscored(counts: DiagnosisCounts, unscored: WindowDiagnoses): DiagnosisCounts {
  return { ...counts, midYear: { ...counts.midYear, unscored: unscored.mid }, initial: { ...counts.initial, unscored: unscored.init } };
}

/**
 * Checks the reconciliation: the diagnoses in the written rows (`written`: sums of n_dx and
 * n_dx_init) plus those of unscored member-years equal those attributed in each kind of window.
 * A difference is a bug, not bad data.
 */
export function checkAttributed(counts: DiagnosisCounts, written: WindowDiagnoses): void {
  if (written.mid + counts.midYear.unscored !== counts.midYear.attributed || written.init + counts.initial.unscored !== counts.initial.attributed) {
    throw new Error(`diagnoses attributed (${written.mid}, ${written.init}) differ from those counted (${JSON.stringify(counts)}); please report this`);
  }
}
