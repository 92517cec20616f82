// Recapture (DOMAIN.md sections 2 and 3): how T-1's V28 HCCs were and will be captured. The HCCs
// first coded in the second half of T-1 (so not in RAF_init_{T-1}: paid only by the August lump
// sum), and the member's T-1 factors weighted by each HCC's recapture rate: the share of the
// members with the HCC in T-2, among those with a score in T-1, who had it again in T-1 (a
// chronic condition is coded again, an acute one mostly not). The rates are a population figure,
// taken from `src.rateHistory` (the whole plan's history when the features are built shard by
// shard); dates before T only.
import type { FeatureDefinition, FeatureFamily, FeatureSources } from './family.ts';

export const RECAPTURE_FEATURES: readonly FeatureDefinition[] = [
  { name: 'late_hccs_t1', meaning: 'V28 HCCs of T-1 first coded in its second half (not in RAF_init_{T-1})' },
  {
    name: 'persistent_factor_t1',
    meaning: "sum over T-1's V28 HCCs of factor x the HCC's recapture rate (share of the plan's members with it in T-2 who had it again in T-1)",
  },
  { name: 'transient_factor_t1', meaning: "sum over T-1's V28 HCCs of factor x (1 - recapture rate)" },
];

/** member_id and the recapture features, one row per member of the population. */
export function recaptureSql(src: FeatureSources): string {
  const t1 = src.asOf - 1;
  const t2 = src.asOf - 2;
  // Sums of factors are taken in HCC order: the same bytes whatever order rows are read in.
  return `WITH c1 AS (SELECT * FROM ${src.hcc} WHERE model = 'V28' AND year = ${t1}),
       late AS (SELECT member_id, count(*) AS n FROM c1 WHERE NOT in_initial GROUP BY member_id),
       rc1 AS (SELECT member_id, hcc FROM ${src.rateHcc} WHERE model = 'V28' AND year = ${t1}),
       rc2 AS (SELECT member_id, hcc FROM ${src.rateHcc} WHERE model = 'V28' AND year = ${t2}),
       rates AS (
         SELECT rc2.hcc, avg((rc1.member_id IS NOT NULL)::INTEGER) AS rate
         FROM rc2 JOIN (SELECT member_id FROM ${src.rateHistory} WHERE year = ${t1}) USING (member_id)
           LEFT JOIN rc1 ON rc1.member_id = rc2.member_id AND rc1.hcc = rc2.hcc GROUP BY rc2.hcc),
       carry AS (
         SELECT c1.member_id, list_sum(list(c1.factor * coalesce(r.rate, 0) ORDER BY c1.hcc)) AS persistent,
                list_sum(list(c1.factor * (1 - coalesce(r.rate, 0)) ORDER BY c1.hcc)) AS transient
         FROM c1 LEFT JOIN rates r USING (hcc) GROUP BY c1.member_id)
     SELECT p.member_id,
       coalesce(late.n, 0)::DOUBLE AS late_hccs_t1,
       coalesce(carry.persistent, 0)::DOUBLE AS persistent_factor_t1,
       coalesce(carry.transient, 0)::DOUBLE AS transient_factor_t1
     FROM ${src.population} p LEFT JOIN late USING (member_id) LEFT JOIN carry USING (member_id)`;
}

export const recapture: FeatureFamily = {
  name: 'recapture',
  definitions: () => [...RECAPTURE_FEATURES],
  sql: recaptureSql,
};
