// HCC counts (DOMAIN.md section 3): the number of V28 payment HCCs in the member's score of T-1
// and of T-2 (after hierarchies), from `rafcast history`; 0 in a year without a score.
import type { FeatureDefinition, FeatureFamily, FeatureSources } from './family.ts';

export const HCC_COUNT_FEATURES: readonly FeatureDefinition[] = [
  { name: 'hccs_t1', meaning: 'V28 payment HCCs in T-1' },
  { name: 'hccs_t2', meaning: 'V28 payment HCCs in T-2' },
];

/** member_id and the HCC counts, one row per member of the population. */
export function hccCountsSql(src: FeatureSources): string {
  const T = src.asOf;
  return `SELECT p.member_id,
       coalesce(h1.n_hcc_v28, 0)::DOUBLE AS hccs_t1,
       coalesce(h2.n_hcc_v28, 0)::DOUBLE AS hccs_t2
     FROM ${src.population} p
       LEFT JOIN (SELECT member_id, n_hcc_v28 FROM ${src.history} WHERE year = ${T - 1}) h1 USING (member_id)
       LEFT JOIN (SELECT member_id, n_hcc_v28 FROM ${src.history} WHERE year = ${T - 2}) h2 USING (member_id)`;
}

export const hccCounts: FeatureFamily = {
  name: 'hcc_counts',
  definitions: () => [...HCC_COUNT_FEATURES],
  sql: hccCountsSql,
};
