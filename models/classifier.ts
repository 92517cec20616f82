// The TensorFlow.js classifiers (logistic regression and a multilayer perceptron) that rank
// members by their chance of being in the top 20% of RAF_T. Training is a seeded loop of our own:
// a seeded split of the training rows into fit and validation parts, standardisation fitted on
// the fit part only, a class-weighted cross-entropy, and early stopping on the validation loss
// that restores the best weights (or the last epochs' mean, where it validates better); a model of several networks (TrainConfig.members) trains each
// alone (trainNetwork) and averages them (assembleModel). Models are saved and loaded through our own handler
// (model.json, weights.bin), as tf.io's file handlers need tfjs-node.
import { createRng, type Rng } from '../data/random.ts';
import { tf } from './backend.ts';
import { networksOf, type TrainConfig } from './train-config.ts';
import { EarlyStop, type AveragedEpochs } from './early-stop.ts';
import { fitEdges, fitStandardization, inputWidth, rowPlan, standardize, standardizeRow, type Matrix, type Standardization } from './standardization.ts';


export { DEFAULT_TRAIN_CONFIG, networksOf, recordedConfig, trainConfigOf, type TrainConfig } from './train-config.ts';
export { improves, meanWeights, type AveragedEpochs } from './early-stop.ts';

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

/** The hidden layers' widths: the MLP's; the logistic model has none. */
const hiddenOf = (c: TrainConfig): readonly number[] => (c.model === 'mlp' ? c.hidden : []);

/** The layers of a network: its hidden layers, then its output. */
const layersPerNetwork = (c: TrainConfig): number => hiddenOf(c).length + 1;

/** Network b's layer names: `m<b+1>_` before each when the model averages several. */
const layerPrefix = (c: TrainConfig, b: number): string => (networksOf(c) === 1 ? '' : `m${b + 1}_`);

/**
 * Network b of a model on the symbolic input: its hidden layers and its sigmoid output, named by
 * layerPrefix, each layer's initial weights seeded seed + b x layersPerNetwork + its place, so a
 * network starts the same whether trained alone or beside the others.
 */
function networkOutput(input: tf.SymbolicTensor, c: TrainConfig, b: number): tf.SymbolicTensor {
  // Names fixed here, not TensorFlow.js's per-process counters: the same model.json whichever
  // process (or how many models before it) trained it.
  const reg = c.l2 > 0 ? tf.regularizers.l2({ l2: c.l2 }) : undefined;
  let seed = c.seed + b * layersPerNetwork(c);
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const prefix = layerPrefix(c, b);
  let h = input;
  hiddenOf(c).forEach((units, i) => {
    h = tf.layers.dense({ name: `${prefix}hidden_${i + 1}`, units, activation: 'relu', kernelInitializer: init(), kernelRegularizer: reg }).apply(h) as tf.SymbolicTensor;
  });
  return tf.layers.dense({ name: `${prefix}probability`, units: 1, activation: 'sigmoid', kernelInitializer: init(), kernelRegularizer: reg }).apply(h) as tf.SymbolicTensor;
}

/** Network b alone, as it is trained. */
function buildNetwork(width: number, c: TrainConfig, b: number): tf.LayersModel {
  const input = tf.input({ shape: [width], name: 'features' });
  return tf.model({ name: networksOf(c) === 1 ? `rafcast_${c.model}` : `rafcast_${c.model}_network_${b + 1}`, inputs: input, outputs: networkOutput(input, c, b) });
}

/**
 * The model saved and applied: the mean of the networks' probabilities (a network's own output when
 * there is one), each network's weights those it was trained to (`networks[b]`, by layer name).
 */
export function assembleModel(width: number, c: TrainConfig, networks: readonly tf.LayersModel[]): tf.LayersModel {
  const k = networksOf(c);
  if (networks.length !== k) throw new Error(`${k} networks expected, ${networks.length} given`);
  const input = tf.input({ shape: [width], name: 'features' });
  const outputs = Array.from({ length: k }, (_, b) => networkOutput(input, c, b));
  const model = tf.model({ name: `rafcast_${c.model}`, inputs: input, outputs: k === 1 ? outputs[0]! : (tf.layers.average({ name: 'probability' }).apply(outputs) as tf.SymbolicTensor) });
  networks.forEach((net) => {
    for (const layer of net.layers) if (layer.getWeights().length > 0) model.getLayer(layer.name).setWeights(layer.getWeights());
  });
  return model;
}

/** One epoch of a network's training: the fit rows it passed over, its losses. */
export interface EpochRecord {
  epoch: number;
  rows: number;
  trainLoss: number;
  validationLoss: number;
}

/** A network as trained: its weights (its best epoch's, or its last epochs' mean: averaged), its epochs, its training's seconds. */
export interface TrainedNetwork {
  model: tf.LayersModel;
  history: EpochRecord[];
  bestEpoch: number;
  averaged?: AveragedEpochs;
  seconds: number;
}

export interface TrainedClassifier {
  model: tf.LayersModel;
  standardization: Standardization;
  /** Per network, per epoch: the fit rows it passed over, its losses; each network keeps its best epoch's weights, or its last epochs' mean (averaged). */
  networks: { history: EpochRecord[]; bestEpoch: number; averaged?: AveragedEpochs }[];
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
export function forwardWithDropout(net: tf.LayersModel, c: TrainConfig, b: number, x: tf.Tensor2D, rng: Rng): tf.Tensor {
  const rows = x.shape[0];
  const keep = 1 - c.dropout;
  const prefix = layerPrefix(c, b);
  let h: tf.Tensor = x;
  hiddenOf(c).forEach((units, i) => {
    const mask = new Float32Array(rows * units);
    for (let j = 0; j < mask.length; j++) mask[j] = rng.next() < keep ? 1 / keep : 0;
    h = (net.getLayer(`${prefix}hidden_${i + 1}`).apply(h) as tf.Tensor).mul(tf.tensor2d(mask, [rows, units]));
  });
  return net.getLayer(`${prefix}probability`).apply(h) as tf.Tensor;
}

/** Weighted binary cross-entropy, mean over the batch. */
function weightedLoss(p: tf.Tensor, y: tf.Tensor, w: tf.Tensor): tf.Scalar {
  const eps = 1e-7;
  const pc = p.clipByValue(eps, 1 - eps);
  const ll = y.mul(pc.log()).add(tf.scalar(1).sub(y).mul(tf.scalar(1).sub(pc).log())).neg();
  return ll.mul(w).sum().div(w.sum()) as tf.Scalar;
}

/**
 * What every network of a model is trained on, from the training rows and the seed alone (so a
 * network trained in a job of its own sees the same): a seeded split into fit and validation
 * rows, the standardisation (and bin edges) fitted on the fit rows, the positives' weight.
 */
export interface TrainingSplit {
  fitIndexes: Int32Array;
  validationIndexes: Int32Array;
  standardization: Standardization;
  positiveWeight: number;
}

export function trainingSplit(x: Matrix, labels: Uint8Array, config: TrainConfig): TrainingSplit {
  if (x.rows !== labels.length) throw new Error(`${x.rows} rows but ${labels.length} labels`);
  const order = permutation(x.rows, config.seed);
  const nVal = Math.max(1, Math.round(x.rows * config.validationShare));
  const fitIndexes = order.subarray(0, x.rows - nVal);
  const validationIndexes = order.subarray(x.rows - nVal);
  const standardization = fitStandardization(x, fitIndexes);
  // The MLP's inputs (as its dropout): the logistic model stays linear in the features.
  if ((config.encodeBins ?? 0) > 0 && config.model === 'mlp') standardization.edges = fitEdges(x, fitIndexes, config.encodeBins!);
  let positives = 0;
  for (const i of fitIndexes) positives += labels[i]!;
  // Positives weigh as much in total as negatives.
  const positiveWeight = positives > 0 ? (fitIndexes.length - positives) / positives : 1;
  return { fitIndexes, validationIndexes, standardization, positiveWeight };
}

/**
 * Trains network b of a model (0 <= b < networksOf(config)) on x (raw features) and 0/1 labels,
 * with its own early stop on its own validation loss. Its batches and dropout masks come from
 * seeds of its own (b = 0: those of a model of one network), so networks trained one after another,
 * or in jobs of their own, give the same weights.
 */
export async function trainNetwork(
  x: Matrix,
  labels: Uint8Array,
  config: TrainConfig,
  b: number,
  split: TrainingSplit = trainingSplit(x, labels, config),
  /** After each epoch, with the network as that epoch left it. */
  onEpoch?: (epoch: number, trainLoss: number, validationLoss: number, net: tf.LayersModel) => void,
): Promise<TrainedNetwork> {
  if (!(Number.isInteger(b) && b >= 0 && b < networksOf(config))) throw new RangeError(`network ${b} of ${networksOf(config)}`);
  const started = performance.now();
  const { fitIndexes: fitIdx, validationIndexes: valIdx, standardization, positiveWeight } = split;
  // The fit rows are standardised batch by batch from x (standardizeRow, as standardize does):
  // a standardised copy of them would be 80% of x again (2.7 GB at 5,000,000 members), more with the bins.
  const plan = rowPlan(standardization, x.cols);
  const fitY = Float32Array.from(fitIdx, (i) => labels[i]!);
  const valY = Float32Array.from(valIdx, (i) => labels[i]!);
  const weightOf = (y: Float32Array): Float32Array => y.map((v) => (v === 1 ? positiveWeight : 1));
  const fitW = weightOf(fitY);
  const valW = weightOf(valY);

  const net = buildNetwork(plan.width, config, b);
  const optimizer = tf.train.adam(config.learningRate);
  // The validation rows live on as a tensor only: their standardised copy is not kept.
  const valXT = ((v: Matrix) => tf.tensor2d(v.values, [v.rows, v.cols]))(standardize(x, standardization, valIdx));
  const valYT = tf.tensor2d(valY, [valY.length, 1]);
  const valWT = tf.tensor2d(valW, [valW.length, 1]);
  // apply, not predict: predict cuts its input into batches of 32, and the WebAssembly backend
  // copies the whole input for every cut (minutes at a million rows).
  const validationLoss = async (): Promise<number> => {
    const loss = tf.tidy(() => weightedLoss(net.apply(valXT) as tf.Tensor, valYT, valWT));
    const v = (await loss.data())[0]!;
    loss.dispose();
    return v;
  };
  const history: EpochRecord[] = [];
  const stop = new EarlyStop(config);
  const n = fitIdx.length;
  const d = x.cols;
  const w = plan.width;
  // Network b's own streams: b = 0 draws what a model of one network always drew.
  const dropoutRng = createRng(config.seed * 7919 + 17 + b * 104_729);
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const perm = permutation(n, config.seed * 1000 + epoch + b * 1_000_003);
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
          const out = config.dropout > 0 && config.model === 'mlp' ? forwardWithDropout(net, config, b, xt, dropoutRng) : (net.apply(xt, { training: true }) as tf.Tensor);
          const base = weightedLoss(out, yt, wt);
          // The L2 penalties, as functions each layer keeps: from the layers, as a model's own
          // losses list is empty in TensorFlow.js 4.22 (before this, no penalty was applied).
          const reg = net.layers.flatMap((l) => l.losses as unknown as (() => tf.Scalar)[]).map((f) => f());
          return reg.length > 0 ? (base.add(tf.addN(reg)) as tf.Scalar) : base;
        }, true, net.trainableWeights.map((v) => v.read() as tf.Variable))!;
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
    const v = await validationLoss();
    const lossSum = lossTotal === undefined ? 0 : (await lossTotal.data())[0]!;
    lossTotal?.dispose();
    const trainLoss = lossSum / Math.max(1, batches);
    history.push({ epoch, rows, trainLoss, validationLoss: v });
    onEpoch?.(epoch, trainLoss, v, net);
    if (stop.afterEpoch(epoch, v, net)) break;
  }
  const averaged = await stop.keep(net, validationLoss);
  valXT.dispose();
  valYT.dispose();
  valWT.dispose();
  optimizer.dispose();
  return { model: net, history, bestEpoch: stop.bestEpoch, averaged, seconds: (performance.now() - started) / 1000 };
}

/** Every network of a model on one split, one after another. */
export async function trainNetworks(
  x: Matrix,
  labels: Uint8Array,
  config: TrainConfig,
  split: TrainingSplit,
  onEpoch?: (network: number, epoch: number, trainLoss: number, validationLoss: number) => void,
): Promise<TrainedNetwork[]> {
  const networks: TrainedNetwork[] = [];
  for (let b = 0; b < networksOf(config); b++) networks.push(await trainNetwork(x, labels, config, b, split, (e, tl, vl) => onEpoch?.(b, e, tl, vl)));
  return networks;
}

/** Trains every network of a model and their average; everything it learns comes from these rows only. */
export async function trainClassifier(
  x: Matrix,
  labels: Uint8Array,
  config: TrainConfig,
  onEpoch?: (network: number, epoch: number, trainLoss: number, validationLoss: number) => void,
): Promise<TrainedClassifier> {
  const split = trainingSplit(x, labels, config);
  return classifierOf(x.cols, config, split, await trainNetworks(x, labels, config, split, onEpoch));
}

/** The model of trained networks (assembleModel), with what its run records of the training. */
export function classifierOf(cols: number, config: TrainConfig, split: TrainingSplit, networks: readonly TrainedNetwork[]): TrainedClassifier {
  const model = assembleModel(inputWidth(split.standardization, cols), config, networks.map((n) => n.model));
  // Their weights are copied into the model: the networks themselves are done with.
  for (const n of networks) n.model.dispose();
  return {
    model,
    standardization: split.standardization,
    networks: networks.map((n) => ({ history: n.history, bestEpoch: n.bestEpoch, averaged: n.averaged })),
    fitRows: split.fitIndexes.length,
    validationRows: split.validationIndexes.length,
    validationIndexes: split.validationIndexes,
    positiveWeight: split.positiveWeight,
  };
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
