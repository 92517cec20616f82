// Demographics and enrolment (DOMAIN.md sections 1 step 2 and 3): age on February 1 of T + 1 (the
// engine's rule, scoring/age-sql.ts), sex, the original reason for entitlement, dual and
// institutional status and months enrolled from the enrollment of T-1 and T-2, and the segment of
// RAF_{T-1} from the history.
import { SEGMENTS } from '../data/reference/cms-hcc-tables.ts';
import { ageOnFebruaryFirstSql } from '../scoring/age-sql.ts';
import type { FeatureDefinition, FeatureFamily, FeatureSources } from './family.ts';

/** The segments with a feature (SNPNE members are scored as NE). */
const SEGMENT_FEATURES = SEGMENTS.filter((s) => s !== 'SNPNE');

export const DEMOGRAPHIC_FEATURES: readonly FeatureDefinition[] = [
  { name: 'age', meaning: 'age on February 1 of T + 1 (the payment year of RAF_T)' },
  { name: 'female', meaning: '1 for women' },
  { name: 'orec_disabled', meaning: 'original reason for entitlement: disability (OREC 1 or 3)' },
  { name: 'orec_esrd', meaning: 'original reason for entitlement: ESRD (OREC 2 or 3)' },
  { name: 'dual_full', meaning: 'full dual in T-1 (0 when not enrolled in T-1)' },
  { name: 'dual_partial', meaning: 'partial dual in T-1' },
  { name: 'institutional', meaning: 'long-term institutional in T-1' },
  ...SEGMENT_FEATURES.map((s) => ({ name: `segment_${s}`, meaning: `segment ${s} for RAF_{T-1}` })),
  { name: 'months_t1', meaning: 'months enrolled in T-1' },
  { name: 'months_t2', meaning: 'months enrolled in T-2' },
];

/** member_id and the demographic features, one row per member of the population. */
export function demographicsSql(src: FeatureSources): string {
  const T = src.asOf;
  return `SELECT p.member_id,
       ${ageOnFebruaryFirstSql('p.birth_date', T + 1)}::DOUBLE AS age,
       (p.sex = 'F')::INTEGER::DOUBLE AS female,
       (p.orec IN ('1', '3'))::INTEGER::DOUBLE AS orec_disabled,
       (p.orec IN ('2', '3'))::INTEGER::DOUBLE AS orec_esrd,
       coalesce(e1.dual_status = 'full', false)::INTEGER::DOUBLE AS dual_full,
       coalesce(e1.dual_status = 'partial', false)::INTEGER::DOUBLE AS dual_partial,
       coalesce(e1.institutional, false)::INTEGER::DOUBLE AS institutional,
       ${SEGMENT_FEATURES.map((s) => `coalesce(h1.segment = '${s}', false)::INTEGER::DOUBLE AS segment_${s}`).join(',\n       ')},
       coalesce(e1.months_enrolled, 0)::DOUBLE AS months_t1,
       coalesce(e2.months_enrolled, 0)::DOUBLE AS months_t2
     FROM ${src.population} p
       LEFT JOIN (SELECT * FROM ${src.enrollment} WHERE year = ${T - 1}) e1 USING (member_id)
       LEFT JOIN (SELECT * FROM ${src.enrollment} WHERE year = ${T - 2}) e2 USING (member_id)
       LEFT JOIN (SELECT member_id, segment FROM ${src.history} WHERE year = ${T - 1}) h1 USING (member_id)`;
}

export const demographics: FeatureFamily = {
  name: 'demographics',
  definitions: () => [...DEMOGRAPHIC_FEATURES],
  sql: demographicsSql,
};
