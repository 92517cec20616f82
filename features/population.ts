// Who has a feature row at as-of year T (DOMAIN.md section 3: "for every member enrolled" at the
// start of T): members with months enrolled in T who were alive on January 1 of T. On January 1 a
// plan knows its January membership: enrollment rows of year T (months_enrolled then counts what
// is known). When the data has none (it ends with T-1), the assumption is that the members
// enrolled and alive on December 31 of T-1 continue into T: as in evaluation/enrolled-months.ts,
// enrolled on December 31 means 12 months enrolled in T-1 (enrollment runs from January), alive
// means no death before January 1 of T.
import type { DuckDBConnection } from '@duckdb/node-api';
import { ConfigError } from '../data/errors.ts';
import type { FeatureSources } from './family.ts';

/** Where the membership of as-of year T comes from: the data's enrollment of T, or the assumption. */
export type EnrollmentOfAsOf = 'data' | 'assumed';

/** The assumption, in words, for as-of year T. */
export const continuingAssumption = (T: number): string =>
  `the data has no enrollment in ${T}: members enrolled and alive on December 31, ${T - 1} are assumed to continue into ${T}`;

/**
 * A feature table, a list or a run at as-of T with no member is refused (issue 16): an empty list
 * written with exit code 0 reads as a finding. `data` names the plan.
 */
export function requireMembersAt(members: number, T: number, data: string): void {
  if (members > 0) return;
  throw new ConfigError(
    `no members at as-of ${T} in ${data}: no member is enrolled in ${T} and alive on January 1 (or, when the data has no enrollment in ${T}, enrolled all of ${T - 1} and alive at its end); there is no one to score`,
  );
}

/**
 * The members of the feature table: member_id, birth_date, sex, orec. `src.enrollmentOfAsOf`
 * says which rule gives them (a shard is told the whole plan's); without it, the enrollment
 * decides: its rows of year T when it has any, else the assumption.
 */
export function populationSql(src: Pick<FeatureSources, 'asOf' | 'members' | 'enrollment' | 'enrollmentOfAsOf'>): string {
  const T = src.asOf;
  const known =
    src.enrollmentOfAsOf === undefined ? `(SELECT count(*) > 0 FROM ${src.enrollment} WHERE year = ${T})` : src.enrollmentOfAsOf === 'data' ? 'true' : 'false';
  return `SELECT e.member_id, m.birth_date, m.sex, m.orec FROM ${src.enrollment} e JOIN ${src.members} m USING (member_id)
       WHERE CASE WHEN ${known} THEN e.year = ${T} AND e.months_enrolled > 0 ELSE e.year = ${T - 1} AND e.months_enrolled = 12 END
         AND (m.death_date IS NULL OR m.death_date >= DATE '${T}-01-01')`;
}

/** The membership of as-of year T: where it comes from, how many members, and the assumption when one is made. */
export interface AsOfEnrollment {
  source: EnrollmentOfAsOf;
  members: number;
  /** Set when `source` is 'assumed'. */
  assumption?: string;
}

/** The membership of as-of year T from the `members` and `enrollment` relations on `conn` (populationSql's rule, counted). */
export async function readAsOfEnrollment(conn: DuckDBConnection, src: { members: string; enrollment: string }, T: number): Promise<AsOfEnrollment> {
  const known = Number((await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${src.enrollment} WHERE year = ${T}`)).getRowObjectsJson()[0]!.n) > 0;
  const source: EnrollmentOfAsOf = known ? 'data' : 'assumed';
  const n = (await conn.runAndReadAll(`SELECT count(DISTINCT member_id)::INTEGER AS n FROM (${populationSql({ ...src, asOf: T, enrollmentOfAsOf: source })})`)).getRowObjectsJson()[0]!.n;
  return known ? { source, members: Number(n) } : { source, members: Number(n), assumption: continuingAssumption(T) };
}
