// The dollar model's pieces (evaluation/dollar-model.ts), worked by hand.
import { describe, expect, it } from 'vitest';
import { dollarInputs, fitDollarModel, leastSquares, predictDollars, RIDGE } from './dollar-model.ts';

describe('the dollar model', () => {
  it('least squares: y = 1 + 2x through (0, 1), (1, 3), (2, 5) gives b = (1, 2)', () => {
    const b = leastSquares([[1, 0], [1, 1], [1, 2]], [1, 3, 5]);
    expect(b[0]).toBeCloseTo(1, 6);
    expect(b[1]).toBeCloseTo(2, 6);
  });

  it('least squares: a column of zeros (no member priced) is solvable and gets 0; the mean goes to the intercept', () => {
    // Normal equations: [[3 + r, 0], [0, r]] b = [6, 0]: b = (6 / (3 + r), 0), r = 1e-6.
    const b = leastSquares([[1, 0], [1, 0], [1, 0]], [1, 2, 3]);
    expect(b[0]).toBeCloseTo(6 / (3 + RIDGE), 12);
    expect(b[1]).toBe(0);
  });

  it('inputs: 1, priced accelerated, priced incremental, RAF_{T-1} in dollars, new member', () => {
    // RAF_{T-1} 1.2 at $10,000 a year: $12,000; a new member: 0 and the flag.
    expect(dollarInputs({ pricedAccelerated: 150, pricedIncremental: 900, rafT1: 1.2 }, 10_000)).toEqual([1, 150, 900, 12_000, 0, 0]);
    expect(dollarInputs({ pricedAccelerated: 0, pricedIncremental: 0, rafT1: null }, 10_000)).toEqual([1, 0, 0, 0, 1, 0]);
  });

  it('predicts max(0, x . b) to the cent, dollars their sum', () => {
    const model = { accelerated: [-100, 0.5, 0, 0, 0], incremental: [10, 0, 0.25, 0, 0.004], fittedAt: 2022, members: 3 };
    // accelerated: -100 + 0.5 x 150 = -25, below 0: 0. incremental: 10 + 0.25 x 1,000.04 + 0.004 x 1 = 260.014 -> 260.01.
    expect(predictDollars(model, [1, 150, 1000.04, 0, 1])).toEqual({ accelerated: 0, incremental: 260.01, dollars: 260.01 });
    // accelerated: -100 + 0.5 x 400 = 100; incremental 10 + 0.25 x 2 = 10.5; dollars 110.50.
    expect(predictDollars(model, [1, 400, 2, 12_000, 0])).toEqual({ accelerated: 100, incremental: 10.5, dollars: 110.5 });
  });

  it('fits both regressions on the same inputs', () => {
    // accelerated = 2 x priced accelerated exactly; incremental = 5 for everyone (to 4 places: the ridge moves them by about 1e-5).
    const X = [[1, 10], [1, 20], [1, 40]];
    const m = fitDollarModel(X, [20, 40, 80], [5, 5, 5], 2022);
    expect(m.accelerated[1]).toBeCloseTo(2, 4);
    expect(m.incremental[0]).toBeCloseTo(5, 4);
    expect(m.incremental[1]).toBeCloseTo(0, 4);
    expect([m.fittedAt, m.members]).toEqual([2022, 3]);
  });
});
