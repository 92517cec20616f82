// What outreach on a listed member's open HCCs is expected to bring (issue 14; DOMAIN.md sections 1,
// 2 and 4): the candidate list's expected_accelerated, expected_incremental and expected_dollars.
//
// Open HCCs: the payment HCCs coded in T-1 or T-2 (evaluation/recapture-rates.ts); on January 1
// none of T is coded, and each must be coded again in T to count for payment year T+1.
//
// Each open HCC's value is priced by the engine itself, not by its factor: the member is scored
// for payment year T+1 (demographics of T+1, each blended model, normalisation, blend, MA coding
// adjustment, CMS rounding, times the base rate to the cent) with and without it, so
// hierarchies, interactions, the V28 heart patch and the payment HCC count variable all count.
// The point the value is taken at is "every open HCC recaptured" (most are: a first-order
// expansion around the likely outcome): the value of h is what the member's payment loses when
// h alone is not coded, score(open - A) - score(open - A - h), A being the open HCCs of the same
// model that outrank h in a hierarchy (none, for most). A diabetes coded at HCC 37 in T-2 and at
// 38 in T-1 is so worth 38's full value (recaptured at 38's rate) plus what 37 adds above it (0
// in V28, at 37's rate), never nothing because each hides behind the other. Two open HCCs that
// interact each carry the interaction: the error is of the second order, both being missed.
//
// The scoring runs on the batch engine (scoring/batch.ts, held equal to calculate.ts), fed each
// open HCC as a code of its own (hccCodeTables), so every step after the ICD-10 mapping runs
// unchanged. The age/sex edits are not applied again: they were when the HCC was coded.
//
// Expected dollars of an open HCC of value v (a year of payment), recapture rate p and late share
// l (evaluation/recapture-rates.ts), outreach assumed to document it in January-June of T:
// - incremental = (1 - p) x v: without outreach it is not coded in T and never paid;
// - accelerated = p x l x v x 6/12 when the HCC is not already in RAF_init_T's window: without
//   outreach it is coded in July-December of T and its January-June payments come in the August
//   lump sum (6 x the monthly difference) instead of month by month from January. 0 for an HCC
//   last coded in July-December of T-1 (already paid from January).
// expected_dollars = expected_accelerated + expected_incremental, each rounded to the cent: one
// figure to rank outreach by; the two are different kinds of money (moved earlier, gained).
import type { ModelTables, ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { CodeDictionary, MemberBatchBuilder, compileModel, scoreBatch } from '../scoring/batch.ts';
import type { Demographics } from '../scoring/demographics.ts';
import { blendedModels, paymentScores, type PaymentParameters } from '../scoring/payment-score.ts';
import { revenue } from '../scoring/revenue.ts';
import { roundHalfUp } from '../scoring/rounding.ts';
import type { OpenHcc, RecaptureKey, RecaptureRate } from './recapture-rates.ts';


/** The share of a year's payment the August lump sum pays for a late capture: January-June, 6 of 12 months. */
export const LUMP_SUM_SHARE = 6 / 12;


export interface MemberToPrice {
  /** Demographics for payment year T+1. */
  demographics: Demographics;
  open: readonly OpenHcc[];
}

/** What each open HCC of a member is worth, in the order given. */
export interface OpenHccValues {
  /** Dollars a year (payment year T+1): score(open - A) - score(open - A - h), to the cent. */
  value: number[];
  /** A: the open HCCs of the same model that outrank it. */
  outrankedBy: number[][];
  /** The member's payment score with every open HCC. */
  paymentScore: number;
}

export interface PricingTables {
  /** Each blended model's tables for payment year T+1 (data/reference/tables-for.ts). */
  tables: Partial<Record<ModelVersion, ModelTables>>;
  params: PaymentParameters;
  annualBaseRate: number;
}

/** The code an open HCC is fed to the engine as: `V28HCC37`. */
export const hccCode = (model: ModelVersion, hcc: number): string => `${model}HCC${hcc}`;

/**
 * The model's tables with each payment HCC as a code of its own (hccCode, mapped to that HCC
 * alone) and no age/sex edits; hierarchies, the heart patch, interactions, the count variable and
 * the factors are the model's own.
 */
export function hccCodeTables(t: ModelTables): ModelTables {
  return {
    ...t,
    dxToCc: new Map(t.paymentHccs.map((h) => [hccCode(t.model, h), [h]])),
    ageSexEdits: [],
  };
}

/** Prices every open HCC of every member on the batch engine (module comment). */
export function openHccValues(members: readonly MemberToPrice[], pricing: PricingTables): OpenHccValues[] {
  const models = blendedModels(pricing.params);
  const compiled = models.map((m) => {
    const t = pricing.tables[m];
    if (t === undefined) throw new Error(`openHccValues: no ${m} tables were given`);
    return { m, c: compileModel(hccCodeTables(t)), hierarchy: t.hierarchy };
  });
  const builder = new MemberBatchBuilder(new CodeDictionary(), Math.max(1, members.length * 3));
  // Per member: the variant (batch row) with every open HCC, and per HCC the two it is priced between.
  const plans = members.map((member) => {
    const codes = member.open.map((h) => hccCode(h.model, h.hcc));
    const rows = new Map<string, number>();
    /** The batch row of the member without the open HCCs at these indexes. */
    const variant = (without: readonly number[]): number => {
      const key = [...without].sort((a, b) => a - b).join(',');
      let row = rows.get(key);
      if (row === undefined) {
        row = builder.size;
        builder.add(member.demographics, codes.filter((_, j) => !without.includes(j)));
        rows.set(key, row);
      }
      return row;
    };
    const full = variant([]);
    const pairs = member.open.map((h, j) => {
      const hierarchy = compiled.find((c) => c.m === h.model)?.hierarchy ?? [];
      const above = member.open.flatMap((p, k) =>
        k !== j && p.model === h.model && hierarchy.some((r) => r.parent === p.hcc && r.children.includes(h.hcc)) ? [k] : [],
      );
      return { above, base: variant(above), without: variant([...above, j]) };
    });
    return { full, pairs };
  });
  const batch = builder.finish();
  const raw: Partial<Record<ModelVersion, Float64Array>> = {};
  for (const { m, c } of compiled) raw[m] = scoreBatch(c, batch);
  const pay = paymentScores(raw, pricing.params, batch.size);
  const annual = Float64Array.from(pay, (p) => Math.round(revenue(p, pricing.annualBaseRate).annual * 100));
  return plans.map((p, i) => ({
    value: p.pairs.map((q) => (annual[q.base]! - annual[q.without]!) / 100),
    outrankedBy: p.pairs.map((q) => q.above.map((k) => members[i]!.open[k]!.hcc)),
    paymentScore: pay[p.full]!,
  }));
}

/** One open HCC's expected dollars. */
export interface PricedHcc {
  open: OpenHcc;
  value: number;
  outrankedBy: number[];
  rate: RecaptureRate;
  accelerated: number;
  incremental: number;
}

/** A member's expected dollars, each rounded to the cent; dollars = accelerated + incremental. */
export interface ExpectedGain {
  hccs: PricedHcc[];
  accelerated: number;
  incremental: number;
  dollars: number;
}

/** Weighs each open HCC's value by its recapture rate and late share (module comment). */
export function expectedGain(open: readonly OpenHcc[], values: OpenHccValues, rateOf: (k: RecaptureKey) => RecaptureRate): ExpectedGain {
  let acc = 0;
  let inc = 0;
  const hccs = open.map((h, j) => {
    const value = values.value[j]!;
    const rate = rateOf(h);
    const accelerated = h.inWindow ? 0 : rate.rate * rate.late * value * LUMP_SUM_SHARE;
    const incremental = (1 - rate.rate) * value;
    acc += accelerated;
    inc += incremental;
    return { open: h, value, outrankedBy: values.outrankedBy[j]!, rate, accelerated, incremental };
  });
  const accelerated = roundHalfUp(acc, 2);
  const incremental = roundHalfUp(inc, 2);
  return { hccs, accelerated, incremental, dollars: (Math.round(accelerated * 100) + Math.round(incremental * 100)) / 100 };
}
