// What a suspect is worth (issue 17: "its dollar value through the engine, with and without it, so
// interactions and hierarchies count"; DOMAIN.md section 1). The member is scored for payment
// year T+1 by the batch engine (scoring/batch.ts) on the V28 HCCs coded in T-2..T as known on the
// cut-off, K, with and without the suspected HCC h: value = annual(K + h) - annual(K - h), each
// payment rounded to the cent (scoring/revenue.ts). A recapture's h is in K (what the member loses
// if it is not coded again); a new suspect's is not (what coding it adds). The point K assumes
// every open HCC recaptured, as the candidate list's pricing does (evaluation/candidate-value.ts,
// whose HCC-as-code tables are used here). The suspects are V28 conditions, so they are priced on
// V28 alone (blend forced to 100%), with the V28 normalisation and the MA coding adjustment of
// T+1 (or the nearest bundled year): from payment year 2026 CMS pays on V28 alone; for an earlier
// year this is what the V28 part would pay at full weight. Members without a history row in T-1
// or T-2 have no demographics to price with (evaluation/member-dollars.ts pricingDemographics):
// their suspects are listed unpriced.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ModelTables } from '../../data/reference/cms-hcc-tables.ts';
import { tablesFor } from '../../data/reference/tables-for.ts';
import { CodeDictionary, MemberBatchBuilder, compileModel, scoreBatch } from '../../scoring/batch.ts';
import type { Demographics } from '../../scoring/demographics.ts';
import { paymentScores, type PaymentParameters } from '../../scoring/payment-score.ts';
import { requireBaseRate, revenue } from '../../scoring/revenue.ts';
import { hccCode, hccCodeTables } from '../candidate-value.ts';
import { pricingDemographics, pricingParameters } from '../pricing.ts';

/** The V28 tables and payment parameters suspects are priced with, and the base rate. */
export interface SuspectPricing {
  v28: ModelTables;
  params: PaymentParameters;
  annualBaseRate: number;
  /** The payment year whose factors priced (T+1, or the nearest bundled). */
  factorsYear: number;
}

/** The pricing of suspects at as-of T: payment year T+1's V28 figures, blend 100% V28 (module comment). */
export function suspectPricing(asOf: number, annualBaseRate: number): SuspectPricing {
  requireBaseRate(annualBaseRate);
  // The nearest payment year with V28 figures: before 2024 CMS had none (as-of 2022 prices at 2024's).
  const { params, factorsYear } = pricingParameters(asOf + 1, { blend: { V28: 1 } });
  return { v28: tablesFor('V28', factorsYear), params, annualBaseRate, factorsYear };
}

export interface MemberSuspects {
  /** Demographics for payment year T+1. */
  demographics: Demographics;
  /** K: the V28 HCCs coded in T-2..T as known on the cut-off. */
  coded: readonly number[];
  /** The HCCs suspected. */
  suspects: readonly number[];
}

export interface SuspectValue {
  /** Payment score without h (K - h) and with it (K + h). */
  scoreWithout: number;
  scoreWith: number;
  /** annual(K + h) - annual(K - h), dollars a year, to the cent. */
  dollars: number;
}

/** A set of V28 HCCs priced: the payment score, and the payment a year and a month to the cent. */
export interface PricedSet {
  score: number;
  annual: number;
  monthly: number;
}

/**
 * Each member's HCC sets priced by the batch engine for the pricing's payment year (hierarchies,
 * interactions and the count variable applied), in the order given: the one pricing rule that
 * suspects, audit-risk alerts and the three-column illustration share. A member's identical sets
 * are scored once.
 */
export function priceHccSets(members: readonly { demographics: Demographics; sets: readonly (readonly number[])[] }[], p: SuspectPricing): PricedSet[][] {
  const compiled = compileModel(hccCodeTables(p.v28));
  const builder = new MemberBatchBuilder(new CodeDictionary(), Math.max(1, members.reduce((n, m) => n + m.sets.length, 0)));
  const plans = members.map((m) => {
    const rows = new Map<string, number>();
    return m.sets.map((hccs) => {
      const sorted = [...new Set(hccs)].sort((a, b) => a - b);
      const key = sorted.join(',');
      let row = rows.get(key);
      if (row === undefined) {
        row = builder.size;
        builder.add(m.demographics, sorted.map((h) => hccCode('V28', h)));
        rows.set(key, row);
      }
      return row;
    });
  });
  const batch = builder.finish();
  const pay = paymentScores({ V28: scoreBatch(compiled, batch) }, p.params, batch.size);
  return plans.map((rows) =>
    rows.map((row) => {
      const r = revenue(pay[row]!, p.annualBaseRate);
      return { score: pay[row]!, annual: r.annual, monthly: r.pmpm };
    }),
  );
}

/** Each member's suspects priced (module comment), in the order given. */
export function suspectValues(members: readonly MemberSuspects[], p: SuspectPricing): SuspectValue[][] {
  const priced = priceHccSets(
    members.map((m) => ({ demographics: m.demographics, sets: m.suspects.flatMap((h) => [m.coded.filter((c) => c !== h), [...m.coded, h]]) })),
    p,
  );
  const cents = (s: PricedSet): number => Math.round(s.annual * 100);
  return members.map((m, i) =>
    m.suspects.map((_, j) => {
      const without = priced[i]![2 * j]!;
      const withH = priced[i]![2 * j + 1]!;
      return { scoreWithout: without.score, scoreWith: withH.score, dollars: (cents(withH) - cents(without)) / 100 };
    }),
  );
}

/** Members priced per batch: a bounded slice of the plan in memory at a time. */
export const PRICING_CHUNK = 50_000;

/** What priceSuspects reads: the (member_id, hcc) pairs to price, K per member, and the latest history year of the demographics. */
export interface PricingInputs {
  /** A relation of member_id, hcc: each pair priced (default _suspects). */
  priced?: string;
  /** A relation of member_id, hcc: K, the member's coded HCCs (default _sus_coded). */
  coded?: string;
  /** The demographics come from the latest history row of this year or the one before (default asOf - 1, what the plan knows at T). */
  latestYear?: number;
  /** The table the values go to (default _sus_values). */
  into?: string;
}

/**
 * Prices every (member, HCC) of `priced` into `into` (member_id, hcc, score_without, score_with,
 * dollars), chunk by chunk, for payment year asOf + 1 with `pricing`; `history` is a raf_history
 * (the demographics). Returns the members priced and those without demographics (left unpriced).
 */
export async function priceSuspects(
  conn: DuckDBConnection,
  history: string,
  asOf: number,
  pricing: SuspectPricing,
  onProgress: (done: number, total: number) => void = () => undefined,
  chunk = PRICING_CHUNK,
  inputs: PricingInputs = {},
): Promise<{ priced: number; unpriced: number }> {
  const { priced: pairs = '_suspects', coded = '_sus_coded', latestYear = asOf - 1, into = '_sus_values' } = inputs;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _sus_price_in AS
     SELECT s.member_id, ((row_number() OVER (ORDER BY s.member_id) - 1) // ${chunk})::INTEGER AS chunk, s.suspects,
            coalesce(c.coded, []::INTEGER[]) AS coded
     FROM (SELECT member_id, list(DISTINCT hcc ORDER BY hcc) AS suspects FROM ${pairs} GROUP BY member_id) s
       LEFT JOIN (SELECT member_id, list(DISTINCT hcc ORDER BY hcc) AS coded FROM ${coded} GROUP BY member_id) c USING (member_id)`,
  );
  // The history rows pricingDemographics reads, once, instead of the whole history per chunk.
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _sus_hist AS SELECT member_id, year, sex, age, orec, dual_status, institutional FROM ${history}
     WHERE year IN (${latestYear}, ${latestYear - 1}) AND member_id IN (SELECT member_id FROM _sus_price_in)`,
  );
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${into} (member_id VARCHAR, hcc INTEGER, score_without DOUBLE, score_with DOUBLE, dollars DOUBLE)`);
  const total = Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM _sus_price_in`)).getRowObjectsJson()[0]!.n);
  const chunks = Math.ceil(total / chunk);
  let priced = 0;
  for (let k = 0; k < chunks; k++) {
    const rows = (await conn.runAndReadAll(`SELECT member_id, suspects, coded FROM _sus_price_in WHERE chunk = ${k} ORDER BY member_id`)).getRowObjectsJson();
    const demographics = await pricingDemographics(conn, '_sus_hist', asOf, `(SELECT member_id FROM _sus_price_in WHERE chunk = ${k})`, latestYear);
    const members = rows
      .filter((r) => demographics.has(String(r.member_id)))
      .map((r) => ({ id: String(r.member_id), demographics: demographics.get(String(r.member_id))!, coded: (r.coded as number[]).map(Number), suspects: (r.suspects as number[]).map(Number) }));
    const values = suspectValues(members, pricing);
    const appender = await conn.createAppender(into, 'main', 'temp');
    try {
      members.forEach((m, i) =>
        m.suspects.forEach((h, j) => {
          const v = values[i]![j]!;
          appender.appendVarchar(m.id);
          appender.appendInteger(h);
          appender.appendDouble(v.scoreWithout);
          appender.appendDouble(v.scoreWith);
          appender.appendDouble(v.dollars);
          appender.endRow();
        }),
      );
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    priced += members.length;
    onProgress(Math.min(total, (k + 1) * chunk), total);
  }
  return { priced, unpriced: total - priced };
}
