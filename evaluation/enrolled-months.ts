// DOMAIN.md section 4: CMS pays for a member only in the months of payment year T+1 in which the
// member is enrolled and alive (no August lump sum for a member who has left by August).
//
// The contract (data/README.md) gives enrollment as months_enrolled per calendar year, not as
// dates, and the date of death on the member. The assumption, stated here and in the README: a
// member present in T is enrolled from January of T+1 for months_enrolled(T+1) consecutive
// months (0, or no enrollment row for T+1: not enrolled), and never after the month of death
// (the month of death is paid: CMS pays a month for a member enrolled on its first day).
import type { DuckDBConnection } from '@duckdb/node-api';
import { createMemberIndex, forEachRowByIndex, isMemberIndex, type MemberIndex } from '../data/member-index.ts';

/** August, the month the lump sum is paid (DOMAIN.md section 2). */
export const LUMP_SUM_MONTH = 8;

/**
 * Months of payment year `paymentYear` the member is paid for, counted from January (0-12):
 * months_enrolled of that year (null when there is no row), cut at the month of death.
 */
export function monthsPaid(monthsEnrolled: number | null, deathDate: string | null, paymentYear: number): number {
  let months = monthsEnrolled === null ? 0 : Math.max(0, Math.min(12, Math.trunc(monthsEnrolled)));
  if (deathDate !== null) {
    const m = /^(\d{4})-(\d{2})/.exec(deathDate);
    if (m === null) throw new Error(`expected a death date YYYY-MM-DD, found "${deathDate}"`);
    const year = Number(m[1]);
    if (year < paymentYear) months = 0;
    else if (year === paymentYear) months = Math.min(months, Number(m[2]));
  }
  return months;
}

/** Whether a member paid for `months` months from January is enrolled and alive in August. */
export const enrolledInAugust = (months: number): boolean => months >= LUMP_SUM_MONTH;

/** When the data has no enrollment for the payment year: the assumption used, and whom it covers. */
export interface AssumedEnrollment {
  paymentYear: number;
  /** Members assumed enrolled all of the payment year. */
  members: number;
  assumption: string;
}

export interface MonthsPaid {
  /** Per member, in the order of the ids given. */
  months: Int8Array;
  /** Null when the data has enrollment for the payment year; else the assumption made. */
  assumed: AssumedEnrollment | null;
}

/**
 * monthsPaid of payment year `paymentYear` for each of `members` (ids, or their index in DuckDB:
 * data/member-index.ts), in their order, from the contract's
 * `members` and `enrollment` views on `conn` (models/model-run.ts's attachData makes them).
 *
 * When the data has no enrollment row at all for the payment year (it ends before), the months are
 * not known, and not 0: members enrolled and alive on December 31 of the year before (under the
 * assumption above, months_enrolled = 12 and no death by then) are taken to continue all year,
 * and the assumption is returned with their count.
 */
export async function readMonthsPaidOf(conn: DuckDBConnection, paymentYear: number, members: readonly string[] | MemberIndex): Promise<MonthsPaid> {
  const py = Math.trunc(paymentYear);
  const index = isMemberIndex(members) ? members : await createMemberIndex(conn, members, '_months_paid_members');
  const known = Number((await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM enrollment WHERE year = ${py}`)).getRowObjectsJson()[0]!.n) > 0;
  const months = known
    ? `SELECT member_id, months_enrolled FROM enrollment WHERE year = ${py}`
    : `SELECT member_id, 12 AS months_enrolled FROM enrollment WHERE year = ${py - 1} AND months_enrolled = 12`;
  // A member with no members row has no enrollment either: not paid (0).
  const out = new Int8Array(index.n);
  await forEachRowByIndex(
    conn,
    `SELECT x.i, e.months_enrolled::INTEGER AS months, m.death_date::VARCHAR AS death_date
     FROM ${index.table} x JOIN members m USING (member_id) LEFT JOIN (${months}) e USING (member_id)`,
    (i, [m, death]) => {
      out[i] = monthsPaid(m === null ? null : Number(m), death === null ? null : String(death), py);
    },
  );
  if (known) return { months: out, assumed: null };
  return {
    months: out,
    assumed: {
      paymentYear: py,
      members: out.reduce((a, m) => a + (m > 0 ? 1 : 0), 0),
      assumption: `the data has no enrollment for ${py}: members enrolled and alive on December 31, ${py - 1} are assumed enrolled all of ${py}`,
    },
  };
}

/** readMonthsPaidOf's months alone (the assumption, when one is made, applied but not returned). */
export async function readMonthsPaid(conn: DuckDBConnection, paymentYear: number, members: readonly string[] | MemberIndex): Promise<Int8Array> {
  return (await readMonthsPaidOf(conn, paymentYear, members)).months;
}
