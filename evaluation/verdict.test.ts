// The verdict on lists whose dollars are set by hand: accelerated and incremental compared apart,
// the differences signed (list - baseline), a plain "loses to", and any number of baselines.
import { describe, expect, it } from 'vitest';
import type { ListEvaluation } from './evaluation-types.ts';
import { compareLists, verdictOf } from './verdict.ts';

const list = (name: string, accelerated: number, incremental: number | null, notMeasurable: string | null = null): ListEvaluation =>
  ({ name, revenue: { accelerated: { total: accelerated }, incremental: { total: incremental, notMeasurable } } }) as unknown as ListEvaluation;

const NAIVE = "last year's top 20% (the naive list)";
const TAIL = 'dollars paid in January instead of August, 7 months earlier';

describe('verdictOf', () => {
  it('gives each difference with its sign when the model beats the baseline', () => {
    // Accelerated 1,000 - 800 = +200; incremental 2,500 - 2,000 = +500.
    expect(verdictOf(list('model', 1000, 2500), [list('naive', 800, 2000)])).toBe(
      `The model's list against ${NAIVE}: +$200.00 accelerated ($1,000.00 against $800.00: ${TAIL}), +$500.00 incremental ($2,500.00 against $2,000.00: dollars gained). ` +
        `The model's list beats ${NAIVE} on both.`,
    );
  });

  it('says plainly when the model loses', () => {
    // Accelerated 1,000 - 1,200 = -200; incremental 2,000 - 2,000.50 = -0.50.
    expect(verdictOf(list('model', 1000, 2000), [list('naive', 1200, 2000.5)])).toBe(
      `The model's list against ${NAIVE}: -$200.00 accelerated ($1,000.00 against $1,200.00: ${TAIL}), -$0.50 incremental ($2,000.00 against $2,000.50: dollars gained). ` +
        `The model's list loses to ${NAIVE} on both.`,
    );
  });

  it('never adds the two kinds of money: a loss on one is a loss, whatever the other', () => {
    // Added up, 1,000 + 2,500 = 3,500 would "beat" 1,200 + 2,000 = 3,200; apart, the model loses
    // 200 of accelerated revenue and gains 500 of incremental.
    const v = verdictOf(list('model', 1000, 2500), [list('naive', 1200, 2000)]);
    expect(v).toContain('-$200.00 accelerated');
    expect(v).toContain('+$500.00 incremental');
    expect(v).toMatch(/loses to last year's top 20% \(the naive list\) on accelerated revenue and beats it on incremental revenue\.$/);
    expect(v).not.toMatch(/3,500|3,200|earns/);
  });

  it('compares with every baseline, by name, in the order given', () => {
    // Against naive: +200 and +500. Against the analyst's list: 1,000 - 1,100 = -100 and 2,500 - 2,500 = 0.
    const v = verdictOf(list('model', 1000, 2500), [list('naive', 800, 2000), list('analyst', 1100, 2500)]);
    const [naive, analyst] = v.split(/(?<=\.) (?=The model's list against)/);
    expect(naive).toMatch(/^The model's list against last year's top 20%.*beats .* on both\.$/);
    expect(analyst).toBe(
      `The model's list against the analyst's list: -$100.00 accelerated ($1,000.00 against $1,100.00: ${TAIL}), +$0.00 incremental ($2,500.00 against $2,500.00: dollars gained). ` +
        `The model's list loses to the analyst's list on accelerated revenue and ties with it on incremental revenue.`,
    );
  });

  it('says incremental revenue is not measurable, with the reason, and compares accelerated alone', () => {
    const why = 'no member has a risk score for 2026: the data ends before 2026';
    expect(verdictOf(list('model', 1000, null, why), [list('naive', 900, null, why)])).toBe(
      `The model's list against ${NAIVE}: +$100.00 accelerated ($1,000.00 against $900.00: ${TAIL}); incremental revenue not measurable (${why}). ` +
        `The model's list beats ${NAIVE} on accelerated revenue; incremental revenue cannot be compared.`,
    );
  });

  it('takes differences to the cent, in cents', () => {
    // 0.3 - 0.1 in binary floating point is 0.19999999999999998; in cents, 30 - 10 = 20.
    expect(compareLists(list('model', 0.3, 0.3), list('naive', 0.1, 0.1)).accelerated.difference).toBe(0.2);
  });
});
