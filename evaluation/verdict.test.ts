// The verdict's two branches, on lists whose dollars are set by hand.
import { describe, expect, it } from 'vitest';
import type { ListEvaluation } from './evaluation-types.ts';
import { verdictOf } from './verdict.ts';

const list = (name: 'model' | 'naive', accelerated: number, incremental: number): ListEvaluation =>
  ({ name, revenue: { accelerated: { total: accelerated }, incremental: { total: incremental } } }) as unknown as ListEvaluation;

describe('verdictOf', () => {
  it('says the model earns at least the naive list when its dollars are at least as many', () => {
    // Model 1,000 + 2,500 = 3,500 against naive 1,200 + 2,000 = 3,200.
    expect(verdictOf(list('model', 1000, 2500), list('naive', 1200, 2000))).toBe(
      "The model's list earns $3,500.00 (accelerated $1,000.00, incremental $2,500.00), at least the naive list's $3,200.00.",
    );
    // A tie counts as at least.
    expect(verdictOf(list('model', 1000, 2200), list('naive', 1200, 2000))).toMatch(/at least the naive list's \$3,200\.00\.$/);
  });

  it('says plainly when the model earns less, with both lists by kind', () => {
    // Model 1,000 + 2,000 = 3,000 against naive 1,200 + 2,000 = 3,200.
    expect(verdictOf(list('model', 1000, 2000), list('naive', 1200, 2000))).toBe(
      "The model's list earns less than the naive list: $3,000.00 against $3,200.00 (accelerated $1,000.00 against $1,200.00, incremental $2,000.00 against $2,000.00).",
    );
  });
});
