// Who has a feature row at as-of year T (DOMAIN.md section 3: "for every member enrolled" at the
// start of T): members with months enrolled in T who were alive on January 1 of T.
import type { FeatureSources } from './family.ts';

/** The members of the feature table: member_id, birth_date, sex, orec. */
export function populationSql(src: Pick<FeatureSources, 'asOf' | 'members' | 'enrollment'>): string {
  const T = src.asOf;
  return `SELECT e.member_id, m.birth_date, m.sex, m.orec FROM ${src.enrollment} e JOIN ${src.members} m USING (member_id)
       WHERE e.year = ${T} AND e.months_enrolled > 0 AND (m.death_date IS NULL OR m.death_date >= DATE '${T}-01-01')`;
}
