// Dollars per condition category (DOMAIN.md section 3: "the member's paid claim dollars in T-1
// grouped by condition category (the CC each claim's diagnoses map to)"): for each of the
// schema's V28 CCs, log(1 + the T-1 dollars on claims mapping to it), a claim's dollars split
// evenly over its CCs (claim-ccs.ts).
import type { FeatureDefinition, FeatureFamily, FeatureSources } from './family.ts';

export function ccDollarDefinitions(ccs: readonly number[]): FeatureDefinition[] {
  return ccs.map((cc) => ({ name: `log_paid_cc${cc}`, meaning: `log(1 + T-1 dollars on claims mapping to V28 CC ${cc}, a claim's dollars split evenly over its CCs)` }));
}

/** member_id and log_paid_cc<cc> for each of `ccs`, one row per member of the population. */
export function ccDollarsSql(src: FeatureSources, ccs: readonly number[]): string {
  if (ccs.length === 0) throw new RangeError('no condition categories to sum dollars for');
  // The shares are whole micro-dollars (claim-ccs.ts): their sums are exact.
  return `WITH cc_dollars AS (
         SELECT member_id, ${ccs.map((cc) => `sum(share_micro) FILTER (WHERE list_contains(ccs, ${cc})) AS d${cc}`).join(', ')}
         FROM ${src.claimCcs} WHERE len(ccs) > 0 GROUP BY member_id)
     SELECT p.member_id,
       ${ccs.map((cc) => `ln(1 + coalesce(cc_dollars.d${cc}, 0)::DOUBLE / 1e6)::DOUBLE AS log_paid_cc${cc}`).join(',\n       ')}
     FROM ${src.population} p LEFT JOIN cc_dollars USING (member_id)`;
}

export const ccDollars: FeatureFamily = {
  name: 'cc_dollars',
  definitions: ccDollarDefinitions,
  sql: ccDollarsSql,
};
