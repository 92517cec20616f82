// Dropout in training (classifier.ts forwardWithDropout): masks of our own seeded generator, a new
// one every batch, kept units scaled by 1 / (1 - rate); the saved model is used whole.
import { describe, expect, it } from 'vitest';
import { initBackend, tf } from './backend.ts';
import { DEFAULT_TRAIN_CONFIG, forwardWithDropout, predictProbabilities, trainClassifier, type TrainConfig } from './classifier.ts';
import { type Matrix } from './standardization.ts';
import { createRng } from '../data/random.ts';

/**
 * A one-hidden-layer network whose hidden units all output 1 (kernel 0, bias 1, relu) and whose
 * output is sigmoid(mean of the hidden units): its logit is the mean of the batch row's mask.
 */
async function onesNetwork(units: number): Promise<{ model: tf.LayersModel; config: TrainConfig }> {
  await initBackend();
  const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, model: 'mlp', seed: 1, hidden: [units], dropout: 0.25, members: 1 };
  const input = tf.input({ shape: [2] });
  const h = tf.layers.dense({ name: 'hidden_1', units, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'probability', units: 1, activation: 'sigmoid' }).apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  model.getLayer('hidden_1').setWeights([tf.zeros([2, units]), tf.ones([units])]);
  model.getLayer('probability').setWeights([tf.fill([units, 1], 1 / units), tf.zeros([1])]);
  return { model, config };
}

const logits = (p: Float32Array): number[] => Array.from(p, (v) => Math.log(v / (1 - v)));

describe('dropout in training', () => {
  it('keeps each unit with probability 1 - rate and scales it by 1 / (1 - rate), a new mask every batch', async () => {
    const { model, config } = await onesNetwork(400);
    const x = tf.zeros([50, 2]) as tf.Tensor2D;
    const rng = createRng(5);
    const a = logits((await forwardWithDropout(model, config, 0, x, rng).data()) as Float32Array);
    const b = logits((await forwardWithDropout(model, config, 0, x, rng).data()) as Float32Array);
    // Each logit is (kept units / 400) x (1 / 0.75): a multiple of 1 / 300, whose mean over the rows
    // is 1 when the kept share is 0.75 (without the scaling it would be 0.75).
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean).toBeGreaterThan(0.98);
    expect(mean).toBeLessThan(1.02);
    for (const v of a) expect(Math.abs(v * 300 - Math.round(v * 300))).toBeLessThan(1e-3);
    // Rows differ from one another, and the next batch's masks differ from this one's.
    expect(new Set(a.map((v) => Math.round(v * 300))).size).toBeGreaterThan(5);
    expect(a.some((v, i) => Math.abs(v - b[i]!) > 1e-6)).toBe(true);
    // The same seed draws the same masks.
    const again = logits((await forwardWithDropout(model, config, 0, x, createRng(5)).data()) as Float32Array);
    expect(again).toEqual(a);
    x.dispose();
    model.dispose();
  });

  it('gives the same weights for the same seed, other weights than without dropout, and applies the model whole', async () => {
    await initBackend();
    const rng = createRng(11);
    const n = 500;
    const cols = 4;
    const values = Float32Array.from({ length: n * cols }, () => rng.next() * 4 - 2);
    const x: Matrix = { rows: n, cols, values };
    const y = Uint8Array.from({ length: n }, (_, i) => (values[i * cols]! * values[i * cols + 1]! > 0.3 ? 1 : 0));
    const train = async (dropout: number): Promise<Float32Array> => {
      const t = await trainClassifier(x, y, { ...DEFAULT_TRAIN_CONFIG, model: 'mlp', hidden: [8], dropout, seed: 4, epochs: 3, batchSize: 50, patience: 99 });
      const p = await predictProbabilities(t.model, t.standardization, x);
      // Applying twice gives the same probabilities: no dropout outside training.
      expect(await predictProbabilities(t.model, t.standardization, x)).toEqual(p);
      t.model.dispose();
      return p;
    };
    const [first, second, without] = [await train(0.5), await train(0.5), await train(0)];
    expect(Buffer.from(first.buffer).equals(Buffer.from(second.buffer))).toBe(true);
    expect(Buffer.from(first.buffer).equals(Buffer.from(without.buffer))).toBe(false);
  });
});
