// Gradient-boosted decision trees (the `gbdt` model): XGBoost's second-order boosting of the
// logistic loss (Chen and Guestrin, 2016, "XGBoost: A Scalable Tree Boosting System"), grown depth
// by depth on quantile bins of each column (its "hist" method), with row and column sampling and an
// early stop on the validation rows' log loss that keeps the best round's trees. Written here
// because no tree learner on the npm registry is both maintained and able to train (README,
// Quality); on the same rows it reaches the XGBoost anchor's precision, where the networks trail
// it by half a point. Everything is seeded and summed in a fixed order: a seed gives the same trees.
import { createRng } from '../data/random.ts';
import { improves } from './early-stop.ts';
import type { Matrix } from './standardization.ts';

export interface TreeConfig {
  /** Most trees (the early stop usually ends sooner). */
  rounds: number;
  /** Each tree's leaves are scaled by this (XGBoost's eta). */
  learningRate: number;
  /** Levels of splits below the root. */
  depth: number;
  /** L2 penalty on the leaf values (XGBoost's lambda). */
  lambda: number;
  /** Least hessian sum a child may have (XGBoost's min_child_weight). */
  minChildWeight: number;
  /** Share of the fit rows each tree is grown on, a fresh seeded draw each tree. */
  subsample: number;
  /** Most fit rows a tree is grown on (the share is lowered to keep to it): a plan of a million members grows each tree on as many rows as one of about 330,000. */
  rowsPerTree: number;
  /** Share of the columns each tree may split on, a fresh seeded draw each tree. */
  colsample: number;
  /** Most bins per column (quantiles of the fit rows), at most 255. */
  bins: number;
  /** Rounds without a better validation loss before stopping. */
  patience: number;
  /**
   * What restarts the patience: a validation loss below the last one that did by at least this
   * share of it (absent: any better loss), as the networks' TrainConfig.minImprovement. The trees
   * kept are still the best round's by any margin.
   */
  minImprovement?: number;
}

/** A column's split points: a value goes left of split k when it is at most thresholds[k]. */
export type Thresholds = Float32Array;

/** One tree in arrays, node 0 the root: a leaf has feature -1 and its value; a split sends x[feature] <= threshold to left. */
export interface Tree {
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  value: Float32Array;
}

export interface BoostedTrees {
  /** The margin before any tree: the log-odds of the fit rows' positive share. */
  base: number;
  trees: Tree[];
}

export interface BoostRound {
  round: number;
  validationLoss: number;
}

export interface TrainedTrees {
  model: BoostedTrees;
  history: BoostRound[];
  bestRound: number;
  seconds: number;
}

/**
 * Per column, its split points over `rows` of x: every value but the largest when it has at most
 * `bins` distinct values, else the quantiles at 1/bins, 2/bins, ... (duplicates dropped). NaN is
 * no split point.
 */
export function fitThresholds(x: Matrix, rows: ArrayLike<number>, bins: number): Thresholds[] {
  if (!(bins >= 2 && bins <= 255)) throw new RangeError(`bins must be 2-255, found ${bins}`);
  const v = new Float32Array(rows.length);
  return Array.from({ length: x.cols }, (_, j) => {
    let n = 0;
    for (let i = 0; i < rows.length; i++) {
      const a = x.values[rows[i]! * x.cols + j]!;
      if (!Number.isNaN(a)) v[n++] = a;
    }
    const s = v.subarray(0, n).sort();
    const distinct: number[] = [];
    for (let i = 0; i < n; i++) if (i === 0 || s[i] !== s[i - 1]) distinct.push(s[i]!);
    if (distinct.length <= bins) return Float32Array.from(distinct.slice(0, -1));
    const t: number[] = [];
    for (let b = 1; b < bins; b++) {
      const q = s[Math.floor((b * n) / bins)]!;
      if (q < s[n - 1]! && (t.length === 0 || q > t[t.length - 1]!)) t.push(q);
    }
    return Float32Array.from(t);
  });
}

/** A value's bin: how many split points lie below it (NaN: above them all, as it goes right of every split). */
function binOf(t: Thresholds, v: number): number {
  if (Number.isNaN(v)) return t.length;
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (t[m]! < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Each row's bin of each column, row by row (one byte each): a row's bins lie together, as its features do in x. */
function binRows(x: Matrix, thresholds: readonly Thresholds[]): Uint8Array {
  const b = new Uint8Array(x.rows * x.cols);
  for (let i = 0; i < b.length; i++) b[i] = binOf(thresholds[i % x.cols]!, x.values[i]!);
  return b;
}

/** Where row r of x (raw values) ends up in tree t: its leaf's value. */
function leafValue(t: Tree, values: Float32Array, offset: number): number {
  let n = 0;
  // !(v <= threshold): NaN goes right, as its bin is above every split.
  while (t.feature[n]! >= 0) n = values[offset + t.feature[n]!]! <= t.threshold[n]! ? t.left[n]! : t.right[n]!;
  return t.value[n]!;
}

const sigmoid = (m: number): number => 1 / (1 + Math.exp(-m));

/** Log loss of margins against 0/1 labels over `rows`, as XGBoost's validation reports it. */
function logLoss(margin: Float64Array, y: Uint8Array, rows: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    const p = Math.min(1 - 1e-15, Math.max(1e-15, sigmoid(margin[i]!)));
    s -= y[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return s / rows.length;
}

/**
 * Adds the gradients and hessians of rows[lo..hi) to `hist` (2 slots per bin, `slots` bins per
 * column), row by row: a row's bins are read together, and with few enough bins the histogram stays
 * in the processor's second-level cache. A function of its own, not a closure: V8 keeps its loops'
 * arrays in registers.
 */
function sumHistogram(hist: Float64Array, bins: Uint8Array, cols: number, slots: number, rows: Int32Array, lo: number, hi: number, g: Float64Array, h: Float64Array): void {
  for (let k = lo; k < hi; k++) {
    const r = rows[k]!;
    const o = r * cols;
    const gr = g[r]!;
    const hr = h[r]!;
    for (let j = 0, a0 = 0; j < cols; j++, a0 += slots) {
      const a = (a0 + bins[o + j]!) << 1;
      hist[a] = hist[a]! + gr;
      hist[a + 1] = hist[a + 1]! + hr;
    }
  }
}

/** A node's best split: its column, its bin (left: bins up to it) and the left child's sums. */
interface Split {
  feature: number;
  bin: number;
  G: number;
  H: number;
}

/**
 * The split of a node (its histogram, gradient sum G and hessian sum H) of the largest gain
 * GL²/(HL+λ) + GR²/(HR+λ) - G²/(H+λ) over the columns given, each child holding at least
 * minChildWeight of hessian; none when no split gains (the node is a leaf). The first of equal
 * gains wins, by column then bin.
 */
function bestSplit(hist: Float64Array, G: number, H: number, columns: readonly number[], thresholds: readonly Thresholds[], slots: number, c: TreeConfig): Split | undefined {
  let gain = 0;
  let best: Split | undefined;
  const parent = (G * G) / (H + c.lambda);
  for (const j of columns) {
    let GL = 0;
    let HL = 0;
    const off = j * slots * 2;
    for (let b = 0; b < thresholds[j]!.length; b++) {
      GL += hist[off + 2 * b]!;
      HL += hist[off + 2 * b + 1]!;
      if (HL < c.minChildWeight) continue;
      const HR = H - HL;
      if (HR < c.minChildWeight) break;
      const GR = G - GL;
      const s = (GL * GL) / (HL + c.lambda) + (GR * GR) / (HR + c.lambda) - parent;
      if (s > gain) {
        gain = s;
        best = { feature: j, bin: b, G: GL, H: HL };
      }
    }
  }
  return best;
}

/**
 * Trains boosted trees on x (raw features) and 0/1 labels: fit on `fit`, early stop on `validation`
 * (indexes into x). `onRound` sees each round's validation loss.
 */
export function trainTrees(x: Matrix, y: Uint8Array, fit: Int32Array, validation: Int32Array, c: TreeConfig, seed: number, onRound?: (round: number, validationLoss: number) => void): TrainedTrees {
  const started = performance.now();
  const { rows: n, cols } = x;
  const thresholds = fitThresholds(x, fit, c.bins);
  const bins = binRows(x, thresholds);
  let positives = 0;
  for (const i of fit) positives += y[i]!;
  if (positives === 0 || positives === fit.length) throw new RangeError('the fit rows need both labels');
  const base = Math.log(positives / (fit.length - positives));
  const margin = new Float64Array(n).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const rng = createRng(seed * 7907 + 3);
  const share = Math.min(c.subsample, c.rowsPerTree / fit.length);
  const rows = new Int32Array(fit.length);
  // The round whose tree a row was grown on (its margin already has that tree's leaf).
  const grownOn = new Int32Array(n);
  const spare = new Int32Array(fit.length);
  const trees: Tree[] = [];
  const history: BoostRound[] = [];
  let best = Infinity;
  let bestRound = 0;
  // The loss the patience counts from (TreeConfig.minImprovement) and the rounds since.
  let reference = Infinity;
  let waited = 0;
  // Histograms of gradient and hessian sums per column and bin, reused once a tree is grown.
  const slots = c.bins;
  const free: Float64Array[] = [];
  const histogram = (lo: number, hi: number): Float64Array => {
    const hist = free.pop()?.fill(0) ?? new Float64Array(cols * slots * 2);
    sumHistogram(hist, bins, cols, slots, rows, lo, hi, g, h);
    return hist;
  };
  for (let round = 1; round <= c.rounds; round++) {
    let m = 0;
    for (const i of fit) if (rng.next() < share) rows[m++] = i;
    // The gradients of the tree's rows only: no other row's are read.
    for (let k = 0; k < m; k++) {
      const i = rows[k]!;
      const p = sigmoid(margin[i]!);
      g[i] = p - y[i]!;
      h[i] = Math.max(p * (1 - p), 1e-16);
    }
    const columns: number[] = [];
    for (let j = 0; j < cols; j++) if (rng.next() < c.colsample) columns.push(j);
    const size = 2 ** (c.depth + 1) - 1;
    const t: Tree = { feature: new Int32Array(size).fill(-1), threshold: new Float32Array(size), left: new Int32Array(size), right: new Int32Array(size), value: new Float32Array(size) };
    // Each split's bin (the threshold's place among its column's), to send rows down by their bins.
    const splitBin = new Int32Array(size);
    let nodes = 1;
    let G = 0;
    let H = 0;
    for (let k = 0; k < m; k++) {
      G += g[rows[k]!]!;
      H += h[rows[k]!]!;
    }
    let level = [{ node: 0, lo: 0, hi: m, G, H, hist: histogram(0, m) }];
    for (let d = 0; level.length > 0; d++) {
      const next: typeof level = [];
      for (const nd of level) {
        const split = d < c.depth ? bestSplit(nd.hist, nd.G, nd.H, columns, thresholds, slots, c) : undefined;
        if (split === undefined) {
          const value = Math.fround((-nd.G / (nd.H + c.lambda)) * c.learningRate);
          t.value[nd.node] = value;
          // The tree's own rows reach this leaf: no need to send them down the tree again.
          for (let k = nd.lo; k < nd.hi; k++) {
            const i = rows[k]!;
            margin[i] = margin[i]! + value;
            grownOn[i] = round;
          }
          free.push(nd.hist);
          continue;
        }
        const { feature: bf, bin: bb, G: bG, H: bH } = split;
        // The node's rows, those going left first.
        let l = nd.lo;
        let r = 0;
        for (let k = nd.lo; k < nd.hi; k++) {
          const i = rows[k]!;
          if (bins[i * cols + bf]! <= bb) rows[l++] = i;
          else spare[r++] = i;
        }
        rows.set(spare.subarray(0, r), l);
        const L = nodes++;
        const R = nodes++;
        t.feature[nd.node] = bf;
        t.threshold[nd.node] = thresholds[bf]![bb]!;
        splitBin[nd.node] = bb;
        t.left[nd.node] = L;
        t.right[nd.node] = R;
        // The smaller child's histogram from its rows, the larger's as the parent's minus it.
        const leftSmaller = l - nd.lo <= nd.hi - l;
        const small = leftSmaller ? histogram(nd.lo, l) : histogram(l, nd.hi);
        const big = nd.hist;
        for (let a = 0; a < big.length; a++) big[a] = big[a]! - small[a]!;
        next.push({ node: L, lo: nd.lo, hi: l, G: bG, H: bH, hist: leftSmaller ? small : big }, { node: R, lo: l, hi: nd.hi, G: nd.G - bG, H: nd.H - bH, hist: leftSmaller ? big : small });
      }
      level = next;
    }
    const tree = trimmed(t, nodes);
    trees.push(tree);
    // Every other row down the tree by its bins (a byte a column: a quarter of its raw values' memory).
    for (let i = 0; i < n; i++) {
      if (grownOn[i] === round) continue;
      let node = 0;
      const o = i * cols;
      while (tree.feature[node]! >= 0) node = bins[o + tree.feature[node]!]! <= splitBin[node]! ? tree.left[node]! : tree.right[node]!;
      margin[i] = margin[i]! + tree.value[node]!;
    }
    const v = logLoss(margin, y, validation);
    history.push({ round, validationLoss: v });
    onRound?.(round, v);
    if (v < best) {
      best = v;
      bestRound = round;
    }
    if (c.minImprovement === undefined ? v === best : improves(v, reference, c.minImprovement)) {
      reference = v;
      waited = 0;
    } else if (++waited >= c.patience) break;
  }
  return { model: { base, trees: trees.slice(0, bestRound) }, history, bestRound, seconds: (performance.now() - started) / 1000 };
}

/** A tree's arrays cut to the nodes it has. */
function trimmed(t: Tree, nodes: number): Tree {
  return { feature: t.feature.slice(0, nodes), threshold: t.threshold.slice(0, nodes), left: t.left.slice(0, nodes), right: t.right.slice(0, nodes), value: t.value.slice(0, nodes) };
}

/** Probabilities of raw feature rows. */
export function treeProbabilities(model: BoostedTrees, x: Matrix): Float32Array {
  const out = new Float32Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let m = model.base;
    for (const t of model.trees) m += leafValue(t, x.values, i * x.cols);
    out[i] = sigmoid(m);
  }
  return out;
}

/** The format name model.json carries for boosted trees (a network's says "layers-model"). */
export const TREES_FORMAT = 'rafcast-boosted-trees';

/** The trees as model.json text (their shape) and weights.bin bytes (their arrays, tree after tree: features, thresholds, lefts, rights, values). */
export function serializeTrees(model: BoostedTrees): { modelJson: string; weights: Uint8Array } {
  const sizes = model.trees.map((t) => t.feature.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const weights = new Uint8Array(total * 20);
  const view = new DataView(weights.buffer);
  let o = 0;
  for (const t of model.trees) {
    for (const [arr, float] of [[t.feature, false], [t.threshold, true], [t.left, false], [t.right, false], [t.value, true]] as const) {
      for (const v of arr) {
        if (float) view.setFloat32(o, v, true);
        else view.setInt32(o, v, true);
        o += 4;
      }
    }
  }
  return { modelJson: JSON.stringify({ format: TREES_FORMAT, base: model.base, nodes: sizes }), weights };
}

/** Boosted trees from serializeTrees's model.json text and weights.bin bytes. */
export function deserializeTrees(modelJson: string, weights: Uint8Array): BoostedTrees {
  const j = JSON.parse(modelJson) as { format: string; base: number; nodes: number[] };
  if (j.format !== TREES_FORMAT) throw new Error(`not boosted trees: ${j.format}`);
  const total = j.nodes.reduce((a, b) => a + b, 0);
  if (weights.byteLength !== total * 20) throw new Error(`weights.bin holds ${weights.byteLength} bytes, ${total * 20} expected for ${j.nodes.length} trees`);
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  let o = 0;
  const ints = (k: number) => Int32Array.from({ length: k }, () => ((o += 4), view.getInt32(o - 4, true)));
  const floats = (k: number) => Float32Array.from({ length: k }, () => ((o += 4), view.getFloat32(o - 4, true)));
  const trees = j.nodes.map((k): Tree => ({ feature: ints(k), threshold: floats(k), left: ints(k), right: ints(k), value: floats(k) }));
  return { base: j.base, trees };
}
