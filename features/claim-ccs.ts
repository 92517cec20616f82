// The claims of T-1 with the V28 condition categories their diagnoses map to (DOMAIN.md section 3,
// "paid claim dollars in T-1 grouped by condition category"): read by the utilisation and the
// dollars-per-CC families. A claim belongs to T-1 by its thru date; its CCs come from the dx->CC
// table of payment year T (src.dxCc), the year its dates of service pay in. Only claims the plan
// has received by the run's data cut-off count (data/received-by.ts, the one rule): a claim of
// late December received in February is not known on January 1.
import { receivedBySql } from '../data/received-by.ts';
import type { FeatureSources } from './family.ts';

/**
 * One row per claim of T-1 received by `src.dataThrough`: k (a key within the query), member_id, claim_type, from_date,
 * thru_date, paid (DECIMAL), diagnosis_codes, ccs (its distinct CCs, [] for none) and share_micro:
 * the paid dollars in whole micro-dollars divided evenly over its CCs (all of them when it has
 * none), so that dollar sums are exact and do not depend on the order rows are added in.
 */
export function claimCcsSql(src: Pick<FeatureSources, 'asOf' | 'dataThrough' | 'claims' | 'dxCc'>): string {
  const t1 = src.asOf - 1;
  return `WITH claims_t1 AS (
         SELECT row_number() OVER () AS k, member_id, claim_type, from_date, thru_date, paid_amount AS paid, diagnosis_codes
         FROM ${src.claims} WHERE thru_date BETWEEN DATE '${t1}-01-01' AND DATE '${t1}-12-31' AND ${receivedBySql(src.dataThrough)}),
       claim_cc AS (
         SELECT k, list(DISTINCT d.cc) AS ccs FROM (SELECT k, unnest(diagnosis_codes) AS dx FROM claims_t1) u JOIN ${src.dxCc} d USING (dx) GROUP BY k)
     SELECT c.*, coalesce(x.ccs, []) AS ccs, (c.paid * 1000000)::BIGINT // greatest(len(coalesce(x.ccs, [])), 1) AS share_micro
     FROM claims_t1 c LEFT JOIN claim_cc x USING (k)`;
}
