// The mean of a network's last epochs' weights (TrainConfig.averageEpochs, classifier.ts
// trainNetwork, early-stop.ts EarlyStop): validated at the stop and kept in place of the best epoch's weights only if its
// validation loss is lower; the MLP's only.
import { describe, expect, it } from 'vitest';
import { initBackend, tf } from './backend.ts';
import { DEFAULT_TRAIN_CONFIG, meanWeights, trainNetwork, type TrainConfig } from './classifier.ts';
import { type Matrix } from './standardization.ts';

/** A network's weights, every tensor flattened one after another. */
const flat = (weights: readonly tf.Tensor[]): number[] => weights.flatMap((t) => Array.from(t.dataSync()));

// 600 rows of two columns; the label is their sum above 1, flipped for every fifth row (noise the
// network cannot learn, so that its weights wander from epoch to epoch).
const n = 600;
const x: Matrix = { rows: n, cols: 2, values: Float32Array.from({ length: 2 * n }, (_, k) => ((k * 7919) % 1009) / 1009) };
const y = Uint8Array.from({ length: n }, (_, i) => (x.values[2 * i]! + x.values[2 * i + 1]! > 1 ? 1 : 0) ^ (i % 5 === 0 ? 1 : 0));
const base: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, model: 'mlp', members: 1, encodeBins: 0, seed: 2, batchSize: 16, hidden: [8] };

/** Network 0 trained on the toy rows, with each epoch's weights as the epoch left them. */
async function trained(config: TrainConfig) {
  await initBackend();
  const epochs: number[][] = [];
  const net = await trainNetwork(x, y, config, 0, undefined, (_e, _t, _v, m) => epochs.push(flat(m.getWeights())));
  const kept = flat(net.model.getWeights());
  net.model.dispose();
  return { net, epochs, kept };
}

const expectClose = (a: number[], b: number[]): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-6);
};

describe('the mean of the last epochs', () => {
  it('averages weights tensor by tensor', async () => {
    await initBackend();
    // Two sets: (1 + 3) / 2 = 2, (2 + 4) / 2 = 3, (10 + 20) / 2 = 15. Three sets: (10 + 20 + 30) / 3 = 20.
    const m = meanWeights([[tf.tensor1d([1, 2]), tf.tensor1d([10])], [tf.tensor1d([3, 4]), tf.tensor1d([20])]]);
    expect(flat(m)).toEqual([2, 3, 15]);
    const m3 = meanWeights([[tf.tensor1d([10])], [tf.tensor1d([20])], [tf.tensor1d([30])]]);
    expect(flat(m3)).toEqual([20]);
  });

  it('keeps the mean of the last epochs when its validation loss is lower than the best epoch\'s', async () => {
    // A learning rate of 0.2 on noisy labels: the weights wander around the optimum, and the mean
    // of the last 4 of 8 epochs (5-8) validates better than any one of them (0.5580 against the
    // best epoch's 0.5646, epoch 6, when this test was written).
    const { net, epochs, kept } = await trained({ ...base, learningRate: 0.2, epochs: 8, patience: 8, averageEpochs: 4 });
    expect(net.history.length).toBe(8);
    expect(net.averaged).toEqual({ from: 5, to: 8, validationLoss: net.averaged!.validationLoss });
    expect(net.averaged!.validationLoss).toBeLessThan(Math.min(...net.history.map((e) => e.validationLoss)));
    const mean = epochs[4]!.map((_, i) => (epochs[4]![i]! + epochs[5]![i]! + epochs[6]![i]! + epochs[7]![i]!) / 4);
    expectClose(kept, mean);
  });

  it('keeps the best epoch\'s weights when the mean validates worse, and the logistic model never averages', async () => {
    // A steady descent (learning rate 0.01, three epochs): the loss still falls every epoch, so
    // the mean of epochs 1-3 lags behind the last of them, the best (validation losses 0.614,
    // 0.564 and 0.558 when this test was written).
    const steady = await trained({ ...base, learningRate: 0.01, epochs: 3, patience: 3, averageEpochs: 3 });
    expect(steady.net.averaged).toBeUndefined();
    expectClose(steady.kept, steady.epochs[steady.net.bestEpoch - 1]!);
    const logistic = await trained({ ...base, model: 'logistic', learningRate: 0.2, epochs: 8, patience: 8, averageEpochs: 4 });
    expect(logistic.net.averaged).toBeUndefined();
    expectClose(logistic.kept, logistic.epochs[logistic.net.bestEpoch - 1]!);
  });
});
