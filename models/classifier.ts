// The TensorFlow.js classifiers (logistic regression and a multilayer perceptron) that rank
// members by their chance of being in the top 20% of RAF_T. Training is a seeded loop of our own:
// a seeded split of the training rows into fit and validation parts, standardisation fitted on
// the fit part only, a class-weighted cross-entropy, and early stopping on the validation loss
// that restores the best weights. Models are saved and loaded through our own handler
// (model.json, weights.bin), as tf.io's file handlers need tfjs-node.
import { createRng, type Rng } from '../data/random.ts';
import { tf } from './backend.ts';
import type { ModelKind } from './model-kinds.ts';
import { fitEdges, fitStandardization, rowPlan, standardize, standardizeRow, type Matrix, type Standardization } from './standardization.ts';


export interface TrainConfig {
  model: ModelKind;
  seed: number;
  /** Most passes over the fit rows (early stopping usually ends sooner). */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;
  /** Share of the training rows held out for early stopping. */
  validationShare: number;
  /** Hidden layer widths of the MLP. */
  hidden: number[];
  /** L2 penalty on the weights. */
  l2: number;
  /**
   * Share of each hidden layer's units dropped at random in every training batch (0: none). The
   * masks come from our seeded generator, so a seed gives the same weights; the saved model has no
   * dropout (it is used whole, as dropout intends).
   */
  dropout: number;
  /**
   * Networks trained side by side, each from its own initial weights, whose probabilities are
   * averaged (an ensemble over seeds in one model file). The MLP's only: the logistic model is one.
   */
  members: number;
  /**
   * Piecewise-linear encoding of the numeric columns (Gorishniy et al., 2022, "On Embeddings for
   * Numerical Features in Tabular Deep Learning"): a column with more than two values over the fit
   * rows also enters as one input per quantile bin of it (at most this many bins), each 0 below
   * its bin, 1 above it, linear inside. 0: off. The MLP's only (the logistic model stays linear).
   */
  encodeBins?: number;
  /**
   * Most fit rows one epoch passes over, a fresh seeded draw of them each epoch (absent: all). A
   * plan of a million members is then validated, and stopped early, after as many rows seen as a
   * plan of a quarter of that size, instead of after full passes ten times longer.
   */
  epochRows?: number;
}

export const DEFAULT_TRAIN_CONFIG: Omit<TrainConfig, 'model' | 'seed'> = {
  epochs: 40,
  batchSize: 1024,
  learningRate: 0.002,
  patience: 4,
  validationShare: 0.2,
  hidden: [64, 32],
  l2: 0,
  dropout: 0.2,
  // Two networks fed the numeric columns and their 8-bin encoding gain +0.6 and +0.7 points of
  // precision at 20% over one network of the raw columns on the 100,000-member quality plans
  // (README, Quality). An epoch of them over all 800,000 fit rows of a 1,000,000-member plan took
  // over 10 minutes to the early stop; over 262,144 rows an epoch, 190 s, at the same precision.
  members: 2,
  encodeBins: 8,
  epochRows: 262_144,
};

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** The networks a model averages: the MLP's ensemble; the logistic model's would all reach the same optimum. */
const networksOf = (c: TrainConfig): number => (c.model === 'mlp' ? Math.max(1, c.members) : 1);

/**
 * The network(s): `train` gives each member network's probability (one column each), `model` their
 * mean, the one saved and applied. Both share the same layers.
 */
function buildModel(cols: number, c: TrainConfig): { model: tf.LayersModel; train: tf.LayersModel } {
  // Names fixed here, not TensorFlow.js's per-process counters: the same model.json whichever
  // process (or how many models before it) trained it.
  const reg = c.l2 > 0 ? tf.regularizers.l2({ l2: c.l2 }) : undefined;
  let seed = c.seed;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const widths = c.model === 'mlp' ? c.hidden : [];
  const k = networksOf(c);
  const input = tf.input({ shape: [cols], name: 'features' });
  const outputs: tf.SymbolicTensor[] = [];
  for (let b = 0; b < k; b++) {
    const prefix = k === 1 ? '' : `m${b + 1}_`;
    let h = input;
    widths.forEach((units, i) => {
      h = tf.layers.dense({ name: `${prefix}hidden_${i + 1}`, units, activation: 'relu', kernelInitializer: init(), kernelRegularizer: reg }).apply(h) as tf.SymbolicTensor;
    });
    outputs.push(tf.layers.dense({ name: `${prefix}probability`, units: 1, activation: 'sigmoid', kernelInitializer: init(), kernelRegularizer: reg }).apply(h) as tf.SymbolicTensor);
  }
  if (k === 1) {
    const model = tf.model({ name: `rafcast_${c.model}`, inputs: input, outputs: outputs[0]! });
    return { model, train: model };
  }
  const model = tf.model({ name: `rafcast_${c.model}`, inputs: input, outputs: tf.layers.average({ name: 'probability' }).apply(outputs) as tf.SymbolicTensor });
  const train = tf.model({ name: `rafcast_${c.model}_members`, inputs: input, outputs: tf.layers.concatenate({ name: 'member_probabilities' }).apply(outputs) as tf.SymbolicTensor });
  return { model, train };
}

export interface TrainedClassifier {
  model: tf.LayersModel;
  standardization: Standardization;
  /** Per epoch: the fit rows it passed over, its losses; the best epoch's weights are kept. */
  history: { epoch: number; rows: number; trainLoss: number; validationLoss: number }[];
  bestEpoch: number;
  /** Rows used to fit and to validate (counts), and the validation rows (indexes into the training matrix). */
  fitRows: number;
  validationRows: number;
  validationIndexes: Int32Array;
  positiveWeight: number;
}

/**
 * The training network's output for a batch with dropout on the hidden layers: each hidden unit of
 * each row kept with probability 1 - rate and scaled by 1 / (1 - rate), the masks drawn from `rng`.
 * TensorFlow.js's own dropout layer, given a seed, draws the same mask in every batch, and without
 * one it is not reproducible: hence masks of our own, applied through the model's own layers.
 */
export function forwardWithDropout(train: tf.LayersModel, c: TrainConfig, x: tf.Tensor2D, rng: Rng): tf.Tensor {
  const rows = x.shape[0];
  const keep = 1 - c.dropout;
  const widths = c.model === 'mlp' ? c.hidden : [];
  const k = networksOf(c);
  const outs: tf.Tensor[] = [];
  for (let b = 0; b < k; b++) {
    const prefix = k === 1 ? '' : `m${b + 1}_`;
    let h: tf.Tensor = x;
    widths.forEach((units, i) => {
      const mask = new Float32Array(rows * units);
      for (let j = 0; j < mask.length; j++) mask[j] = rng.next() < keep ? 1 / keep : 0;
      h = (train.getLayer(`${prefix}hidden_${i + 1}`).apply(h) as tf.Tensor).mul(tf.tensor2d(mask, [rows, units]));
    });
    outs.push(train.getLayer(`${prefix}probability`).apply(h) as tf.Tensor);
  }
  return outs.length === 1 ? outs[0]! : tf.concat(outs, 1);
}

/** Weighted binary cross-entropy, mean over the batch (and over the columns of p: one per member network). */
function weightedLoss(p: tf.Tensor, y: tf.Tensor, w: tf.Tensor): tf.Scalar {
  const eps = 1e-7;
  const pc = p.clipByValue(eps, 1 - eps);
  const ll = y.mul(pc.log()).add(tf.scalar(1).sub(y).mul(tf.scalar(1).sub(pc).log())).neg();
  return ll.mul(w).sum().div(w.sum().mul(p.shape[1] ?? 1)) as tf.Scalar;
}

/** Trains on x (raw features) and 0/1 labels; everything it learns comes from these rows only. */
export async function trainClassifier(
  x: Matrix,
  labels: Uint8Array,
  config: TrainConfig,
  onEpoch?: (epoch: number, trainLoss: number, validationLoss: number) => void,
): Promise<TrainedClassifier> {
  if (x.rows !== labels.length) throw new Error(`${x.rows} rows but ${labels.length} labels`);
  const order = permutation(x.rows, config.seed);
  const nVal = Math.max(1, Math.round(x.rows * config.validationShare));
  const fitIdx = order.subarray(0, x.rows - nVal);
  const valIdx = order.subarray(x.rows - nVal);
  const standardization = fitStandardization(x, fitIdx);
  // The MLP's inputs (as its dropout): the logistic model stays linear in the features.
  if ((config.encodeBins ?? 0) > 0 && config.model === 'mlp') standardization.edges = fitEdges(x, fitIdx, config.encodeBins!);
  // The fit rows are standardised batch by batch from x (standardizeRow, as standardize does):
  // a standardised copy of them would be 80% of x again (2.7 GB at 5,000,000 members), more with the bins.
  const plan = rowPlan(standardization, x.cols);
  const fitY = Float32Array.from(fitIdx, (i) => labels[i]!);
  const valY = Float32Array.from(valIdx, (i) => labels[i]!);
  let positives = 0;
  for (const v of fitY) positives += v;
  // Positives weigh as much in total as negatives.
  const positiveWeight = positives > 0 ? (fitY.length - positives) / positives : 1;
  const weightOf = (y: Float32Array): Float32Array => y.map((v) => (v === 1 ? positiveWeight : 1));
  const fitW = weightOf(fitY);
  const valW = weightOf(valY);

  const { model, train } = buildModel(plan.width, config);
  const optimizer = tf.train.adam(config.learningRate);
  // The validation rows live on as a tensor only: their standardised copy is not kept.
  const valXT = ((v: Matrix) => tf.tensor2d(v.values, [v.rows, v.cols]))(standardize(x, standardization, valIdx));
  const valYT = tf.tensor2d(valY, [valY.length, 1]);
  const valWT = tf.tensor2d(valW, [valW.length, 1]);
  const history: TrainedClassifier['history'] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | undefined;
  let waited = 0;
  const n = fitIdx.length;
  const d = x.cols;
  const w = plan.width;
  const dropoutRng = createRng(config.seed * 7919 + 17);
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const perm = permutation(n, config.seed * 1000 + epoch);
    const rowsThisEpoch = Math.min(n, config.epochRows ?? n);
    let lossTotal: tf.Scalar | undefined;
    let batches = 0;
    let rows = 0;
    for (let start = 0; start < rowsThisEpoch; start += config.batchSize) {
      const end = Math.min(rowsThisEpoch, start + config.batchSize);
      const m = end - start;
      const bx = new Float32Array(m * w);
      const by = new Float32Array(m);
      const bw = new Float32Array(m);
      for (let r = 0; r < m; r++) {
        const i = perm[start + r]!;
        standardizeRow(x.values, fitIdx[i]! * d, bx, r * w, d, plan);
        by[r] = fitY[i]!;
        bw[r] = fitW[i]!;
      }
      const loss = tf.tidy(() => {
        const xt = tf.tensor2d(bx, [m, w]);
        const yt = tf.tensor2d(by, [m, 1]);
        const wt = tf.tensor2d(bw, [m, 1]);
        return optimizer.minimize(() => {
          const out = config.dropout > 0 && config.model === 'mlp' ? forwardWithDropout(train, config, xt, dropoutRng) : (train.apply(xt, { training: true }) as tf.Tensor);
          const base = weightedLoss(out, yt, wt);
          // The L2 penalties, as functions each layer keeps: from the layers, as a model's own
          // losses list is empty in TensorFlow.js 4.22 (before this, no penalty was applied).
          const reg = train.layers.flatMap((l) => l.losses as unknown as (() => tf.Scalar)[]).map((f) => f());
          return reg.length > 0 ? (base.add(tf.addN(reg)) as tf.Scalar) : base;
        }, true)!;
      });
      // Summed on the device and read once an epoch: a read per batch stalls the backend.
      const total: tf.Scalar = lossTotal === undefined ? loss : (tf.tidy(() => lossTotal!.add(loss)) as tf.Scalar);
      if (lossTotal !== undefined) {
        lossTotal.dispose();
        loss.dispose();
      }
      lossTotal = total;
      batches++;
      rows += m;
    }
    // apply, not predict: predict cuts its input into batches of 32, and the WebAssembly backend
    // copies the whole input for every cut (minutes at a million rows).
    const valLoss = tf.tidy(() => weightedLoss(model.apply(valXT) as tf.Tensor, valYT, valWT));
    const v = (await valLoss.data())[0]!;
    valLoss.dispose();
    const lossSum = lossTotal === undefined ? 0 : (await lossTotal.data())[0]!;
    lossTotal?.dispose();
    const trainLoss = lossSum / Math.max(1, batches);
    history.push({ epoch, rows, trainLoss, validationLoss: v });
    onEpoch?.(epoch, trainLoss, v);
    if (v < best - 1e-5) {
      best = v;
      bestEpoch = epoch;
      bestWeights?.forEach((t) => t.dispose());
      bestWeights = model.getWeights().map((t) => t.clone());
      waited = 0;
    } else if (++waited >= config.patience) {
      break;
    }
  }
  if (bestWeights) {
    model.setWeights(bestWeights);
    bestWeights.forEach((t) => t.dispose());
  }
  valXT.dispose();
  valYT.dispose();
  valWT.dispose();
  optimizer.dispose();
  return { model, standardization, history, bestEpoch, fitRows: fitIdx.length, validationRows: valIdx.length, validationIndexes: valIdx, positiveWeight };
}

/** Probabilities for raw feature rows, in batches. */
export async function predictProbabilities(model: tf.LayersModel, s: Standardization, x: Matrix, batchSize = 65536): Promise<Float32Array> {
  const out = new Float32Array(x.rows);
  const plan = rowPlan(s, x.cols);
  // One buffer for every batch: a fresh one each time (73 MB with the bins) cost more in page
  // faults than the standardisation itself (5.5 of 9 s at a million members, measured 2026-12-03).
  const batch = new Float32Array(Math.min(batchSize, x.rows) * plan.width);
  for (let start = 0; start < x.rows; start += batchSize) {
    const m = Math.min(x.rows, start + batchSize) - start;
    for (let r = 0; r < m; r++) standardizeRow(x.values, (start + r) * x.cols, batch, r * plan.width, x.cols, plan);
    const p = tf.tidy(() => model.apply(tf.tensor2d(batch.subarray(0, m * plan.width), [m, plan.width])) as tf.Tensor);
    out.set(await p.data(), start);
    p.dispose();
  }
  return out;
}

/** The model's topology and weights as model.json text and weights.bin bytes. */
export async function serializeModel(model: tf.LayersModel): Promise<{ modelJson: string; weights: Uint8Array }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  const a = saved!;
  const data = a.weightData instanceof ArrayBuffer ? a.weightData : tf.io.concatenateArrayBuffers(a.weightData as ArrayBuffer[]);
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: `TensorFlow.js ${tf.version.tfjs}`,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  });
  return { modelJson, weights: new Uint8Array(data) };
}

/** Rebuilds a model from model.json text and weights.bin bytes. */
export async function deserializeModel(modelJson: string, weights: Uint8Array): Promise<tf.LayersModel> {
  const j = JSON.parse(modelJson) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: j.modelTopology, weightSpecs: j.weightsManifest.flatMap((m) => m.weights), weightData: buffer }));
}
