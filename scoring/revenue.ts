// Step 8 of DOMAIN.md section 1: revenue = payment score x base rate (annual; PMPM = annual / 12),
// rounded to the cent. The base rate varies by county and plan bid, so it is always an input.
import { ConfigError } from '../data/errors.ts';
import { roundHalfUp } from './rounding.ts';

/** The base rate a library entry point accepts (history, evaluate, candidates): dollars above 0. The command line's --base-rate parser says the same naming the option. */
export function requireBaseRate(annualBaseRate: number): void {
  if (!(annualBaseRate > 0)) throw new ConfigError(`the base rate must be positive, found ${annualBaseRate}`);
}

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
