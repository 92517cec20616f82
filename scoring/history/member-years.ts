// Which member-years have a row: enrolled in y and alive on January 1 of y (scoring/README.md).
// A year the enrollment file carries after the year of death (from the members file) has no row;
// neither has a year with no enrollment row or with 0 months. Member keys stand in for member
// ids on the scoring side, so that it never sees an id.
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * From the views `members` and `enrollment`, creates `_hist_members` (the members with `mk`, a
 * key from 0 in member_id order) and `_hist_my` (one row per member-year of service years
 * `firstYear` to `lastYear`: mk, year, the enrollment row's fields and the member's).
 */
export async function createMemberYears(conn: DuckDBConnection, firstYear: number, lastYear: number): Promise<void> {
  // Member keys: small integers in member_id order, so the scoring side never sees an id.
  await conn.run(`CREATE TABLE _hist_members AS SELECT (row_number() OVER (ORDER BY member_id) - 1)::INTEGER AS mk, * FROM members`);
  // A member-year exists when the member is enrolled (months > 0) and alive at its start.
  await conn.run(
    `CREATE TABLE _hist_my AS
     SELECT m.mk, e.year, e.months_enrolled, e.dual_status, e.institutional, e.new_enrollee,
            m.sex, m.orec, m.birth_date, m.death_date
     FROM enrollment e JOIN _hist_members m USING (member_id)
     WHERE e.year BETWEEN ${firstYear} AND ${lastYear} AND e.months_enrolled > 0
       AND (m.death_date IS NULL OR e.year <= year(m.death_date))`,
  );
}
