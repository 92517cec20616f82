// The early stop (TrainConfig.minImprovement, early-stop.ts improves): only a validation loss below
// the last that restarted the patience by the given share of it restarts it; the weights kept are
// the lowest loss's.
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { DEFAULT_TRAIN_CONFIG, improves, trainClassifier, type TrainConfig } from './classifier.ts';
import { type Matrix } from './standardization.ts';

describe('early stop', () => {
  it('takes a new best only by the share asked for, or by 1e-5 without one', () => {
    // With 0.1%: from a best of 0.4, a new best must be below 0.4 x 0.999 = 0.3996.
    expect(improves(0.3995, 0.4, 1e-3)).toBe(true);
    expect(improves(0.3997, 0.4, 1e-3)).toBe(false);
    expect(improves(0.3996, 0.4, 1e-3)).toBe(false);
    // Without a share: below 0.4 - 0.00001 = 0.39999.
    expect(improves(0.3999, 0.4)).toBe(true);
    expect(improves(0.399995, 0.4)).toBe(false);
    // The first epoch is always the best so far.
    expect(improves(5, Infinity, 1e-3)).toBe(true);
    expect(improves(5, Infinity)).toBe(true);
  });

  it('stops a network whose loss does not fall by the share within its patience', async () => {
    await initBackend();
    // 600 rows of two columns, the label their sum above 1: the loss falls every epoch, but never
    // by 90% of itself in one, so with minImprovement 0.9 and patience 2 epochs 2 and 3 use up the
    // patience. The weights kept are still the lowest loss's of the three: epoch 3's.
    const n = 600;
    const x: Matrix = { rows: n, cols: 2, values: Float32Array.from({ length: 2 * n }, (_, k) => ((k * 7919) % 1009) / 1009) };
    const y = Uint8Array.from({ length: n }, (_, i) => (x.values[2 * i]! + x.values[2 * i + 1]! > 1 ? 1 : 0));
    const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, model: 'mlp', members: 1, seed: 2, epochs: 10, batchSize: 32, hidden: [8], patience: 2, learningRate: 0.01 };
    const strict = await trainClassifier(x, y, { ...config, minImprovement: 0.9 });
    const h = strict.networks[0]!.history;
    expect(h.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(h[1]!.validationLoss).toBeLessThan(h[0]!.validationLoss - 1e-5);
    expect(h[2]!.validationLoss).toBeLessThan(h[1]!.validationLoss - 1e-5);
    expect(strict.networks[0]!.bestEpoch).toBe(3);
    strict.model.dispose();
    // The same network with no share asked for keeps improving past epoch 3 (the rule, not the data, stopped it).
    const { minImprovement: _, ...noShare } = config;
    const loose = await trainClassifier(x, y, noShare);
    expect(loose.networks[0]!.history.length).toBeGreaterThan(3);
    expect(loose.networks[0]!.bestEpoch).toBeGreaterThan(1);
    loose.model.dispose();
  });
});
