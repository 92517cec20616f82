// Boosted trees (the gbdt model, boosted-trees.ts): the split, the leaves and the early stop
// against values worked out by hand, NaN's side, the seed, and saving and loading.
import { describe, expect, it } from 'vitest';
import { deserializeTrees, fitThresholds, serializeTrees, trainTrees, treeProbabilities, type TreeConfig } from './boosted-trees.ts';
import type { Matrix } from './standardization.ts';

const matrix = (rows: number[][]): Matrix => ({ rows: rows.length, cols: rows[0]!.length, values: Float32Array.from(rows.flat()) });
const all = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);
const sigmoid = (m: number): number => 1 / (1 + Math.exp(-m));
// One tree of one split, leaves not shrunk, every row and column: the values below by hand.
const oneSplit: TreeConfig = { rounds: 1, learningRate: 1, depth: 1, lambda: 1, minChildWeight: 0, subsample: 1, rowsPerTree: 1e9, colsample: 1, bins: 255, patience: 10 };

describe('fitThresholds', () => {
  it('splits between the distinct values when there are few, at the quantiles when there are many', () => {
    // Column 0: values 0-3 (4 distinct, at most 255 bins): every value but the largest.
    // Column 1: 0..99 with 4 bins: the quantiles at 1/4, 2/4, 3/4 of 100 sorted values: 25, 50, 75.
    const x = matrix(Array.from({ length: 100 }, (_, i) => [i % 4, i]));
    const [a, b] = [fitThresholds(x, all(100), 255), fitThresholds(x, all(100), 4)];
    expect(Array.from(a[0]!)).toEqual([0, 1, 2]);
    expect(Array.from(b[1]!)).toEqual([25, 50, 75]);
    // Only the rows given: rows 0-3 of column 1 are 0-3.
    expect(Array.from(fitThresholds(x, all(4), 255)[1]!)).toEqual([0, 1, 2]);
  });
});

describe('trainTrees', () => {
  it('makes the split and the leaves of second-order boosting, worked out by hand', () => {
    // x = 0, 1, 2, 3 with labels 0, 0, 1, 1: the base margin is log(2/2) = 0, so p = 0.5, the
    // gradients p - y are 0.5, 0.5, -0.5, -0.5 and the hessians p(1 - p) 0.25. Split after k:
    // gain = GL²/(HL+1) + GR²/(HR+1) - G²/(H+1), with G = 0: after 0: 0.25/1.25 + 0.25/1.75 = 0.343;
    // after 1: 1/1.5 + 1/1.5 = 1.333 (the best); after 2: 0.343. Leaves -G/(H + 1): left
    // -1/1.5 = -0.667, right +0.667.
    const x = matrix([[0], [1], [2], [3]]);
    const t = trainTrees(x, Uint8Array.from([0, 0, 1, 1]), all(4), all(4), oneSplit, 1);
    const tree = t.model.trees[0]!;
    expect(t.model.base).toBe(0);
    expect(Array.from(tree.feature)).toEqual([0, -1, -1]);
    expect(tree.threshold[0]).toBe(1);
    expect(tree.value[tree.left[0]!]).toBeCloseTo(-2 / 3, 6);
    expect(tree.value[tree.right[0]!]).toBeCloseTo(2 / 3, 6);
    const p = treeProbabilities(t.model, x);
    expect(p[1]).toBeCloseTo(sigmoid(-2 / 3), 6);
    expect(p[2]).toBeCloseTo(sigmoid(2 / 3), 6);
  });

  it('sends NaN right of every split, in training as when applied', () => {
    // x = NaN, NaN, 0, 1, 0, 1 with labels 1, 1, 0, 0, 0, 0: the split points are those of 0 and 1
    // (NaN is none): [0]. Base log(2/4), p = 1/3: gradients -2/3 for the positives, 1/3 for the
    // negatives, hessians 2/9. NaN right: left {0, 0} G = 2/3, H = 4/9, leaf -(2/3)/(13/9) = -6/13;
    // right {1, 1, NaN, NaN} G = -2/3, H = 8/9, leaf (2/3)/(17/9) = 6/17. NaN left in training
    // would give the right leaf -6/13, and a NaN row applied would get it.
    const x = matrix([[NaN], [NaN], [0], [1], [0], [1]]);
    const t = trainTrees(x, Uint8Array.from([1, 1, 0, 0, 0, 0]), all(6), all(6), oneSplit, 1);
    const p = treeProbabilities(t.model, x);
    expect(p[0]).toBeCloseTo(sigmoid(Math.log(0.5) + 6 / 17), 6);
    expect(p[2]).toBeCloseTo(sigmoid(Math.log(0.5) - 6 / 13), 6);
  });

  it('stops after `patience` rounds without a better validation loss and keeps the best round\'s trees', () => {
    // The validation rows have the fit rows' features with the labels swapped: each tree fits the
    // fit rows better and the validation rows worse, so the best round is the first; patience 3
    // stops at round 4, keeping 1 tree.
    const x = matrix([[0], [1], [0], [1]]);
    const y = Uint8Array.from([0, 1, 1, 0]);
    const t = trainTrees(x, y, Int32Array.from([0, 1]), Int32Array.from([2, 3]), { ...oneSplit, rounds: 20, learningRate: 0.3, patience: 3 }, 1);
    const losses = t.history.map((r) => r.validationLoss);
    expect(losses).toHaveLength(4);
    expect(losses.every((v, i) => i === 0 || v > losses[i - 1]!)).toBe(true);
    expect(t.bestRound).toBe(1);
    expect(t.model.trees).toHaveLength(1);
  });

  it('gives the same trees for a seed and other trees for another, rows and columns sampled', () => {
    const rows = Array.from({ length: 400 }, (_, i) => [(i * 7919) % 101, (i * 104_729) % 37, i % 5]);
    const x = matrix(rows);
    const y = Uint8Array.from(rows, (r) => (r[0]! + 2 * r[1]! > 90 ? 1 : 0));
    const c: TreeConfig = { ...oneSplit, rounds: 5, depth: 3, learningRate: 0.3, subsample: 0.5, colsample: 0.7 };
    const bytes = (seed: number) => serializeTrees(trainTrees(x, y, all(300), Int32Array.from({ length: 100 }, (_, i) => 300 + i), c, seed).model).weights;
    expect(Buffer.from(bytes(4)).equals(Buffer.from(bytes(4)))).toBe(true);
    expect(Buffer.from(bytes(4)).equals(Buffer.from(bytes(5)))).toBe(false);
  });

  it('gives the same probabilities after saving and loading, and refuses weights of another size', () => {
    const rows = Array.from({ length: 200 }, (_, i) => [i % 13, (i * 31) % 17]);
    const x = matrix(rows);
    const y = Uint8Array.from(rows, (r) => (r[0]! > 6 !== r[1]! > 9 ? 1 : 0));
    const t = trainTrees(x, y, all(150), Int32Array.from({ length: 50 }, (_, i) => 150 + i), { ...oneSplit, rounds: 8, depth: 2, learningRate: 0.5 }, 2);
    const { modelJson, weights } = serializeTrees(t.model);
    expect(treeProbabilities(deserializeTrees(modelJson, weights), x)).toEqual(treeProbabilities(t.model, x));
    expect(() => deserializeTrees(modelJson, weights.subarray(4))).toThrow(/weights.bin holds/);
  });
});
