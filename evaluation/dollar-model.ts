// The dollar model (issue 15 part 2): each member's expected accelerated and incremental dollars
// from early documentation, as two least-squares regressions fitted on an earlier as-of year of
// the same plan, so no figure dated T or later, nor received after the data cut-off, enters them.
//
// Inputs at as-of Y, for a member (dollarInputs): 1, the priced expected accelerated and
// incremental dollars of their open HCCs (evaluation/candidate-value.ts, unscaled), RAF_{Y-1} x
// the annual base rate (0 for a member new in Y), 1 for a member new in Y, and the dollars of
// their suspects (evaluation/suspect-dollars.ts: conditions the plan's fills and lab results imply
// and nobody coded; 0 for every member of a plan without pharmacy or labs files, a column the
// ridge keeps solvable with a coefficient of 0). The priced
// incremental dollars alone run about 3 times what lists measure ((1 - p) x value counts
// conditions that ended, which no outreach documents) and price nothing for a new member, whose
// August lump sum is often positive (their initial window holds only January-June of Y); the
// regression learns both from the plan's own year A = T-2.
//
// Targets at A = T-2, per member with a history row in A, every figure as known on the run's data
// cut-off C (default January 1 of T; evaluation/known-on-cutoff.ts), exactly evaluation/revenue.ts's
// memberValue on the history as known on C:
// - accelerated: the positive August lump sum of payment year A+1 = T-1 (RAF_{T-2} against
//   RAF_init_{T-2}, paid in August of T-1, before C; only to a member enrolled and alive in
//   August). Not A = T-1: that lump sum is paid in August of T, after C.
// - incremental: the gap RAF_{A+1} - c x RAF_A above c (c over A and A+1; 0 for a member without
//   RAF_{A+1}, who brings nothing), with RAF_{T-1} and c as known on C, the rule of the model's
//   training label (models/model-run.ts): the complete RAF_{T-1} is only partly known on C (its
//   late fourth-quarter claims are not), so the gap is the one the plan can measure that day.
//   A = T-3 (RAF_{T-2} - c x RAF_{T-3}) would need inputs from T-5 and T-4, which a plan's
//   history rarely reaches.
// The inputs at A read the same history (open HCCs of T-3 and T-4, RAF_{T-3}); nothing dated T or
// later and no claim received after C enters the fit.
//
// Fit: ordinary least squares with a ridge of RIDGE on the normal equations (the inputs are in
// dollars, so the ridge is negligible beside them and only keeps a column of zeros solvable), sums
// in member id order; a prediction below 0 is 0 and each is rounded to the cent.
import { roundHalfUp } from '../scoring/rounding.ts';

/** The inputs' names, in order. */
export const DOLLAR_INPUTS = ['intercept', 'priced_accelerated', 'priced_incremental', 'raf_t1_dollars', 'new_member', 'suspect_dollars'] as const;
export const RIDGE = 1e-6;

export interface DollarFacts {
  pricedAccelerated: number;
  pricedIncremental: number;
  /** RAF_{Y-1}, null for a member new in Y. */
  rafT1: number | null;
  /** The dollars of the member's suspects at Y (suspect-dollars.ts; 0 without any, or without evidence files). */
  suspectDollars?: number;
}

export function dollarInputs(f: DollarFacts, annualBaseRate: number): number[] {
  return [1, f.pricedAccelerated, f.pricedIncremental, f.rafT1 === null ? 0 : f.rafT1 * annualBaseRate, f.rafT1 === null ? 1 : 0, f.suspectDollars ?? 0];
}

/** Least squares: the coefficients b minimising |X b - y|^2 + RIDGE |b|^2 (Gauss-Jordan with partial pivoting). */
export function leastSquares(X: readonly (readonly number[])[], y: readonly number[]): number[] {
  const p = X[0]?.length ?? 0;
  const A = Array.from({ length: p }, (_, j) => Array.from({ length: p }, (_, k) => (j === k ? RIDGE : 0)));
  const b = new Array<number>(p).fill(0);
  X.forEach((x, i) => {
    for (let j = 0; j < p; j++) {
      b[j]! += x[j]! * y[i]!;
      for (let k = 0; k < p; k++) A[j]![k]! += x[j]! * x[k]!;
    }
  });
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
    [A[c], A[piv]] = [A[piv]!, A[c]!];
    [b[c], b[piv]] = [b[piv]!, b[c]!];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / A[c]![c]!;
      for (let k = c; k < p; k++) A[r]![k]! -= f * A[c]![k]!;
      b[r]! -= f * b[c]!;
    }
  }
  return b.map((v, j) => v / A[j]![j]!);
}

/** The two regressions' coefficients, in DOLLAR_INPUTS order, and where they were fitted. */
export interface DollarModel {
  accelerated: number[];
  incremental: number[];
  /** The as-of year fitted on (T-2). */
  fittedAt: number;
  /** Members fitted on. */
  members: number;
}

export function fitDollarModel(X: readonly (readonly number[])[], accelerated: readonly number[], incremental: readonly number[], fittedAt: number): DollarModel {
  return { accelerated: leastSquares(X, accelerated), incremental: leastSquares(X, incremental), fittedAt, members: X.length };
}

/** A member's expected dollars, each max(0, x . b) to the cent; dollars = their sum. */
export function predictDollars(model: DollarModel, x: readonly number[]): { accelerated: number; incremental: number; dollars: number } {
  const dot = (b: readonly number[]): number => roundHalfUp(Math.max(0, b.reduce((a, v, j) => a + v * x[j]!, 0)), 2);
  const accelerated = dot(model.accelerated);
  const incremental = dot(model.incremental);
  return { accelerated, incremental, dollars: (Math.round(accelerated * 100) + Math.round(incremental * 100)) / 100 };
}
