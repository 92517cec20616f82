// Step 8 of DOMAIN.md section 1: revenue = payment score x base rate (annual; PMPM = annual / 12),
// rounded to the cent. The base rate varies by county and plan bid, so it is always an input.
import { roundHalfUp } from './rounding.ts';

/** DOMAIN.md section 1.8: the demo base rate, in dollars per member per year. */
export const DEMO_BASE_RATE_ANNUAL = 10402.34;

export interface Revenue {
  annual: number;
  pmpm: number;
}

export function revenue(paymentScore: number, annualBaseRate: number): Revenue {
  return {
    annual: roundHalfUp(paymentScore * annualBaseRate, 2),
    pmpm: roundHalfUp((paymentScore * annualBaseRate) / 12, 2),
  };
}
