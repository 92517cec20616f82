// The base rate the library's entry points accept (scoring/revenue.ts requireBaseRate): history,
// evaluate and candidates call it; the command line's --base-rate parser says the same naming the option.
import { describe, expect, it } from 'vitest';
import { DEMO_BASE_RATE_ANNUAL, requireBaseRate } from './revenue.ts';

describe('requireBaseRate', () => {
  it('accepts dollars above 0 and refuses 0, a negative rate and NaN with E_CONFIG', () => {
    expect(() => requireBaseRate(DEMO_BASE_RATE_ANNUAL)).not.toThrow();
    expect(() => requireBaseRate(0.01)).not.toThrow();
    for (const bad of [0, -5, Number.NaN]) {
      expect(() => requireBaseRate(bad)).toThrow(expect.objectContaining({ code: 'E_CONFIG', message: `the base rate must be positive, found ${bad}` }));
    }
  });
});
