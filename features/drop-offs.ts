// Drop-offs (DOMAIN.md section 3, "HCCs coded in T-2 but not in T-1"): the member's V28 HCCs of
// T-2 that are not among its V28 HCCs of T-1 (raf_hcc of `rafcast history`), counted and with
// their relative factors summed: a chronic condition that was not coded again.
import type { FeatureDefinition, FeatureFamily, FeatureSources } from './family.ts';

export const DROP_OFF_FEATURES: readonly FeatureDefinition[] = [
  { name: 'dropped_hccs', meaning: 'V28 HCCs coded in T-2 but not in T-1 (drop-offs)' },
  { name: 'dropped_factor', meaning: 'sum of the drop-offs\' V28 relative factors' },
];

/** member_id and the drop-off features, one row per member of the population. */
export function dropOffsSql(src: FeatureSources): string {
  const T = src.asOf;
  // The factors are summed in HCC order, so the sum does not depend on the order DuckDB's
  // threads read rows in: the same bytes every run.
  return `WITH c1 AS (SELECT member_id, hcc FROM ${src.hcc} WHERE model = 'V28' AND year = ${T - 1}),
       c2 AS (SELECT member_id, hcc, factor FROM ${src.hcc} WHERE model = 'V28' AND year = ${T - 2}),
       dropped AS (
         SELECT member_id, count(*) AS n, list_sum(list(factor ORDER BY hcc)) AS factor FROM c2
         WHERE NOT EXISTS (SELECT 1 FROM c1 WHERE c1.member_id = c2.member_id AND c1.hcc = c2.hcc) GROUP BY member_id)
     SELECT p.member_id,
       coalesce(dropped.n, 0)::DOUBLE AS dropped_hccs,
       coalesce(dropped.factor, 0)::DOUBLE AS dropped_factor
     FROM ${src.population} p LEFT JOIN dropped USING (member_id)`;
}

export const dropOffs: FeatureFamily = {
  name: 'drop_offs',
  definitions: () => [...DROP_OFF_FEATURES],
  sql: dropOffsSql,
};
