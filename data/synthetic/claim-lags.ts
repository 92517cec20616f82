// When a claim reaches the plan: received_date = thru_date + a lag in days drawn, by claim type,
// from a completion curve (the share of claims received within d days of the date of service,
// piecewise linear between the knots below). The curves and their sources are in
// data/synthetic/README.md ("When claims arrive"): inpatient from CMS's Chronic Conditions Data
// Warehouse claims-maturity figures, professional and outpatient assumptions. Every claim is
// received within 365 days, Medicare's timely filing limit. The draws come from streams of
// their own (population.ts, lagRng and reviewLagRng), so every other byte stays as it was.
import type { Rng } from '../random.ts';

export type ClaimType = 'professional' | 'outpatient' | 'inpatient';

/** A completion curve: [days after thru_date, share received within them], rising to [365, 1]. */
export type CompletionCurve = readonly (readonly [number, number])[];

export const COMPLETION_CURVES: Readonly<Record<ClaimType, CompletionCurve>> = {
  // Assumption: billed within days (charge lag medians of 3-5 days, 10-15 in the slowest quarter
  // of practices), a tail of late and corrected claims to the filing limit.
  professional: [[0, 0], [3, 0.4], [7, 0.6], [14, 0.75], [30, 0.88], [60, 0.95], [90, 0.97], [180, 0.99], [365, 1]],
  // Assumption: facility claims a little slower than professional ones (bill holds, coding).
  outpatient: [[0, 0], [7, 0.35], [14, 0.6], [30, 0.8], [60, 0.92], [90, 0.96], [180, 0.99], [365, 1]],
  // CCW claims maturity, inpatient (2010 claims): 48% within 1 month, 91% within 2, 98% within 5,
  // 99% within 12; here the last 2% spread evenly to day 365.
  inpatient: [[2, 0], [30, 0.48], [61, 0.91], [152, 0.98], [365, 1]],
};

/** The lag in whole days at which `curve` reaches share `u` (0 <= u < 1): the inverse of the curve. */
export function lagAt(curve: CompletionCurve, u: number): number {
  for (let k = 1; k < curve.length; k++) {
    const [d1, p1] = curve[k]!;
    if (u < p1) {
      const [d0, p0] = curve[k - 1]!;
      return Math.floor(d0 + ((u - p0) / (p1 - p0)) * (d1 - d0));
    }
  }
  return curve[curve.length - 1]![0];
}

/** A lag in days for a claim of `type`, one draw of `rng`. */
export function drawLagDays(rng: Rng, type: ClaimType): number {
  return lagAt(COMPLETION_CURVES[type], rng.next());
}

const DAY_MS = 86_400_000;

/** `date` (YYYY-MM-DD) plus `days`, as YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
