// What service year y is scored with: payment year y + 1's tables and factors (DOMAIN.md 1.7, 2).
// The model tables' year comes from the one table-year rule (data/reference/tables-for.ts); the
// blend, normalisation and coding adjustment from
// data/reference/cms-hcc/derived/normalization_ma_adjustment_blend.csv through scoringParameters,
// with the caller's overrides; the CPT/HCPCS list is the one for y's dates of service, or the
// nearest bundled year's; the exclusions by record source in force for y's dates of service
// (data/reference/eligibility/ra_diagnosis_source_exclusions.csv, by payment year y + 1).
// `--tables-year` scores every year with one payment year's tables and factors (data older than
// the bundle); it does not move the exclusions, which follow the dates of service.
import { ConfigError } from '../../data/errors.ts';
import { MODEL_VERSIONS, loadModelTables, loadPaymentFactors, type ModelTables, type ModelVersion } from '../../data/reference/cms-hcc-tables.ts';
import { availableEligibilityYears, exclusionsInForce, loadDiagnosisSourceExclusions } from '../../data/reference/eligibility.ts';
import { nearestYear, tablesYearFor } from '../../data/reference/tables-for.ts';
import type { PaymentOverrides, PaymentParameters } from '../payment-score.ts';
import { scoringParameters } from '../scoring-parameters.ts';

export interface YearPlanOptions {
  firstYear: number;
  lastYear: number;
  /** Score one model alone (payment blend forced to 100%). */
  model?: ModelVersion;
  overrides?: PaymentOverrides;
  /**
   * Score every service year with this payment year's tables and factors instead of y + 1 (for
   * data older than the bundled tables, such as DE-SynPUF 2008-2010).
   */
  tablesYear?: number;
  /**
   * Service years with no CMS eligible CPT/HCPCS list bundled use the nearest year's list
   * (default), or stop the run ('strict').
   */
  procedureListPolicy?: 'nearest' | 'strict';
}

export interface YearPlan {
  serviceYear: number;
  paymentYear: number;
  /** The payment year whose model tables scored each model (differs when none were bundled). */
  tablesYear: Partial<Record<ModelVersion, number>>;
  blend: Partial<Record<ModelVersion, number>>;
  normalization: Partial<Record<ModelVersion, number>>;
  codingAdjustment: number;
  /** The eligible CPT/HCPCS list's year for dates of service in y (and in the second half of y - 1). */
  procedureListYear: number;
  /** The exclusion rules (by record source) in force for dates of service in y, in the reference file's order. */
  diagnosisExclusions: string[];
}

/** What each service year is scored with; throws ConfigError when a payment year has no factors. */
export function planYears(opts: YearPlanOptions): YearPlan[] {
  const plans: YearPlan[] = [];
  const listYears = availableEligibilityYears();
  const exclusions = loadDiagnosisSourceExclusions();
  for (let y = opts.firstYear; y <= opts.lastYear; y++) {
    const paymentYear = y + 1;
    const factorsYear = opts.tablesYear ?? paymentYear;
    let params: PaymentParameters;
    try {
      params = scoringParameters(factorsYear, opts.model, opts.overrides);
    } catch (e) {
      if (e instanceof ConfigError && opts.tablesYear === undefined) {
        const years = [...new Set(loadPaymentFactors().map((r) => r.paymentYear))].sort();
        throw new ConfigError(
          `service year ${y} pays in ${paymentYear}, which has no bundled payment factors (${years.join(', ')}): ${e.message}. ` +
            `Pass --tables-year to score every year with one payment year's tables, e.g. --tables-year 2025`,
        );
      }
      throw e;
    }
    const tablesYear: Partial<Record<ModelVersion, number>> = {};
    for (const m of MODEL_VERSIONS) tablesYear[m] = tablesYearFor(m, factorsYear);
    // The initial window reaches back into y - 1: see procedureListYears.
    if (opts.procedureListPolicy === 'strict' && !listYears.includes(y)) {
      throw new ConfigError(`no eligible CPT/HCPCS list for service year ${y}; available: ${listYears.join(', ')}`);
    }
    plans.push({
      serviceYear: y,
      paymentYear,
      tablesYear,
      blend: params.blend,
      normalization: params.normalization,
      codingAdjustment: params.codingAdjustment,
      procedureListYear: nearestYear(listYears, y),
      diagnosisExclusions: exclusionsInForce(exclusions, y).map((r) => r.rule),
    });
  }
  return plans;
}

/**
 * The CPT/HCPCS list's year for each year of dates of service the history reads: the first
 * service year - 1 (the second half of its initial window) to the last. A year that is a service
 * year uses its plan's list; the year before the first uses the first plan's.
 */
export function procedureListYears(plans: readonly YearPlan[]): Map<number, number> {
  const first = plans[0]!;
  const last = plans[plans.length - 1]!;
  const years = new Map<number, number>();
  for (let y = first.serviceYear - 1; y <= last.serviceYear; y++) {
    years.set(y, plans.find((p) => p.serviceYear === y)?.procedureListYear ?? first.procedureListYear);
  }
  return years;
}

/** Each plan's model tables, keyed `model/tablesYear` (loaded once for every year that shares them). */
export function loadPlanTables(plans: readonly YearPlan[]): Map<string, ModelTables> {
  const tables = new Map<string, ModelTables>();
  for (const p of plans) for (const m of MODEL_VERSIONS) tables.set(planTablesKey(m, p), loadModelTables(m, p.tablesYear[m]!));
  return tables;
}

/** The key of `plan`'s `model` tables in loadPlanTables' map. */
export function planTablesKey(model: ModelVersion, plan: YearPlan): string {
  return `${model}/${plan.tablesYear[model]}`;
}
