// The dollars of a member's suspects at as-of Y (issue 17: "suspects feed ... the dollars
// ranking"), an input of the dollar model (dollar-model.ts): the V28 HCCs the plan's pharmacy fills
// and lab results imply and that were never coded in Y-2 or Y-1 (features/suspect-evidence.ts, the
// rule of `rafcast suspects` and of the evidence features; fills and results dated from January 1
// of Y-1 to the cut-off and received by it), priced together by the engine as the suspects are
// (suspects/suspect-value.ts: payment year Y+1, V28 alone, the member's demographics of their
// latest history row): annual(K + S) - annual(K), K the member's V28 HCCs of Y-2 and Y-1, each
// payment to the cent. Not an expected figure: a suspect may be no condition at all; the dollar
// model learns from an earlier year of the plan how much of it outreach turned into dollars.
// Members without a suspect or without a history row to price with are absent (0). A plan without
// pharmacy or labs files has no such evidence: every member is absent.
import type { DuckDBConnection } from '@duckdb/node-api';
import { loadSuspectRules } from '../data/reference/suspect-rules.ts';
import { createCodedTables, createSuspectRuleTables, impliedEvidenceSql, uncodedMostSevereSql } from '../features/suspect-evidence.ts';
import { pricingDemographics } from './pricing.ts';
import { priceHccSets, suspectPricing } from './suspects/suspect-value.ts';

/** What the suspects' dollars read (SQL relations): the history as known on the cut-off and the evidence tables present. */
export interface SuspectDollarSources {
  /** raf_hcc rows as known on the cut-off; only years before Y are read. */
  hcc: string;
  /** raf_history rows as known on the cut-off (the demographics to price with). */
  history: string;
  pharmacy?: string;
  labs?: string;
}

/**
 * By member of `members` (a relation of member_id), the dollars of their suspects at as-of `Y`
 * with the evidence known on `dataThrough` (module comment).
 */
export async function suspectDollars(
  conn: DuckDBConnection,
  src: SuspectDollarSources,
  Y: number,
  dataThrough: string,
  members: string,
  annualBaseRate: number,
): Promise<Map<string, number>> {
  if (src.pharmacy === undefined && src.labs === undefined) return new Map();
  const pricing = suspectPricing(Y, annualBaseRate);
  await createSuspectRuleTables(conn, loadSuspectRules(pricing.v28), pricing.v28);
  // "Never coded": in Y-2 and Y-1 as known on the cut-off; nothing of Y (at Y = T-2 the history
  // holds Y, which the plan did not know on January 1 of Y).
  await createCodedTables(conn, { asOf: Y, dataThrough, hcc: `(SELECT * FROM ${src.hcc} WHERE year < ${Y})` });
  const evidence = {
    asOf: Y,
    dataThrough,
    hcc: src.hcc,
    ...(src.pharmacy !== undefined ? { pharmacy: src.pharmacy } : {}),
    ...(src.labs !== undefined ? { labs: src.labs } : {}),
  };
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _suspect_hccs AS
     SELECT x.member_id, x.hcc FROM (${uncodedMostSevereSql(impliedEvidenceSql(evidence, false))}) x SEMI JOIN ${members} m ON m.member_id = x.member_id`,
  );
  await conn.run(`CREATE OR REPLACE TEMP TABLE _suspect_members AS SELECT DISTINCT member_id FROM _suspect_hccs`);
  const rows = (
    await conn.runAndReadAll(
      `WITH k AS (SELECT member_id, list(DISTINCT hcc ORDER BY hcc) AS coded FROM _sus_coded SEMI JOIN _suspect_members USING (member_id) GROUP BY member_id)
       SELECT s.member_id, list(DISTINCT s.hcc ORDER BY s.hcc) AS suspects, any_value(k.coded) AS coded
       FROM _suspect_hccs s LEFT JOIN k USING (member_id) GROUP BY s.member_id ORDER BY s.member_id`,
    )
  ).getRowObjectsJson();
  if (rows.length === 0) return new Map();
  const demographics = await pricingDemographics(conn, src.history, Y, '_suspect_members');
  const priced = rows
    .map((r) => ({ id: String(r.member_id), suspects: (r.suspects as number[]).map(Number), coded: ((r.coded as number[] | null) ?? []).map(Number) }))
    .filter((r) => demographics.has(r.id));
  const sets = priceHccSets(
    priced.map((r) => ({ demographics: demographics.get(r.id)!, sets: [r.coded, [...r.coded, ...r.suspects]] })),
    pricing,
  );
  const cents = (annual: number): number => Math.round(annual * 100);
  return new Map(priced.map((r, i) => [r.id, (cents(sets[i]![1]!.annual) - cents(sets[i]![0]!.annual)) / 100]));
}
