// Which payment window of each kind a diagnosis lands in, every one counted (DOMAIN.md section 2).
// The date of service is the claim's thru_date. A date in January-June of y falls in y's calendar
// window and y's initial window; a date in July-December of y in y's calendar window and y + 1's
// initial window (scoring/payment-calendar.ts, paymentWindows, writes the same windows as dates;
// windows.test.ts holds the two equal). With a data cut-off (the history as known on a date), a
// claim counts only when received by then (data/received-by.ts, the one rule). And each window
// counts a claim only when it was received by the submission deadline of its run
// (payment-calendar.ts, windowDeadlines: the July-June window by the initial deadline of payment
// year y + 1, the calendar-year window by the final one; the dates are reference data). Every
// diagnosis read is accounted for: not yet received by the cut-off, ineligible, taken out by an
// exclusion rule (counted per rule and year of service), or eligible and, in each kind of window,
// attributed to a member-year, outside the years asked for, received after the window's deadline,
// or of a member-year with no row; the run checks that the rows' diagnoses add up.
import type { DuckDBConnection } from '@duckdb/node-api';
import { receivedBySql, receivedOnOrBeforeSql } from '../../data/received-by.ts';
import type { DiagnosisSourceExclusion } from '../../data/reference/eligibility.ts';
import type { SubmissionDeadlines } from '../../data/reference/submission-deadlines.ts';
import { paymentWindows, windowDeadlines } from '../payment-calendar.ts';

/** Every diagnosis on a claim, accounted for: eligible ones land in one window of each kind. */
export interface DiagnosisCounts {
  /** Diagnoses on claims with a date of service from July 1 of the first year - 1 to the end of the last year. */
  inRange: number;
  /**
   * Of those, on claims not received by the data cut-off (history.json's dataThrough): not known
   * on that date, so neither judged eligible nor scored. 0 without a cut-off.
   */
  notYetReceived: number;
  /** Of those received, on claims that fail the bill type and procedure rules. */
  ineligible: number;
  /** On claims that pass them but an exclusion rule takes out: the sum over `exclusions`. */
  excluded: number;
  /** What each exclusion rule took out (every rule of the reference file, in its order). */
  exclusions: ExclusionCount[];
  /** inRange - notYetReceived - ineligible - excluded. */
  eligible: number;
  /**
   * Eligible diagnoses landing in a member-year's calendar-year window; those whose window year
   * is outside the years asked for; those whose member was not enrolled (or had died) that year.
   */
  midYear: WindowCounts;
  /** The same for the July-June windows. */
  initial: WindowCounts;
}

/** The diagnoses one exclusion rule took out, by year of service (the year of the date of service). */
export interface ExclusionCount {
  rule: string;
  paymentYearFrom: number;
  diagnoses: number;
  /**
   * Every year of dates of service read, from the year before the first service year (its
   * July-December opens the first July-June window) to the last; 0 where the rule is not in force.
   */
  byServiceYear: Record<string, number>;
}

export interface WindowCounts {
  attributed: number;
  outsideYears: number;
  /** In a window year asked for, but received after that window's submission deadline. */
  afterDeadline: number;
  notEnrolled: number;
  /** Of the attributed, those of member-years that could not be scored (raf_history.rejected.csv). */
  unscored: number;
}

/** What the windowed claims are cut by: the data cut-off, and CMS's submission deadlines. */
export interface WindowCuts {
  /** The data cut-off (YYYY-MM-DD): claims received later are not known. */
  dataThrough?: string;
  /** CMS's deadlines by payment year (data/reference/submission-deadlines); none: no deadline. */
  deadlines?: readonly SubmissionDeadlines[];
}

/** The deadline each window year honours (windowDeadlines), for the years `firstYear` - 1 to `lastYear` + 1. */
export function deadlinesByWindowYear(firstYear: number, lastYear: number, deadlines: readonly SubmissionDeadlines[]): { year: number; initial: string | null; midYear: string | null }[] {
  const out: { year: number; initial: string | null; midYear: string | null }[] = [];
  for (let y = firstYear - 1; y <= lastYear + 1; y++) out.push({ year: y, ...windowDeadlines(y, deadlines) });
  return out;
}

/**
 * Creates the view `_hist_claims`: the claims (view `claims`, with `_row`) whose date of service
 * falls from the start of `firstYear`'s initial window to the end of `lastYear`, with the member
 * key (from `_hist_members`), `mid_year` (the calendar window's year), `init_year` (the July-June
 * window's year), `received`: true when the claim was received by the cut-off (receivedBySql),
 * always true without one, and `mid_on_time` and `init_on_time`: received by the deadline its
 * window honours (true where no deadline is listed). Also the table `_hist_deadlines` (window
 * year, deadlines) and the view `_hist_received`: the claims received by the cut-off, the ones
 * the history judges and scores, with `mid_year` and `init_year` blank where the claim came after
 * that window's deadline and the year then in `mid_year_late` and `init_year_late`. Views: the
 * claims are not copied.
 */
export async function createWindowedClaims(conn: DuckDBConnection, firstYear: number, lastYear: number, cuts: WindowCuts = {}): Promise<void> {
  const rows = deadlinesByWindowYear(firstYear, lastYear, cuts.deadlines ?? []);
  const date = (d: string | null): string => (d === null ? 'NULL::DATE' : `DATE '${d}'`);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _hist_deadlines AS SELECT * FROM (VALUES ${rows
      .map((r) => `(${r.year}, ${date(r.initial)}, ${date(r.midYear)})`)
      .join(', ')}) t(year, initial_deadline, mid_deadline)`,
  );
  await conn.run(
    `CREATE TEMP VIEW _hist_claims AS
     SELECT c._row, m.mk, c.claim_type, c.bill_type, c.thru_date, c.rendering_npi AS npi, c.procedure_codes, c.procedure_modifiers,
            c.record_source, c.diagnosis_codes AS dx, c.mid_year, c.init_year,
            ${cuts.dataThrough === undefined ? 'true' : receivedBySql(cuts.dataThrough, 'c')} AS received,
            coalesce(${receivedOnOrBeforeSql('dm.mid_deadline', 'c')}, true) AS mid_on_time,
            coalesce(${receivedOnOrBeforeSql('di.initial_deadline', 'c')}, true) AS init_on_time
     FROM (SELECT *, year(thru_date) AS mid_year, year(thru_date) + CASE WHEN month(thru_date) >= 7 THEN 1 ELSE 0 END AS init_year FROM claims) c
     JOIN _hist_members m USING (member_id)
     LEFT JOIN _hist_deadlines dm ON dm.year = c.mid_year
     LEFT JOIN _hist_deadlines di ON di.year = c.init_year
     WHERE c.thru_date BETWEEN DATE '${paymentWindows(firstYear).initial.from}' AND DATE '${paymentWindows(lastYear).midYear.to}'`,
  );
  await conn.run(
    `CREATE TEMP VIEW _hist_received AS
     SELECT * EXCLUDE (received, mid_on_time, init_on_time, mid_year, init_year),
            CASE WHEN mid_on_time THEN mid_year END AS mid_year, CASE WHEN init_on_time THEN init_year END AS init_year,
            CASE WHEN NOT mid_on_time THEN mid_year END AS mid_year_late, CASE WHEN NOT init_on_time THEN init_year END AS init_year_late
     FROM _hist_claims WHERE received`,
  );
}

/**
 * Creates `_hist_counts` from the view `_hist_eligible` (the received windowed claims with
 * `eligible` and `excluded_by`): the number of diagnoses (with repeats) per member, window years
 * (blank where after the window's deadline, the year then in `*_late`), eligibility and exclusion
 * rule.
 */
export async function createDiagnosisCounts(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    `CREATE TABLE _hist_counts AS
     SELECT mk, mid_year, init_year, mid_year_late, init_year_late, eligible, excluded_by, sum(len(dx))::BIGINT AS n FROM _hist_eligible GROUP BY ALL`,
  );
}

/**
 * Counts every diagnosis of `_hist_claims` not received by the cut-off, and every one of
 * `_hist_counts` (the received claims) by eligibility, by the exclusion rule that took it out
 * (each of `exclusions`, by year of service), and, for each kind of window, by where an eligible
 * one lands: a window year outside `firstYear`-`lastYear`, a year in range but received after the
 * window's deadline, a year in range with no member-year, or a member-year of `_hist_my`.
 * `unscored` is 0 until the scoring says (withUnscored).
 */
export async function countDiagnoses(
  conn: DuckDBConnection,
  firstYear: number,
  lastYear: number,
  exclusions: readonly DiagnosisSourceExclusion[] = [],
): Promise<DiagnosisCounts> {
  const a = firstYear;
  const b = lastYear;
  // Outside the years first (whatever the deadline), then after the deadline, then not enrolled.
  const window = (col: string): string => `
    coalesce(sum(n) FILTER (WHERE eligible AND coalesce(${col}, ${col}_late) NOT BETWEEN ${a} AND ${b}), 0)::BIGINT AS ${col}_outside,
    coalesce(sum(n) FILTER (WHERE eligible AND ${col} IS NULL AND ${col}_late BETWEEN ${a} AND ${b}), 0)::BIGINT AS ${col}_after,
    coalesce(sum(n) FILTER (WHERE eligible AND ${col} BETWEEN ${a} AND ${b} AND NOT EXISTS (
      SELECT 1 FROM _hist_my y WHERE y.mk = c.mk AND y.year = c.${col})), 0)::BIGINT AS ${col}_unenrolled`;
  const late = (
    await conn.runAndReadAll(`SELECT coalesce(sum(len(dx)), 0)::BIGINT AS n FROM _hist_claims WHERE NOT received`)
  ).getRowObjectsJson()[0]!;
  const r = (
    await conn.runAndReadAll(
      `SELECT coalesce(sum(n), 0)::BIGINT AS received,
         coalesce(sum(n) FILTER (WHERE NOT eligible AND excluded_by IS NULL), 0)::BIGINT AS ineligible,
         coalesce(sum(n) FILTER (WHERE excluded_by IS NOT NULL), 0)::BIGINT AS excluded,
         ${window('mid_year')}, ${window('init_year')}
       FROM _hist_counts c`,
    )
  ).getRowObjectsJson()[0]!;
  // What each rule took out, by year of service (a claim's calendar window year, on time or late, is the year of its date of service).
  const removed = (
    await conn.runAndReadAll(`SELECT excluded_by AS rule, coalesce(mid_year, mid_year_late)::INTEGER AS year, sum(n)::BIGINT AS n FROM _hist_counts WHERE excluded_by IS NOT NULL GROUP BY ALL`)
  ).getRowObjectsJson();
  const exclusionCounts: ExclusionCount[] = exclusions.map((rule) => {
    const byServiceYear: Record<string, number> = {};
    for (let y = a - 1; y <= b; y++) byServiceYear[y] = 0;
    for (const x of removed) if (x.rule === rule.rule) byServiceYear[String(x.year)] = Number(x.n);
    return { rule: rule.rule, paymentYearFrom: rule.paymentYearFrom, diagnoses: Object.values(byServiceYear).reduce((s, n) => s + n, 0), byServiceYear };
  });
  const notYetReceived = Number(late.n);
  const inRange = notYetReceived + Number(r.received);
  const ineligible = Number(r.ineligible);
  const excluded = Number(r.excluded);
  if (exclusionCounts.reduce((s, e) => s + e.diagnoses, 0) !== excluded) {
    throw new Error(`diagnoses excluded (${excluded}) differ from those counted by rule (${JSON.stringify(exclusionCounts)}); please report this`);
  }
  const eligible = inRange - notYetReceived - ineligible - excluded;
  const counts = (col: string): WindowCounts => {
    const outsideYears = Number(r[`${col}_outside`]);
    const afterDeadline = Number(r[`${col}_after`]);
    const notEnrolled = Number(r[`${col}_unenrolled`]);
    return { attributed: eligible - outsideYears - afterDeadline - notEnrolled, outsideYears, afterDeadline, notEnrolled, unscored: 0 };
  };
  return { inRange, notYetReceived, ineligible, excluded, exclusions: exclusionCounts, eligible, midYear: counts('mid_year'), initial: counts('init_year') };
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
