// What the history scored service year y with (payment year y + 1, DOMAIN.md section 1 step 7):
// the plan recorded in the history's history.json when there is one (it carries any --model,
// --blend or --tables-year the history was run with), else the plan the history computes by
// default (scoring/history/plan-years.ts, the one table-year rule; a queued run's merged history
// has no history.json and is always scored with the default). The evaluation re-scores members
// with it so that its own scores sit on the same scale as the history's RAF_y.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../data/errors.ts';
import { MODEL_VERSIONS, loadModelTables, type ModelTables, type ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { calculateResolved } from '../scoring/calculate.ts';
import type { Demographics } from '../scoring/demographics.ts';
import { blendedModels, type PaymentParameters } from '../scoring/payment-score.ts';
import { planYears, type YearPlan } from '../scoring/history/plan-years.ts';

/** The engine's tables and payment parameters of one service year. */
export interface YearScoring {
  serviceYear: number;
  paymentYear: number;
  tables: Partial<Record<ModelVersion, ModelTables>>;
  payment: PaymentParameters;
  /** Where the plan came from: the history's history.json, or the default plan. */
  source: 'history.json' | 'default';
}

/** The plan of service year `y`: history.json's in `historyDir` when present, else planYears' default. */
export function yearScoring(historyDir: string, y: number): YearScoring {
  const manifest = join(historyDir, 'history.json');
  let plan: YearPlan | undefined;
  let source: YearScoring['source'] = 'default';
  if (existsSync(manifest)) {
    const plans = (JSON.parse(readFileSync(manifest, 'utf8')) as { plans?: YearPlan[] }).plans ?? [];
    plan = plans.find((p) => p.serviceYear === y);
    if (plan !== undefined) source = 'history.json';
  }
  plan ??= planYears({ firstYear: y, lastYear: y })[0]!;
  const payment: PaymentParameters = {
    paymentYear: plan.paymentYear,
    blend: plan.blend,
    normalization: plan.normalization,
    codingAdjustment: plan.codingAdjustment,
  };
  const tables: Partial<Record<ModelVersion, ModelTables>> = {};
  for (const m of MODEL_VERSIONS) {
    const year = plan.tablesYear[m];
    if ((payment.blend[m] ?? 0) === 0 && year === undefined) continue;
    if (year === undefined) throw new ConfigError(`the plan of service year ${y} blends ${m} but names no ${m} table year`);
    tables[m] = loadModelTables(m, year);
  }
  for (const m of blendedModels(payment)) if (tables[m] === undefined) throw new ConfigError(`the plan of service year ${y} has no ${m} tables`);
  return { serviceYear: y, paymentYear: plan.paymentYear, tables, payment, source };
}

/**
 * The payment score the engine gives a member with these demographics and diagnosis codes under
 * `s` (calculate.ts steps 3-7: map, edit, hierarchies, interactions, count, raw score per model,
 * normalised, blended, coding-adjusted, rounded). The base rate does not enter the score.
 */
export function paymentScoreOf(d: Demographics, dx: readonly string[], s: YearScoring): number {
  return calculateResolved(d, dx, { tables: s.tables, payment: s.payment, annualBaseRate: 0 }).payment.paymentScore;
}
