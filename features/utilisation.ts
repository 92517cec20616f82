// Utilisation in T-1 (DOMAIN.md section 3: "counts of visits", "dollars on claims whose diagnoses
// map to no HCC"): paid dollars (log-scaled), dollars on claims that map to no V28 condition
// category, professional and outpatient claims, inpatient days; from the claims of T-1
// (claim-ccs.ts).
import type { FeatureDefinition, FeatureFamily, FeatureSources } from './family.ts';

export const UTILISATION_FEATURES: readonly FeatureDefinition[] = [
  { name: 'log_paid_t1', meaning: 'log(1 + paid dollars on claims with dates of service in T-1)' },
  { name: 'log_paid_no_hcc_t1', meaning: 'log(1 + dollars on T-1 claims whose diagnoses map to no V28 condition category)' },
  { name: 'visits_t1', meaning: 'professional claims in T-1' },
  { name: 'outpatient_t1', meaning: 'outpatient facility claims in T-1' },
  { name: 'inpatient_days_t1', meaning: 'inpatient days in T-1 (thru - from + 1 per stay)' },
];

/** member_id and the utilisation features, one row per member of the population. */
export function utilisationSql(src: FeatureSources): string {
  // Dollars are summed as DECIMAL cents: exact, whatever order rows are added in.
  return `WITH use AS (
         SELECT member_id, sum(paid) AS paid, sum(paid) FILTER (WHERE len(ccs) = 0) AS paid_no_hcc,
                count(*) FILTER (WHERE claim_type = 'professional') AS visits,
                count(*) FILTER (WHERE claim_type = 'outpatient') AS outpatient,
                sum(date_diff('day', from_date, thru_date) + 1) FILTER (WHERE claim_type = 'inpatient') AS inpatient_days
         FROM ${src.claimCcs} GROUP BY member_id)
     SELECT p.member_id,
       ln(1 + coalesce(use.paid, 0)::DOUBLE)::DOUBLE AS log_paid_t1,
       ln(1 + coalesce(use.paid_no_hcc, 0)::DOUBLE)::DOUBLE AS log_paid_no_hcc_t1,
       coalesce(use.visits, 0)::DOUBLE AS visits_t1,
       coalesce(use.outpatient, 0)::DOUBLE AS outpatient_t1,
       coalesce(use.inpatient_days, 0)::DOUBLE AS inpatient_days_t1
     FROM ${src.population} p LEFT JOIN use USING (member_id)`;
}

export const utilisation: FeatureFamily = {
  name: 'utilisation',
  definitions: () => [...UTILISATION_FEATURES],
  sql: utilisationSql,
};
