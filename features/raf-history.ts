// RAF history (DOMAIN.md section 3): RAF_{T-2} and RAF_{T-1} with their change, the raw V24 and
// V28 scores, and RAF_init_{T-1}, from `rafcast history`; a member with no row in a year (new to
// the plan) is marked missing, and its scores are 0 rather than a healthy member's.
import type { FeatureDefinition, FeatureFamily, FeatureSources } from './family.ts';

export const RAF_HISTORY_FEATURES: readonly FeatureDefinition[] = [
  { name: 'missing_t1', meaning: '1 when the member has no RAF_{T-1} (new to the plan): its RAF features are 0, not a healthy score' },
  { name: 'missing_t2', meaning: '1 when the member has no RAF_{T-2}' },
  { name: 'raf_t1', meaning: 'RAF_{T-1}: payment score from dates of service in T-1' },
  { name: 'raf_t2', meaning: 'RAF_{T-2}' },
  { name: 'raf_change', meaning: 'RAF_{T-1} - RAF_{T-2} (0 when either is missing)' },
  { name: 'raw_v24_t1', meaning: 'V24 raw score, T-1' },
  { name: 'raw_v28_t1', meaning: 'V28 raw score, T-1' },
  { name: 'raw_v24_t2', meaning: 'V24 raw score, T-2' },
  { name: 'raw_v28_t2', meaning: 'V28 raw score, T-2' },
  { name: 'raf_init_t1', meaning: 'RAF_init_{T-1}: July T-2 to June T-1' },
];

/** member_id and the RAF history features, one row per member of the population. */
export function rafHistorySql(src: FeatureSources): string {
  const T = src.asOf;
  return `SELECT p.member_id,
       (h1.member_id IS NULL)::INTEGER::DOUBLE AS missing_t1,
       (h2.member_id IS NULL)::INTEGER::DOUBLE AS missing_t2,
       coalesce(h1.raf, 0)::DOUBLE AS raf_t1,
       coalesce(h2.raf, 0)::DOUBLE AS raf_t2,
       coalesce(h1.raf - h2.raf, 0)::DOUBLE AS raf_change,
       coalesce(h1.raw_v24, 0)::DOUBLE AS raw_v24_t1,
       coalesce(h1.raw_v28, 0)::DOUBLE AS raw_v28_t1,
       coalesce(h2.raw_v24, 0)::DOUBLE AS raw_v24_t2,
       coalesce(h2.raw_v28, 0)::DOUBLE AS raw_v28_t2,
       coalesce(h1.raf_init, 0)::DOUBLE AS raf_init_t1
     FROM ${src.population} p
       LEFT JOIN (SELECT * FROM ${src.history} WHERE year = ${T - 1}) h1 USING (member_id)
       LEFT JOIN (SELECT * FROM ${src.history} WHERE year = ${T - 2}) h2 USING (member_id)`;
}

export const rafHistory: FeatureFamily = {
  name: 'raf_history',
  definitions: () => [...RAF_HISTORY_FEATURES],
  sql: rafHistorySql,
};
