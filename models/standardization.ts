// What a model sees of a feature row (models/classifier.ts): each column standardised by the fit
// rows' mean and standard deviation (a column constant at fitting is 0 wherever the model is
// applied), and, when the standardisation carries bin edges (TrainConfig.encodeBins), each encoded
// column's piecewise-linear bins after the columns. Fitted on the fit rows at training and saved
// with the model (standardization.json), so training and every later use see the same inputs.

/** Rows x features, row-major. */
export interface Matrix {
  rows: number;
  cols: number;
  values: Float32Array;
}

export interface Standardization {
  mean: number[];
  std: number[];
  /**
   * True for a column with one value over the fit rows: the model learnt nothing from it, so it
   * is standardised to 0 wherever the model is applied (absent in runs saved before it existed).
   */
  constant?: boolean[];
  /**
   * Per column, the bin edges of its piecewise-linear encoding (TrainConfig.encodeBins), or null
   * for a column not encoded (absent: no column is).
   */
  edges?: (number[] | null)[];
}

/** The inputs a standardised row has: the columns, and one per bin of each encoded column. */
export const inputWidth = (s: Standardization, cols: number): number => cols + (s.edges ?? []).reduce((a, e, j) => a + (e === null || s.constant?.[j] ? 0 : e.length - 1), 0);

/**
 * The bin edges of each column with more than two values over `rows` (at most 200,000 of them, every
 * k-th), at its quantiles 0, 1/bins, ..., 1, repeated edges dropped; null for a column with two
 * values or fewer (a flag: its own input says it all).
 */
export function fitEdges(x: Matrix, rows: ArrayLike<number>, bins: number): (number[] | null)[] {
  const step = Math.max(1, Math.floor(rows.length / 200_000));
  const sample: number[] = [];
  for (let k = 0; k < rows.length; k += step) sample.push(rows[k]!);
  const col = new Float64Array(sample.length);
  return Array.from({ length: x.cols }, (_, j) => {
    sample.forEach((r, k) => (col[k] = x.values[r * x.cols + j]!));
    col.sort();
    const edges: number[] = [];
    for (let b = 0; b <= bins; b++) {
      const v = col[Math.min(col.length - 1, Math.round((b * (col.length - 1)) / bins))]!;
      if (edges.length === 0 || v > edges[edges.length - 1]!) edges.push(v);
    }
    let distinct = 1;
    for (let k = 1; k < col.length && distinct <= 2; k++) if (col[k] !== col[k - 1]) distinct++;
    return distinct > 2 && edges.length >= 3 ? edges : null;
  });
}

/** Mean and standard deviation per column over the given rows (std 1 for a constant column). */
export function fitStandardization(x: Matrix, rows: ArrayLike<number>): Standardization {
  const mean = new Float64Array(x.cols);
  const sq = new Float64Array(x.cols);
  for (let k = 0; k < rows.length; k++) {
    const base = rows[k]! * x.cols;
    for (let j = 0; j < x.cols; j++) mean[j]! += x.values[base + j]!;
  }
  for (let j = 0; j < x.cols; j++) mean[j]! /= Math.max(1, rows.length);
  for (let k = 0; k < rows.length; k++) {
    const base = rows[k]! * x.cols;
    for (let j = 0; j < x.cols; j++) {
      const d = x.values[base + j]! - mean[j]!;
      sq[j]! += d * d;
    }
  }
  const sd = Array.from(sq, (s) => Math.sqrt(s / Math.max(1, rows.length)));
  return { mean: Array.from(mean), std: sd.map((v) => (v > 1e-12 ? v : 1)), constant: sd.map((v) => !(v > 1e-12)) };
}

/**
 * What standardizeRow needs of a standardisation, flat in typed arrays (a row's inner loop reads
 * nothing else): per column its mean, its standard deviation and 1 if the model uses it (0: constant
 * at fitting); per bin of the encoded columns, in column order, its column, its lower edge and its
 * width; the inputs a row has.
 */
export interface RowPlan {
  mean: Float64Array;
  std: Float64Array;
  keep: Float32Array;
  binColumn: Int32Array;
  binLow: Float64Array;
  binWidth: Float64Array;
  width: number;
}
export function rowPlan(s: Standardization, cols: number): RowPlan {
  const bins = (s.edges ?? []).flatMap((e, j) => (e === null || s.constant?.[j] ? [] : e.slice(1).map((hi, b) => [j, e[b]!, hi - e[b]!] as const)));
  return {
    mean: Float64Array.from(s.mean),
    std: Float64Array.from(s.std),
    keep: Float32Array.from({ length: cols }, (_, j) => (s.constant?.[j] ? 0 : 1)),
    binColumn: Int32Array.from(bins, (b) => b[0]),
    binLow: Float64Array.from(bins, (b) => b[1]),
    binWidth: Float64Array.from(bins, (b) => b[2]),
    width: inputWidth(s, cols),
  };
}

/**
 * One row standardised: `cols` values of `from` at `src` to `to` at `dst`, then the bins of each
 * encoded column (Standardization.edges), in column order: per bin [a, b], min(1, max(0, (x - a) /
 * (b - a))); a column constant at fitting is 0 whatever its value, and has no bins.
 */
export function standardizeRow(from: Float32Array, src: number, to: Float32Array, dst: number, cols: number, p: RowPlan): void {
  const { mean, std, keep, binColumn, binLow, binWidth } = p;
  for (let j = 0; j < cols; j++) to[dst + j] = (keep[j]! * (from[src + j]! - mean[j]!)) / std[j]!;
  const at = dst + cols;
  for (let k = 0; k < binColumn.length; k++) to[at + k] = Math.min(1, Math.max(0, (from[src + binColumn[k]!]! - binLow[k]!) / binWidth[k]!));
}

/** The given rows, standardised, as a new matrix (standardizeRow): the columns, then the encoded columns' bins. */
export function standardize(x: Matrix, s: Standardization, rows?: ArrayLike<number>): Matrix {
  const n = rows ? rows.length : x.rows;
  const p = rowPlan(s, x.cols);
  const out = new Float32Array(n * p.width);
  for (let k = 0; k < n; k++) standardizeRow(x.values, (rows ? rows[k]! : k) * x.cols, out, k * p.width, x.cols, p);
  return { rows: n, cols: p.width, values: out };
}
