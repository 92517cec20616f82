// Ranking metrics on lists small enough to work out by hand (DOMAIN.md section 4).
import { describe, expect, it } from 'vitest';
import { decileTable, decilesOf, listedMetrics, listMetrics, listSize, rankOrder, rocAuc, topShareMetrics } from './metrics.ts';

describe('ranking metrics', () => {
  // Scores 0.9 .. 0.5; positives at 0.9 and 0.7.
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5];
  const labels = [1, 0, 1, 0, 0];

  it('AUC is the share of positive-negative pairs ordered right', () => {
    // 0.9 is above all three negatives (3 pairs), 0.7 above 0.6 and 0.5 (2 of 3): 5 / 6.
    expect(rocAuc(scores, labels)).toBeCloseTo(5 / 6, 12);
    // A tie counts one half.
    expect(rocAuc([1, 1], [1, 0])).toBe(0.5);
    expect(rocAuc([1, 2], [1, 1])).toBeNaN();
  });

  it('AUC from a ranking already made (listMetrics sorts once) is the same, ties and all', () => {
    // Positives score 0.3, 0.5 and 0.9; negatives 0.9, 0.3 and 0.1. Pairs ordered right:
    // 0.3 beats 0.1 and ties 0.3 (1.5); 0.5 beats 0.3 and 0.1 (2); 0.9 ties 0.9, beats 0.3, 0.1 (2.5):
    // 6 of 9 pairs, 2/3. Read the wrong way round the order would give 1/3.
    const s = [0.3, 0.9, 0.3, 0.5, 0.9, 0.1];
    const y = [1, 0, 0, 1, 1, 0];
    expect(rocAuc(s, y)).toBeCloseTo(2 / 3, 12);
    expect(rocAuc(s, y, rankOrder(s))).toBeCloseTo(2 / 3, 12);
    expect(listMetrics(s, y, 0.5).auc).toBeCloseTo(2 / 3, 12);
  });

  it('precision, recall and F1 of the top share', () => {
    // Top 40% = 2 members (0.9 hit, 0.8 miss): precision 1/2, recall 1/2, F1 1/2.
    expect(topShareMetrics(scores, labels, 0.4)).toEqual({ listSize: 2, precision: 0.5, recall: 0.5, f1: 0.5 });
    // Top 60% = 3 members, both positives: precision 2/3, recall 1, F1 0.8.
    const m = topShareMetrics(scores, labels, 0.6);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBe(1);
    expect(m.f1).toBeCloseTo(0.8, 12);
    expect(listSize(7, 0.2)).toBe(1);
    expect(() => listSize(7, 0)).toThrow(/list share/);
  });

  it('precision, recall and F1 of a list as given', () => {
    // Members 1 and 2 listed (0.8 miss, 0.7 hit): precision 1/2, recall 1/2, F1 1/2, size 2.
    expect(listedMetrics([0, 1, 1, 0, 0], labels)).toEqual({ listSize: 2, precision: 0.5, recall: 0.5, f1: 0.5 });
    // Members 0, 2 and 4 (two hits of three): precision 2/3, recall 1, F1 0.8, whatever the scores.
    const m = listedMetrics([1, 0, 1, 0, 1], labels);
    expect(m.listSize).toBe(3);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBe(1);
    expect(m.f1).toBeCloseTo(0.8, 12);
  });

  it('lift and cumulative gain by decile', () => {
    // 20 members, scores 20..1; positives are the 2 highest and 2 in the sixth decile.
    const s = Array.from({ length: 20 }, (_, i) => 20 - i);
    const y = s.map((_, i) => (i < 2 || i === 10 || i === 11 ? 1 : 0));
    const d = decileTable(s, y);
    expect(d.map((r) => r.positives)).toEqual([2, 0, 0, 0, 0, 2, 0, 0, 0, 0]);
    // Overall rate 4/20 = 0.2; decile 1 has 2/2: lift 5.
    expect(d[0]).toMatchObject({ decile: 1, members: 2, rate: 1, lift: 5, cumulativeGain: 0.5 });
    expect(d[5]!.cumulativeGain).toBe(1);
    expect(Array.from(decilesOf(s))).toEqual(s.map((_, i) => Math.floor(i / 2) + 1));
  });
});
