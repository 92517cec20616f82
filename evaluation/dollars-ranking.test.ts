// The two orders of the January list (evaluation/dollars-ranking.ts), on four members.
import { describe, expect, it } from 'vitest';
import { dollarsOrder, listOrder, scoreOfOrder } from './dollars-ranking.ts';

describe('the list by expected dollars', () => {
  // Members 0-3: dollars 100, 0, 100.004 (100.00 in cents, a tie with member 0), 250; probabilities 0.6, 0.9, 0.5, 0.1.
  const dollars = [100, 0, 100.004, 250];
  const prob = [0.6, 0.9, 0.5, 0.1];

  it('orders by dollars to the cent, ties by probability, members with nothing last', () => {
    // 250 (3); $100.00 twice: probability 0.6 (0) before 0.5 (2), though 2's unrounded 100.004 is
    // larger; $0 last (1) whatever its probability.
    expect(Array.from(dollarsOrder(dollars, prob))).toEqual([3, 0, 2, 1]);
    expect(Array.from(listOrder('dollars', dollars, prob))).toEqual([3, 0, 2, 1]);
  });

  it('by probability, the paper\'s list, is the default order of the model', () => {
    expect(Array.from(listOrder('probability', dollars, prob))).toEqual([1, 0, 2, 3]);
  });

  it('a score that ranks as the order does: n for the first, 1 for the last', () => {
    // Order 3, 2, 0, 1: member 3 scores 4, member 2 scores 3, member 0 scores 2, member 1 scores 1.
    expect(Array.from(scoreOfOrder([3, 2, 0, 1]))).toEqual([2, 1, 3, 4]);
  });
});
