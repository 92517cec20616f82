// The three-column illustration of a member's value of complete documentation (issue 17, "The
// three-column illustration"; the practice model in the seed documents): for payment year T+1,
// 1. demographics only (no HCC);
// 2. demographics plus the V28 HCCs coded in T-1 and T as known on the cut-off (what the plan is
//    paid for if this year's coding repeats the latest year's);
// 3. full coding: those plus every suspect of the suspects engine (recapture, drop-off,
//    medication, lab, comorbidity: evaluation/suspects/), hierarchies and interactions applied.
// Each column's payment score, monthly and annual payment, priced by the suspects' pricing
// (suspect-value.ts priceHccSets: V28 alone with T+1's figures) on the demographics the suspects
// are priced with (evaluation/member-dollars.ts pricingDemographics, history rows of T-1 or T-2).
// A library function for one member (`rafcast explain`) or many (the report's top of the list).
import type { DuckDBConnection } from '@duckdb/node-api';
import { dollars } from '../format.ts';
import { pricingDemographics } from '../pricing.ts';
import { priceHccSets, type PricedSet, type SuspectPricing } from '../suspects/suspect-value.ts';

export const COLUMN_NAMES = ['demographics only', 'plus HCCs coded', 'full coding of every suspect'] as const;

export interface Column extends PricedSet {
  name: (typeof COLUMN_NAMES)[number];
  /** The V28 HCCs the column prices, ascending (before the hierarchies). */
  hccs: number[];
}

export interface ThreeColumns {
  memberId: string;
  asOf: number;
  columns: [Column, Column, Column];
  /** The suspects added in column 3: HCC and evidence types. */
  suspects: { hcc: number; evidence: string[] }[];
}

export interface ThreeColumnSources {
  asOf: number;
  /** raf_hcc of the history as known on the cut-off, T-2..T (its V28 rows of T-1 and T are read). */
  hcc: string;
  /** raf_history of the same history (the demographics). */
  history: string;
  /** The suspects: a relation of member_id, hcc, evidence_type (the suspects engine's _suspects or suspects.csv). */
  suspects: string;
}

/**
 * The three columns for each member of `members` (a relation of member_id), in member order;
 * members without a history row in T-1 or T-2 (no demographics to price) are left out.
 */
export async function threeColumns(conn: DuckDBConnection, src: ThreeColumnSources, members: string, pricing: SuspectPricing): Promise<ThreeColumns[]> {
  const T = Math.trunc(src.asOf);
  const rows = (
    await conn.runAndReadAll(
      `WITH m AS (SELECT DISTINCT member_id FROM ${members}),
         coded AS (SELECT member_id, list(DISTINCT hcc ORDER BY hcc) AS hccs FROM ${src.hcc}
                   WHERE model = 'V28' AND year BETWEEN ${T - 1} AND ${T} AND member_id IN (SELECT member_id FROM m) GROUP BY member_id),
         sus AS (SELECT member_id, list({'hcc': hcc, 'evidence': evidence} ORDER BY hcc) AS suspects
                 FROM (SELECT member_id, hcc::INTEGER AS hcc, list(DISTINCT evidence_type ORDER BY evidence_type) AS evidence FROM ${src.suspects}
                       WHERE member_id IN (SELECT member_id FROM m) GROUP BY member_id, hcc) GROUP BY member_id)
       SELECT m.member_id, coalesce(c.hccs, []::INTEGER[]) AS coded, coalesce(s.suspects, []) AS suspects
       FROM m LEFT JOIN coded c USING (member_id) LEFT JOIN sus s USING (member_id) ORDER BY m.member_id`,
    )
  ).getRowObjectsJson();
  const demographics = await pricingDemographics(conn, src.history, T, `(SELECT DISTINCT member_id FROM ${members})`);
  const kept = rows
    .filter((r) => demographics.has(String(r.member_id)))
    .map((r) => {
      const coded = (r.coded as number[]).map(Number);
      const suspects = (r.suspects as { hcc: number; evidence: string[] }[]).map((x) => ({ hcc: Number(x.hcc), evidence: x.evidence.map(String) }));
      const full = [...new Set([...coded, ...suspects.map((x) => x.hcc)])].sort((a, b) => a - b);
      return { id: String(r.member_id), sets: [[], coded, full] as number[][], suspects };
    });
  const priced = priceHccSets(kept.map((m) => ({ demographics: demographics.get(m.id)!, sets: m.sets })), pricing);
  return kept.map((m, i) => ({
    memberId: m.id,
    asOf: T,
    columns: COLUMN_NAMES.map((name, j) => ({ name, hccs: m.sets[j]!, ...priced[i]![j]! })) as ThreeColumns['columns'],
    suspects: m.suspects,
  }));
}

/** The illustration as text (the member id is in it: for the user who asked for that member, never a log). */
export function threeColumnsText(x: ThreeColumns, pricing: SuspectPricing): string {
  const w = 30;
  const cell = (s: string): string => s.padEnd(w);
  const row = (label: string, f: (c: Column) => string): string => `${label.padEnd(22)}${x.columns.map((c) => cell(f(c))).join('')}`.trimEnd();
  const lines = [
    `member ${x.memberId}, as-of ${x.asOf}: payment year ${x.asOf + 1}${pricing.factorsYear !== x.asOf + 1 ? ` (${pricing.factorsYear}'s factors)` : ''}, V28 alone, ` +
      `normalisation ${pricing.params.normalization.V28}, MA coding adjustment ${pricing.params.codingAdjustment}, base rate ${dollars(pricing.annualBaseRate)} a year`,
    row('', (c) => c.name),
    row('V28 HCCs', (c) => (c.hccs.length === 0 ? '-' : c.hccs.join(' '))),
    row('RAF (payment score)', (c) => c.score.toFixed(3)),
    row('monthly payment', (c) => dollars(c.monthly)),
    row('annual payment', (c) => dollars(c.annual)),
    `suspects: ${x.suspects.length === 0 ? 'none' : x.suspects.map((s) => `${s.hcc} (${s.evidence.join(', ')})`).join('; ')}`,
  ];
  return `${lines.join('\n')}\n`;
}
