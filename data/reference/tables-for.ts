// The one rule that picks a bundled table's year (HOUSE-STYLE: "a table year picked by two
// different rules" is what to stop doing). A payment year whose tables are bundled uses them; a
// payment year the bundle lacks uses the nearest bundled year, the earlier on a tie (scoring
// 2008-2010 DE-SynPUF claims, or a payment year announced after this release). Every caller that
// needs "the tables for year y" asks here: the history, the features, the evaluation and the
// candidate list.
import { availablePaymentYears, loadModelTables, type ModelTables, type ModelVersion } from './cms-hcc-tables.ts';

/** The year of `years` nearest to `year` (the earlier on a tie). */
export function nearestYear(years: readonly number[], year: number): number {
  if (years.length === 0) throw new RangeError('no years to choose from');
  return [...years].sort((a, b) => Math.abs(a - year) - Math.abs(b - year) || a - b)[0]!;
}

/** The bundled payment year whose `model` tables stand for `paymentYear`. */
export function tablesYearFor(model: ModelVersion, paymentYear: number): number {
  return nearestYear(availablePaymentYears(model), paymentYear);
}

/** The `model` tables that stand for `paymentYear` (see tablesYearFor). */
export function tablesFor(model: ModelVersion, paymentYear: number): ModelTables {
  return loadModelTables(model, tablesYearFor(model, paymentYear));
}
