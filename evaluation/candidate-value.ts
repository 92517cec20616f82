// What a listed member's open HCCs are worth (the candidate list's `expected_dollars`): the payment
// HCCs coded in T-1 or T-2 (each must be coded again every year to count), after each model's
// hierarchies, priced as a payment score of payment year T+1 through the engine's own
// paymentScore (normalised, blended, MA coding adjustment, CMS rounding) and revenue (times the
// base rate, to the cent). First-order: each HCC's relative factor in the member's segment;
// interactions and the count variable are left out.
import type { HierarchyRule, ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { applyHierarchies } from '../scoring/apply-hierarchies.ts';
import { blendedModels, paymentScore, type PaymentParameters } from '../scoring/payment-score.ts';
import { revenue } from '../scoring/revenue.ts';

export interface OpenHcc {
  model: ModelVersion;
  hcc: number;
  description: string;
  factor: number;
  lastDate: string;
  provider: string;
  /** Coded in T-2 but not in T-1. */
  dropped: boolean;
}

export interface OpenHccValue {
  /** The open HCCs' payment score x the annual base rate, to the cent. */
  dollars: number;
  /** The `shown` model's HCCs that survive its hierarchies: what the outreach list names. */
  kept: OpenHcc[];
}

/**
 * Prices a member's open HCCs. `hierarchies` holds each blended model's hierarchy table (as in
 * ModelTables); `shown` is the model whose surviving HCCs are returned.
 */
export function openHccValue(
  open: readonly OpenHcc[],
  params: PaymentParameters,
  hierarchies: ReadonlyMap<ModelVersion, readonly HierarchyRule[]>,
  shown: ModelVersion,
  annualBaseRate: number,
): OpenHccValue {
  const raw: Partial<Record<ModelVersion, number>> = {};
  let kept: OpenHcc[] = [];
  for (const m of blendedModels(params)) {
    const mine = open.filter((h) => h.model === m);
    const surviving = applyHierarchies(new Set(mine.map((h) => h.hcc)), hierarchies.get(m)!).hccs;
    const survivors = mine.filter((h) => surviving.has(h.hcc));
    raw[m] = survivors.reduce((a, h) => a + h.factor, 0);
    if (m === shown) kept = survivors;
  }
  return { dollars: revenue(paymentScore(raw, params).paymentScore, annualBaseRate).annual, kept };
}
