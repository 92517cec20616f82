// Evidence of uncoded conditions (issue 17, "suspects feed the model's features"; DOMAIN.md section
// 3 allows additions): the V28 HCCs that the member's pharmacy fills and lab results of T-1 (and
// of T up to the data cut-off, received by then) imply and that were never coded in T-2 or T-1 as
// known on the cut-off, by the suspects' one rule (suspect-evidence.ts: each evidence type's most
// severe HCC, "coded" including any HCC above it). Counted per evidence type, and their relative
// factors summed: a condition the member has and the plan has not documented yet is RAF that T
// may add. The factor is the HCC's in the community, non-dual, aged segment of the V28 tables
// for payment year T (CNA_HCC<n>): one segment for every member, a magnitude and not a payment
// (the payment the suspect would bring is priced by the engine, evaluation/suspects). Without a
// pharmacy or labs file the plan has no such evidence and its features are 0 for every member;
// a model trained so neutralises them (models/constant-features.ts). The comorbidity suspects are
// not features: they read only coded HCCs, which the other families already give the model.
import type { FeatureDefinition, FeatureFamily, FeatureSources } from './family.ts';
import { impliedEvidenceSql, uncodedMostSevereSql } from './suspect-evidence.ts';

export const EVIDENCE_FEATURES: readonly FeatureDefinition[] = [
  { name: 'medication_suspects', meaning: 'V28 HCCs implied by fills from January 1 of T-1 to the cut-off and never coded in T-2 or T-1 (suspects)' },
  { name: 'medication_suspect_factor', meaning: 'sum of those HCCs\' V28 factors (community, non-dual, aged)' },
  { name: 'lab_suspects', meaning: 'V28 HCCs implied by lab results from January 1 of T-1 to the cut-off and never coded in T-2 or T-1 (suspects)' },
  { name: 'lab_suspect_factor', meaning: 'sum of those HCCs\' V28 factors (community, non-dual, aged)' },
];

/**
 * member_id and the evidence features, one row per member of the population. Reads the rule and
 * coded tables createEvidenceTables made on the connection (suspect-evidence.ts) and
 * `src.suspectFactors` (hcc, factor).
 */
export function evidenceSql(src: FeatureSources): string {
  const sources = {
    asOf: src.asOf,
    dataThrough: src.dataThrough,
    hcc: src.hcc,
    ...(src.pharmacy !== undefined ? { pharmacy: src.pharmacy } : {}),
    ...(src.labs !== undefined ? { labs: src.labs } : {}),
  };
  if (src.pharmacy === undefined && src.labs === undefined) {
    return `SELECT member_id, 0::DOUBLE AS medication_suspects, 0::DOUBLE AS medication_suspect_factor, 0::DOUBLE AS lab_suspects, 0::DOUBLE AS lab_suspect_factor FROM ${src.population}`;
  }
  // Factors are summed in HCC order: the same bytes whatever order DuckDB's threads read rows in.
  return `WITH ev AS (SELECT e.member_id, e.hcc, e.evidence_type, f.factor
                 FROM (${uncodedMostSevereSql(impliedEvidenceSql(sources, false))}) e JOIN ${src.suspectFactors} f USING (hcc)),
       per AS (
         SELECT member_id,
           count(*) FILTER (WHERE evidence_type = 'medication') AS med_n,
           list_sum(list(factor ORDER BY hcc) FILTER (WHERE evidence_type = 'medication')) AS med_f,
           count(*) FILTER (WHERE evidence_type = 'lab') AS lab_n,
           list_sum(list(factor ORDER BY hcc) FILTER (WHERE evidence_type = 'lab')) AS lab_f
         FROM ev GROUP BY member_id)
     SELECT p.member_id,
       coalesce(per.med_n, 0)::DOUBLE AS medication_suspects,
       coalesce(per.med_f, 0)::DOUBLE AS medication_suspect_factor,
       coalesce(per.lab_n, 0)::DOUBLE AS lab_suspects,
       coalesce(per.lab_f, 0)::DOUBLE AS lab_suspect_factor
     FROM ${src.population} p LEFT JOIN per USING (member_id)`;
}

export const evidence: FeatureFamily = {
  name: 'evidence',
  definitions: () => [...EVIDENCE_FEATURES],
  sql: evidenceSql,
};
