// The pricing of an as-of year's dollars (DOMAIN.md sections 2 and 4): the payment parameters and
// tables of payment year T+1 (or of the nearest bundled year), and each member's demographics for
// that payment year from their latest history row. Shared by the candidate list's open HCCs
// (member-dollars.ts), the suspects (suspects/suspect-value.ts), their dollars in the dollar model
// (suspect-dollars.ts) and the three-column illustration (explain/).
import type { DuckDBConnection } from '@duckdb/node-api';
import { loadPaymentFactors, type ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { nearestYear, tablesFor } from '../data/reference/tables-for.ts';
import { resolveDemographics, type Demographics, type DualStatus } from '../scoring/demographics.ts';
import { blendedModels, resolvePaymentParameters, type PaymentOverrides, type PaymentParameters } from '../scoring/payment-score.ts';
import type { PricingTables } from './candidate-value.ts';

/**
 * Payment parameters of a payment year, or of the nearest bundled year whose parameters resolve
 * with `overrides` (a blend of V28 alone resolves from 2024, when CMS's V28 figures begin).
 */
export function pricingParameters(paymentYear: number, overrides: PaymentOverrides = {}): { params: PaymentParameters; factorsYear: number } {
  const rows = loadPaymentFactors();
  const years = [...new Set(rows.map((r) => r.paymentYear))].filter((y) => {
    try {
      resolvePaymentParameters(y, rows, overrides);
      return true;
    } catch {
      return false;
    }
  });
  const factorsYear = nearestYear(years, paymentYear);
  return { params: resolvePaymentParameters(factorsYear, rows, overrides), factorsYear };
}

/** The tables and parameters that price open HCCs for payment year `paymentYear`, and the model the outreach list names (the largest weight). */
export function pricingFor(paymentYear: number, annualBaseRate: number): { pricing: PricingTables; factorsYear: number; shown: ModelVersion; models: ModelVersion[] } {
  const { params, factorsYear } = pricingParameters(paymentYear);
  const models = blendedModels(params);
  const shown = [...models].sort((a, b) => (params.blend[b] ?? 0) - (params.blend[a] ?? 0))[0]!;
  const tables = Object.fromEntries(models.map((m) => [m, tablesFor(m, factorsYear)]));
  return { pricing: { tables, params, annualBaseRate }, factorsYear, shown, models };
}

/**
 * Demographics for payment year A+1 of the members of `members` (a relation of member_id) with a
 * row of `history` (a relation) in `latestYear` (default A-1) or the year before, from the latest: the age moved on to February 1 of A+1, dual and
 * institutional status as of that row, no longer a new enrollee (every member with an open HCC
 * has such a row).
 */
export async function pricingDemographics(
  conn: DuckDBConnection,
  history: string,
  A: number,
  members: string,
  latestYear = A - 1,
): Promise<Map<string, Demographics>> {
  const rows = (
    await conn.runAndReadAll(
      `SELECT member_id, year, sex, age, orec, dual_status, institutional FROM ${history}
       WHERE year IN (${latestYear}, ${latestYear - 1}) AND member_id IN (SELECT member_id FROM ${members})
       QUALIFY row_number() OVER (PARTITION BY member_id ORDER BY year DESC) = 1`,
    )
  ).getRowObjectsJson();
  return new Map(
    rows.map((r) => [
      String(r.member_id),
      resolveDemographics(
        {
          sex: r.sex as Demographics['sex'],
          age: Number(r.age) + (A - Number(r.year)),
          orec: String(r.orec),
          dualStatus: r.dual_status as DualStatus,
          institutional: r.institutional === true,
          newEnrollee: false,
        },
        A + 1,
      ),
    ]),
  );
}

