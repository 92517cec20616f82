// The piecewise-linear encoding of numeric columns (classifier.ts, TrainConfig.encodeBins): bin
// edges at the fit rows' quantiles, a flag left alone, and the same inputs at training and at apply.
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { DEFAULT_TRAIN_CONFIG, predictProbabilities, trainClassifier } from './classifier.ts';
import { fitEdges, fitStandardization, inputWidth, standardize, type Matrix } from './standardization.ts';

/** Rows of [x, flag]: x = 0..10, flag = x mod 2. */
const eleven: Matrix = { rows: 11, cols: 2, values: Float32Array.from({ length: 22 }, (_, k) => (k % 2 === 0 ? k / 2 : (k - 1) / 2 % 2)) };

describe('the piecewise-linear encoding', () => {
  it('cuts a numeric column at its quantiles and leaves a flag alone', () => {
    const all = Array.from({ length: 11 }, (_, i) => i);
    // Two bins: x sorted is 0..10, its quantiles 0, 1/2, 1 are the values at 0, 5 and 10.
    const edges = fitEdges(eleven, all, 2);
    expect(edges).toEqual([[0, 5, 10], null]);
    const s = { ...fitStandardization(eleven, all), edges };
    expect(inputWidth(s, 2)).toBe(4);
    // x = 3: (3 - 5) / sqrt(10) (mean 5; variance (25+16+9+4+1+0+1+4+9+16+25) / 11 = 10);
    // flag 1: (1 - 5/11) / sqrt(5/11 x 6/11) = 6 / sqrt(30); bins [0, 5]: 3/5, [5, 10]: 0.
    const rows: Matrix = { rows: 4, cols: 2, values: Float32Array.from([3, 1, 7, 0, 12, 0, -1, 1]) };
    const out = standardize(rows, s);
    expect(out.cols).toBe(4);
    const row = (r: number): number[] => Array.from(out.values.subarray(4 * r, 4 * r + 4));
    expect(row(0).map((v) => Number(v.toFixed(5)))).toEqual([Number((-2 / Math.sqrt(10)).toFixed(5)), Number((6 / Math.sqrt(30)).toFixed(5)), 0.6, 0]);
    // x = 7: the first bin full, the second 2/5; beyond the edges: 1, 1 and 0, 0.
    expect(row(1).slice(2).map((v) => Number(v.toFixed(5)))).toEqual([1, 0.4]);
    expect(row(2).slice(2)).toEqual([1, 1]);
    expect(row(3).slice(2)).toEqual([0, 0]);
  });

  it('trains a network on the encoded inputs and applies it to raw rows', async () => {
    await initBackend();
    // 400 rows of x = 0..39.9 and its flag; the label: x above 30.
    const n = 400;
    const x: Matrix = { rows: n, cols: 2, values: Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? k / 20 : Math.floor(k / 20) % 2)) };
    const labels = Uint8Array.from({ length: n }, (_, i) => (i / 10 > 30 ? 1 : 0));
    const t = await trainClassifier(x, labels, { ...DEFAULT_TRAIN_CONFIG, model: 'mlp', seed: 1, epochs: 2, encodeBins: 4 });
    expect(t.standardization.edges?.[0]?.length).toBe(5);
    expect(t.model.inputs[0]!.shape[1]).toBe(inputWidth(t.standardization, 2));
    const p = await predictProbabilities(t.model, t.standardization, x);
    expect(p.length).toBe(n);
    t.model.dispose();
  });
});
